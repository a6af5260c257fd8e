"""Administrator pages: queues and agencies."""

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from console.auth.guard import current_actor, require_role
from console.blueprint import bp
from console.config import services
from console.errors import ConsoleError, NotFound
from console.inputs import Inputs
from console.queue_admin import QUEUE_FIELDS, QUEUE_KINDS, do_create_queue, do_update_queue, read_queue_form
from storage.models import Queue


def _form_page(queue, form, error=None, status=200):
    page = render_template(
        "console/admin/queue_form.html", queue=queue, form=form, fields=QUEUE_FIELDS, kinds=QUEUE_KINDS, error=error
    )
    return page, status


@bp.get("/admin/queues", endpoint="admin_queues")
@require_role("admin")
def queue_list():
    with services().sessions() as db:
        queues = list(db.scalars(select(Queue).order_by(Queue.id)))
    return render_template(
        "console/admin/queues.html",
        queues=queues,
        fields=QUEUE_FIELDS,
        kinds=QUEUE_KINDS,
        notice="保存しました。" if request.args.get("done") else None,
    )


@bp.route("/admin/queues/new", methods=["GET", "POST"], endpoint="admin_queue_new")
@require_role("admin")
def queue_new():
    if request.method == "GET":
        return _form_page(None, {"active": "1", "target_reply_hours": "48"})
    inputs = Inputs(request.form)
    try:
        with services().sessions.begin() as db:
            do_create_queue(db, inputs.get("key"), read_queue_form(inputs), actor=current_actor())
    except ConsoleError as error:
        return _form_page(None, request.form, error.message, error.status)
    return redirect(url_for("console.admin_queues", done=1))


@bp.route("/admin/queues/<id:queue_id>", methods=["GET", "POST"], endpoint="admin_queue_edit")
@require_role("admin")
def queue_edit(queue_id: int):
    with services().sessions() as db:
        queue = db.get(Queue, queue_id)
        if queue is None:
            raise NotFound("このキューは見つかりません。")
    if request.method == "GET":
        current = {
            "name": queue.name,
            "field": queue.field,
            "kind": queue.kind,
            "contact": queue.contact,
            "target_reply_hours": str(queue.target_reply_hours),
            "active": "1" if queue.active else "",
        }
        return _form_page(queue, current)
    inputs = Inputs(request.form)
    try:
        with services().sessions.begin() as db:
            do_update_queue(db, queue_id, read_queue_form(inputs), actor=current_actor())
    except ConsoleError as error:
        return _form_page(queue, request.form, error.message, error.status)
    return redirect(url_for("console.admin_queues", done=1))
