"""Administrator pages: the municipality's settings and the canned replies."""

import hashlib
from importlib import resources

from flask import render_template, request

from console.auth.guard import current_actor, require_role
from console.blueprint import bp
from console.canned_replies import list_canned_replies, parse_canned_replies, save_canned_replies
from console.catalogue_overrides import format_overrides, parse_overrides
from console.config import services
from console.errors import InvalidInput
from console.inputs import MAX_DOCUMENT
from console.municipality_settings import get_settings_document, save_settings_document
from routing.errors import MunicipalityFileError
from storage import events
from storage.repositories.audit import record_audit


def default_source() -> str:
    """The demo city's file, shown as a starting point until a municipality is saved."""
    return (resources.files("routing") / "demo_municipality.yaml").read_text(encoding="utf-8")


EMPTY_CANNED_ROWS = 3


@bp.route("/admin/settings", methods=["GET", "POST"], endpoint="admin_settings")
@require_role("admin")
def settings_page():
    actor = current_actor()
    notice, error, problems, synced, status = None, None, [], None, 200
    with services().sessions.begin() as db:
        document = get_settings_document(db)
        source = document.get("source") or ""
        messages_text = format_overrides(document.get("messages") or {})
        if request.method == "POST":
            source = request.form.get("source", "").replace("\r\n", "\n")
            messages_text = request.form.get("messages", "").replace("\r\n", "\n")
            try:
                if len(source) > MAX_DOCUMENT:
                    raise InvalidInput("設定が長すぎます。")
                messages = parse_overrides(messages_text)
                synced = save_settings_document(db, source=source, messages=messages, staff_id=actor.id)
                record_audit(
                    db,
                    **actor.audit,
                    action=events.SETTINGS_SAVE,
                    target_type="config",
                    target_id="municipality",
                    detail={"sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(), "messages": sorted(messages)},
                )
                notice = "保存しました。"
            except MunicipalityFileError as exc:
                error, problems, status = "設定に問題があります。保存していません。", exc.problems, 400
            except InvalidInput as exc:
                error, status = exc.message + "（保存していません）", exc.status
    example = None if source else default_source()
    page = render_template(
        "console/admin/settings.html",
        source=source or example,
        is_example=example is not None,
        messages=messages_text,
        notice=notice,
        error=error,
        problems=problems,
        synced=synced,
    )
    return page, status


@bp.route("/admin/canned-replies", methods=["GET", "POST"], endpoint="admin_canned")
@require_role("admin")
def canned_page():
    actor = current_actor()
    notice, error, status = None, None, 200
    with services().sessions.begin() as db:
        rows = [(c.title, c.body) for c in list_canned_replies(db)]
        if request.method == "POST":
            titles, bodies = request.form.getlist("title"), request.form.getlist("body")
            rows = list(zip(titles, bodies, strict=False))
            try:
                if len(titles) != len(bodies):
                    raise InvalidInput("フォームが正しくありません。ページを読み込み直してください。")
                items = parse_canned_replies(titles, bodies)
                save_canned_replies(db, items, staff_id=actor.id)
                record_audit(
                    db,
                    **actor.audit,
                    action=events.CANNED_REPLIES_SAVE,
                    target_type="config",
                    target_id="canned_replies",
                    detail={"count": len(items)},
                )
                rows, notice = [(i.title, i.body) for i in items], "保存しました。"
            except InvalidInput as exc:
                error, status = exc.message, exc.status
    rows += [("", "")] * EMPTY_CANNED_ROWS
    return render_template("console/admin/canned.html", rows=rows, notice=notice, error=error), status
