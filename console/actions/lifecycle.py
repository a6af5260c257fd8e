"""Emergencies and the end of a case: acknowledge, resolve with an outcome, reopen."""

from datetime import datetime

from sqlalchemy.orm import Session

from console.access import get_visible_case
from console.actions.common import audit_case, move, now_or, require_lead
from console.actor import Actor
from console.errors import Conflict, InvalidInput
from intake.lifecycle import OUTCOMES
from storage import events
from storage.models import Case


def do_acknowledge_emergency(session: Session, case_id: int, *, actor: Actor, now: datetime | None = None) -> Case:
    """A person has seen the emergency: it stops being pinned for everyone (a second click changes nothing)."""
    case = get_visible_case(session, actor, case_id, for_update=True)
    if not case.emergency:
        raise Conflict("この案件は緊急案件ではありません。")
    if case.emergency_acknowledged_at is not None:
        return case
    case.emergency_acknowledged_by, case.emergency_acknowledged_at = actor.id, now_or(now)
    audit_case(session, actor, events.EMERGENCY_ACK, case)
    return case


def do_resolve_case(session: Session, case_id: int, outcome: str, *, actor: Actor, now: datetime | None = None) -> Case:
    if outcome not in OUTCOMES:
        raise InvalidInput("終結の理由を選んでください。")
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    if case.emergency and case.emergency_acknowledged_at is None:
        raise Conflict("緊急案件は、確認（受付）してから終結してください。")
    previous = move(case, "resolved")
    case.outcome, case.resolved_at = outcome, now_or(now)
    audit_case(session, actor, events.CASE_STATUS, case, from_status=previous, to_status="resolved", outcome=outcome)
    return case


def do_reopen_case(session: Session, case_id: int, *, actor: Actor, now: datetime | None = None) -> Case:
    """Back to the queue, unassigned; the earlier outcome is cleared (the audit log keeps it)."""
    case = get_visible_case(session, actor, case_id, for_update=True)
    require_lead(actor, case)
    previous = move(case, "open")
    outcome = case.outcome
    case.outcome, case.resolved_at, case.assignee_id = None, None, None
    audit_case(
        session, actor, events.CASE_STATUS, case, from_status=previous, to_status="open", previous_outcome=outcome
    )
    return case
