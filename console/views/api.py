"""The console's JSON API (used by the page's polling and by scripts).

Errors always come as {"error": {"code", "message"}}; state changes need the
X-CSRF-Token header; a case the caller may not see is a 404 here too.
"""

from flask import jsonify, request
from sqlalchemy import func, select

from console.access import get_visible_case
from console.actions.dispatch import run_action
from console.actions.records import do_view_case
from console.auth.guard import current_actor
from console.blueprint import bp
from console.case_page import build_case_view, view_as_json
from console.config import console_config, services
from console.errors import InvalidInput, NotFound
from console.inputs import Inputs
from console.municipality_settings import district_names
from console.queue_list import QueueFilter, case_row, list_queue, pending_emergencies
from storage.models import Message


@bp.get("/api/queue", endpoint="api_queue")
def api_queue():
    actor = current_actor()
    now = console_config().now()
    with services().sessions() as db:
        districts = district_names(db)
        cases = [case_row(c, now, districts) for c in list_queue(db, actor, QueueFilter.from_args(request.args))]
        pinned = [case_row(c, now, districts) for c in pending_emergencies(db)]
    return jsonify(now=now.isoformat(), poll_seconds=console_config().poll_seconds, pinned=pinned, cases=cases)


@bp.get("/api/emergencies", endpoint="api_emergencies")
def api_emergencies():
    current_actor()
    now = console_config().now()
    with services().sessions() as db:
        districts = district_names(db)
        pinned = [case_row(c, now, districts) for c in pending_emergencies(db)]
    return jsonify(pinned=pinned)


@bp.get("/api/cases/<id:case_id>", endpoint="api_case")
def api_case(case_id: int):
    actor = current_actor()
    with services().sessions.begin() as db:
        case = do_view_case(db, case_id, actor=actor, via="api")
        districts = district_names(db)
        body = {
            "case": case_row(case, console_config().now(), districts),
            "view": view_as_json(build_case_view(db, services().cipher, case, districts)),
        }
    return jsonify(body)


@bp.get("/api/cases/<id:case_id>/status", endpoint="api_case_status")
def api_case_status(case_id: int):
    """What changed on an open case page, without any content (so no view is audited)."""
    actor = current_actor()
    with services().sessions() as db:
        case = get_visible_case(db, actor, case_id)
        count = db.scalar(select(func.count(Message.id)).where(Message.case_id == case.id))
        staff_messages = db.execute(
            select(Message.id, Message.delivery_status).where(Message.case_id == case.id, Message.sender == "staff")
        )
        return jsonify(
            status=case.status,
            message_count=count,
            deliveries=[{"id": mid, "delivery_status": state} for mid, state in staff_messages],
        )


@bp.post("/api/cases/<id:case_id>/actions/<name>", endpoint="api_case_action")
def api_case_action(case_id: int, name: str):
    actor = current_actor()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("JSON オブジェクトを送ってください。")
    outcome = run_action(services(), name, case_id, Inputs(body), actor=actor, now=console_config().now())
    with services().sessions() as db:
        try:
            case = get_visible_case(db, actor, case_id)
        except NotFound:
            return jsonify(ok=True, case=None)
        row = case_row(case, console_config().now(), district_names(db))
    return jsonify(ok=True, case=row, message_id=outcome.deliver_message_id)
