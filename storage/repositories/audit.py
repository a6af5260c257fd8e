"""The audit log: appended to, never updated or deleted by the application."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEvent


def record_audit(
    session: Session,
    *,
    actor_type: str,
    actor_id: str | int | None,
    action: str,
    target_type: str | None = None,
    target_id: str | int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_type=actor_type,
        actor_id=None if actor_id is None else str(actor_id),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail or {},
    )
    session.add(event)
    return event


def list_audit(session: Session, *, limit: int = 200, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))
