"""Administrator pages: the routing rules editor (check and dry run, save, history, diff, rollback)."""

from flask import redirect, render_template, request, url_for

from console.auth.guard import current_actor, require_role
from console.blueprint import bp
from console.config import services
from console.errors import NotFound
from console.inputs import MAX_DOCUMENT, whole_number
from console.rules_admin import DraftCheck, check_draft, editor_source
from routing.errors import ConfigFileError, RuleFileError, RuleVersionNotFound
from routing.store import live_rules
from routing.versions import diff_versions, do_rollback_rules, do_save_rules, list_versions, version_source
from storage.models import StaffUser
from storage.text import has_control_characters

MAX_COMMENT = 200
NOTICES = {"saved": "保存しました。次の相談から新しいルールで振り分けます。", "rolled_back": "以前の版に戻しました。"}


def _page(db, source: str, check: DraftCheck | None = None, *, comment: str = "", status: int = 200, error=None):
    live = live_rules(db)
    page = render_template(
        "console/admin/rules.html",
        source=source,
        check=check,
        comment=comment,
        versions=list_versions(db),
        live_problem=live.problem if live.version is not None else None,
        saved_any=live.version is not None,
        notice=NOTICES.get(request.args.get("done", "")),
        error=error,
    )
    return page, status


def _draft() -> tuple[str, str]:
    source = request.form.get("source", "").replace("\r\n", "\n")
    return source, request.form.get("comment", "").strip()


def _too_long(source: str, comment: str) -> str | None:
    """Why the draft is refused whole (never cut silently), or None."""
    if len(source) > MAX_DOCUMENT:
        return f"ルールが長すぎます（{MAX_DOCUMENT:,}文字まで）。"
    if len(comment) > MAX_COMMENT:
        return f"コメントが長すぎます（{MAX_COMMENT}文字まで）。"
    return None


@bp.get("/admin/rules", endpoint="admin_rules")
@require_role("admin")
def rules_page():
    with services().sessions() as db:
        return _page(db, editor_source(db))


@bp.post("/admin/rules/check", endpoint="admin_rules_check")
@require_role("admin")
def rules_check():
    """Validate the draft and replay the last cases under it; nothing is saved."""
    source, comment = _draft()
    with services().sessions() as db:
        if error := _too_long(source, comment):
            return _page(db, source, comment=comment, status=400, error=error)
        check = check_draft(db, source)
        return _page(db, source, check, comment=comment, status=200 if check.ok else 400)


@bp.post("/admin/rules/save", endpoint="admin_rules_save")
@require_role("admin")
def rules_save():
    source, comment = _draft()
    if error := _too_long(source, comment):
        with services().sessions() as db:
            return _page(db, source, comment=comment, status=400, error=error)
    if has_control_characters(comment):
        return _not_saved(source, comment, "コメントに使えない文字（制御文字）が含まれているため保存していません。")
    try:
        with services().sessions.begin() as db:
            do_save_rules(db, source, comment, actor=db.get(StaffUser, current_actor().id))
    except (RuleFileError, ConfigFileError):
        return _not_saved(source, comment, "ルールに問題があるため保存していません。")
    return redirect(url_for("console.admin_rules", done="saved"))


def _not_saved(source: str, comment: str, error: str):
    """The editor with the draft kept and checked, and why it was not saved."""
    with services().sessions() as db:
        return _page(db, source, check_draft(db, source), comment=comment, status=400, error=error)


@bp.post("/admin/rules/rollback", endpoint="admin_rules_rollback")
@require_role("admin")
def rules_rollback():
    version = whole_number(request.form.get("version", ""))
    if version is None:
        raise NotFound("この版は見つかりません。")
    try:
        with services().sessions.begin() as db:
            do_rollback_rules(db, version, actor=db.get(StaffUser, current_actor().id))
    except RuleVersionNotFound:
        raise NotFound("この版は見つかりません。") from None
    except (RuleFileError, ConfigFileError):
        with services().sessions() as db:
            return _page(
                db,
                editor_source(db),
                status=409,
                error=f"版{version}は、いまのキュー・地区では使えないため戻せません。",
            )
    return redirect(url_for("console.admin_rules", done="rolled_back"))


@bp.get("/admin/rules/versions/<id:version>", endpoint="admin_rule_version")
@require_role("admin")
def rule_version(version: int):
    with services().sessions() as db:
        try:
            source = version_source(db, version)
            diff = diff_versions(db, version - 1, version) if version > 1 else None
        except RuleVersionNotFound:
            raise NotFound("この版は見つかりません。") from None
        live = live_rules(db).version
    return render_template("console/admin/rule_version.html", version=version, source=source, diff=diff, live=live)
