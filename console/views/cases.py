"""The queue page and the case page, with the case actions as plain HTML forms."""

import secrets

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from console.access import get_visible_case
from console.actions.assignment import assignable_staff
from console.actions.common import is_lead
from console.actions.dispatch import ACTIONS, NOTICES, run_action
from console.actions.records import MEETINGS, do_view_case
from console.auth.guard import current_actor
from console.blueprint import bp
from console.canned_replies import list_canned_replies
from console.case_page import build_case_view
from console.config import console_config, services
from console.errors import ConsoleError, NotFound
from console.inputs import Inputs
from console.municipality_settings import district_names
from console.queue_list import MAX_ROWS, STATUS_CHOICES, QueueFilter, case_row, list_queue, pending_emergencies
from routing.facts import CONSENT_VALUES
from storage.models import Case, Queue, StaffUser

OTHER_NOTICES = {"password": "パスワードを変更しました。", "totp": "2段階認証を設定しました。"}


@bp.get("/", endpoint="queue_page")
def queue_page():
    actor = current_actor()
    flt = QueueFilter.from_args(request.args)
    now = console_config().now()
    with services().sessions() as db:
        districts = district_names(db)
        rows = [case_row(c, now, districts) for c in list_queue(db, actor, flt)]
        pinned = [case_row(c, now, districts) for c in pending_emergencies(db)]
        queues = list(db.scalars(select(Queue).order_by(Queue.id)))
        staff = list(db.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.display_name)))
        known_districts = districts or {d: d for d in db.scalars(select(Case.district).distinct()) if d}
    return render_template(
        "console/queue.html",
        rows=rows,
        pinned=pinned,
        flt=flt,
        queues=queues,
        staff=staff,
        districts=known_districts,
        status_choices=STATUS_CHOICES,
        notice=NOTICES.get(request.args.get("done", "")) or OTHER_NOTICES.get(request.args.get("done", "")),
        poll_seconds=console_config().poll_seconds,
        max_rows=MAX_ROWS,
    )


@bp.get("/cases/<id:case_id>", endpoint="case_page")
def case_page(case_id: int):
    return _render_case(case_id, notice=NOTICES.get(request.args.get("done", "")))


@bp.post("/cases/<id:case_id>/actions/<name>", endpoint="case_action")
def case_action(case_id: int, name: str):
    actor = current_actor()
    if name not in ACTIONS:
        raise NotFound("この操作はありません。")
    try:
        run_action(services(), name, case_id, Inputs(request.form), actor=actor, now=console_config().now())
    except NotFound:
        raise
    except ConsoleError as error:
        # The page again, with the error and what was typed (nothing is lost).
        return _render_case(case_id, error=error.message, form=request.form, failed_action=name, status=error.status)
    with services().sessions() as db:
        try:
            get_visible_case(db, actor, case_id)
        except NotFound:
            # e.g. transferred to a queue the actor does not belong to.
            return redirect(url_for("console.queue_page", done=name))
    return redirect(url_for("console.case_page", case_id=case_id, done=name) + _anchor(name))


def _anchor(name: str) -> str:
    return "#conversation" if name in ("reply", "retry") else ""


def _render_case(case_id: int, *, notice=None, error=None, form=None, failed_action=None, status=200):
    actor = current_actor()
    cipher = services().cipher
    with services().sessions.begin() as db:
        case = do_view_case(db, case_id, actor=actor)
        districts = district_names(db)
        view = build_case_view(db, cipher, case, districts)
        row = case_row(case, console_config().now(), districts)
        queues = list(db.scalars(select(Queue).where(Queue.active.is_(True)).order_by(Queue.id)))
        page = render_template(
            "console/case.html",
            case=case,
            row=row,
            view=view,
            lead=is_lead(actor, case),
            transfer_targets=[q for q in queues if q.id != case.queue_id],
            queues=queues,
            assignable=assignable_staff(db, case),
            canned=list_canned_replies(db),
            client_token=secrets.token_urlsafe(24),
            consent_values=CONSENT_VALUES,
            meetings=MEETINGS,
            notice=notice,
            error=error,
            failed_action=failed_action,
            form=form or {},
            poll_seconds=console_config().poll_seconds,
        )
    return page, status
