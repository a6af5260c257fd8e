"""Which cases an actor may see: one rule, used by every page, action and API call.

Supervisors and administrators see every case. Staff see the cases of their
queues and the cases shared with their queues (CaseShare). An emergency that no
person has acknowledged yet is visible to everyone, so that anyone on duty can
take it. Any other case does not exist for them: 404, never 403.
"""

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from console.actor import Actor
from console.errors import NotFound
from storage.models import Case, CaseShare


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_all_cases:
        return true()
    queue_ids = sorted(actor.queue_ids)
    shared = select(CaseShare.case_id).where(CaseShare.queue_id.in_(queue_ids))
    return or_(
        Case.queue_id.in_(queue_ids),
        Case.id.in_(shared),
        and_(Case.emergency.is_(True), Case.emergency_acknowledged_at.is_(None)),
    )


def get_visible_case(session: Session, actor: Actor, case_id: int, *, for_update: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id, visible_cases(actor))
    if for_update:
        query = query.with_for_update()
    case = session.scalar(query)
    if case is None:
        raise NotFound("この案件は見つかりません。")
    return case
