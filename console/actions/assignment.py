"""Who works on a case: take, assign, transfer to another queue or agency."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.access import get_visible_case
from console.actions.common import audit_case, move, now_or, require_lead
from console.actor import Actor
from console.errors import InvalidInput
from storage import events
from storage.models import Case, CaseShare, Queue, StaffUser


def do_take_case(session: Session, case_id: int, *, actor: Actor, now: datetime | None = None) -> Case:
    """The actor becomes the assignee (a second click changes nothing)."""
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    if case.status == "assigned" and case.assignee_id == actor.id:
        return case
    previous = case.status if case.status == "assigned" else move(case, "assigned")
    detail = {"from_status": previous, "from_assignee": case.assignee_id, "to_assignee": actor.id, "taken": True}
    case.assignee_id = actor.id
    audit_case(session, actor, events.CASE_ASSIGN, case, **detail)
    return case


def do_assign_case(
    session: Session, case_id: int, assignee_id: int | None, *, actor: Actor, now: datetime | None = None
) -> Case:
    """Assign to a staff member of the case's queue (or a supervisor/admin); None unassigns."""
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    if assignee_id == case.assignee_id and (assignee_id is None or case.status == "assigned"):
        return case
    if assignee_id is None:
        previous = move(case, "open")
    else:
        assignee = session.get(StaffUser, assignee_id)
        if assignee is None or not assignee.active or not _may_work_in(assignee, case.queue_id):
            raise InvalidInput("この案件のキューに所属する有効な職員を選んでください。")
        previous = case.status if case.status == "assigned" else move(case, "assigned")
    detail = {"from_status": previous, "from_assignee": case.assignee_id, "to_assignee": assignee_id}
    case.assignee_id = assignee_id
    audit_case(session, actor, events.CASE_ASSIGN, case, **detail)
    return case


def do_transfer_case(
    session: Session,
    case_id: int,
    queue_id: int,
    *,
    keep_shared: bool = False,
    actor: Actor,
    now: datetime | None = None,
) -> Case:
    """Refer the case to another queue or agency; it waits there unassigned."""
    now = now_or(now)
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    target = session.get(Queue, queue_id)
    if target is None or not target.active:
        raise InvalidInput("引継ぎ先のキュー・機関が見つかりません。")
    if target.id == case.queue_id:
        raise InvalidInput("現在と同じキューには引き継げません。")
    previous = move(case, "referred")
    from_queue = case.queue_id
    case.queue_id, case.assignee_id = target.id, None
    if case.first_staff_reply_at is None:
        # The receiving team owes the first reply within its own target time.
        case.reply_due_at = now + timedelta(hours=target.target_reply_hours)
    if keep_shared and from_queue is not None and not _shared(session, case.id, from_queue):
        session.add(CaseShare(case_id=case.id, queue_id=from_queue, created_at=now))
    audit_case(
        session,
        actor,
        events.CASE_TRANSFER,
        case,
        from_status=previous,
        from_queue=from_queue,
        to_queue=target.id,
        keep_shared=keep_shared,
    )
    return case


def _may_work_in(user: StaffUser, queue_id: int | None) -> bool:
    return user.role in ("supervisor", "admin") or any(q.id == queue_id for q in user.queues)


def _shared(session: Session, case_id: int, queue_id: int) -> bool:
    found = session.scalar(select(CaseShare.id).where(CaseShare.case_id == case_id, CaseShare.queue_id == queue_id))
    return found is not None


def assignable_staff(session: Session, case: Case) -> list[StaffUser]:
    users = session.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.display_name))
    return [u for u in users if _may_work_in(u, case.queue_id)]
