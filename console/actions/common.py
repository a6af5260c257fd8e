"""Helpers shared by the case actions: lead checks, status moves, the audit row."""

from datetime import datetime

from sqlalchemy.orm import Session

from console.actor import Actor
from console.display import STATUS_NAMES_JA
from console.errors import Conflict, Forbidden
from intake.lifecycle import InvalidTransition, check_transition
from storage.models import Case, utcnow
from storage.repositories.audit import record_audit


def now_or(now: datetime | None) -> datetime:
    return now or utcnow()


def is_lead(actor: Actor, case: Case) -> bool:
    """May act for the case: its queue's staff, supervisors/admins, anyone on an open emergency."""
    return (
        actor.sees_all_cases
        or case.queue_id in actor.queue_ids
        or (case.emergency and case.emergency_acknowledged_at is None)
    )


def require_lead(actor: Actor, case: Case) -> None:
    if not is_lead(actor, case):
        raise Forbidden("共有された案件は閲覧とメモのみできます。対応は担当キューの職員が行います。")


def move(case: Case, target: str) -> str:
    """Change the status through the lifecycle table; return the previous status."""
    try:
        check_transition(case.status, target)
    except InvalidTransition:
        raise Conflict(
            f"「{STATUS_NAMES_JA[case.status]}」の案件は「{STATUS_NAMES_JA[target]}」にできません。"
        ) from None
    previous, case.status = case.status, target
    return previous


def audit_case(session: Session, actor: Actor, action: str, case: Case, **detail) -> None:
    record_audit(session, **actor.audit, action=action, target_type="case", target_id=case.id, detail=detail)
