"""Administrator pages: the routing rules editor (check, dry run, compare, history)."""

import difflib

from flask import render_template, request
from sqlalchemy import select

from console.auth.guard import require_role
from console.blueprint import bp
from console.config import services
from console.errors import NotFound
from console.rules_admin import check_draft, list_versions, live_source
from storage.models import RuleSetVersion

MAX_SOURCE = 200_000


@bp.get("/admin/rules", endpoint="admin_rules")
@require_role("admin")
def rules_page():
    with services().sessions() as db:
        source = live_source(db)
        return render_template("console/admin/rules.html", source=source, check=None, versions=list_versions(db))


@bp.post("/admin/rules/check", endpoint="admin_rules_check")
@require_role("admin")
def rules_check():
    """Validate the draft and replay the last cases under it; nothing is saved."""
    source = request.form.get("source", "").replace("\r\n", "\n")[:MAX_SOURCE]
    with services().sessions() as db:
        check = check_draft(db, source)
        page = render_template("console/admin/rules.html", source=source, check=check, versions=list_versions(db))
    return page, 200 if check.draft is not None else 400


@bp.get("/admin/rules/versions/<int:version_id>", endpoint="admin_rule_version")
@require_role("admin")
def rule_version(version_id: int):
    with services().sessions() as db:
        version = db.get(RuleSetVersion, version_id)
        if version is None:
            raise NotFound("この版は見つかりません。")
        previous = db.scalar(
            select(RuleSetVersion)
            .where(RuleSetVersion.version < version.version)
            .order_by(RuleSetVersion.version.desc())
            .limit(1)
        )
        before = previous.source if previous is not None else ""
        text_diff = "\n".join(
            difflib.unified_diff(
                before.splitlines(),
                version.source.splitlines(),
                f"版 {previous.version}" if previous else "（なし）",
                f"版 {version.version}",
                lineterm="",
                n=2,
            )
        )
        return render_template("console/admin/rule_version.html", version=version, text_diff=text_diff)
