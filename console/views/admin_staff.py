"""Administrator pages: staff accounts."""

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from console.auth.guard import current_actor, require_role
from console.blueprint import bp
from console.config import services
from console.errors import ConsoleError, NotFound
from console.inputs import Inputs
from console.staff_admin import (
    do_create_staff,
    do_reset_password,
    do_reset_totp,
    do_set_staff_active,
    do_update_staff,
    get_staff,
)
from storage.models import Queue
from storage.repositories.staff import STAFF_ROLES, list_staff

NOTICES = {
    "updated": "保存しました。",
    "deactivated": "無効にしました。この職員はログインできません。",
    "reactivated": "有効にしました。",
    "totp": "2段階認証をリセットしました。次回ログイン時に設定し直します。",
}


def _queues(db):
    return list(db.scalars(select(Queue).order_by(Queue.id)))


@bp.get("/admin/staff", endpoint="admin_staff")
@require_role("admin")
def staff_list():
    with services().sessions() as db:
        users = list_staff(db)
        return render_template(
            "console/admin/staff_list.html", users=users, notice=NOTICES.get(request.args.get("done", ""))
        )


def _form(staff_id: int | None, form, error: ConsoleError | None = None):
    with services().sessions() as db:
        user = get_staff(db, staff_id) if staff_id is not None else None
        page = render_template(
            "console/admin/staff_form.html",
            user=user,
            form=form,
            queues=_queues(db),
            roles=STAFF_ROLES,
            error=error.message if error else None,
        )
    return page, error.status if error else 200


@bp.route("/admin/staff/new", methods=["GET", "POST"], endpoint="admin_staff_new")
@require_role("admin")
def staff_new():
    if request.method == "GET":
        return _form(None, {})
    form = Inputs(request.form)
    try:
        with services().sessions.begin() as db:
            user, password = do_create_staff(
                db,
                login=form.get("login"),
                display_name=form.get("display_name"),
                role=form.get("role"),
                queue_ids=form.integers("queue_ids"),
                actor=current_actor(),
            )
            # Shown once, in this response only (never in a URL or a log).
            return render_template("console/admin/staff_password.html", user=user, password=password, created=True)
    except ConsoleError as error:
        return _form(None, request.form, error)


@bp.route("/admin/staff/<id:staff_id>", methods=["GET", "POST"], endpoint="admin_staff_edit")
@require_role("admin")
def staff_edit(staff_id: int):
    if request.method == "GET":
        return _form(staff_id, {})
    form = Inputs(request.form)
    try:
        with services().sessions.begin() as db:
            do_update_staff(
                db,
                staff_id,
                display_name=form.get("display_name"),
                role=form.get("role"),
                queue_ids=form.integers("queue_ids"),
                actor=current_actor(),
            )
    except ConsoleError as error:
        return _form(staff_id, request.form, error)
    return redirect(url_for("console.admin_staff", done="updated"))


@bp.post("/admin/staff/<id:staff_id>/<operation>", endpoint="admin_staff_operation")
@require_role("admin")
def staff_operation(staff_id: int, operation: str):
    actor = current_actor()
    with services().sessions.begin() as db:
        if operation == "reset-password":
            user, password = do_reset_password(db, staff_id, actor=actor)
            return render_template("console/admin/staff_password.html", user=user, password=password, created=False)
        if operation == "deactivate":
            do_set_staff_active(db, staff_id, False, actor=actor)
            done = "deactivated"
        elif operation == "reactivate":
            do_set_staff_active(db, staff_id, True, actor=actor)
            done = "reactivated"
        elif operation == "reset-totp":
            do_reset_totp(db, staff_id, actor=actor)
            done = "totp"
        else:
            raise NotFound("この操作はありません。")
    return redirect(url_for("console.admin_staff", done=done))
