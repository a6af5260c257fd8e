"""Retention: what is old enough to delete, and deleting it. Counts only come back.

The cut-offs are computed by the caller from the configured periods, so tests and
the scheduled job pass any `now` they like.
"""

from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from storage.models import Case, InboundEvent, Message, Resident
from storage.repositories.cases import delete_cases

# Events a worker has finished with; pending or processing ones are never purged.
FINISHED_INBOUND_STATUSES = ("done", "failed", "ignored")


def purge_finished_inbound_events(session: Session, *, received_before: datetime) -> int:
    """Delete raw webhook events that were processed (or given up) and received before the cut-off."""
    return session.execute(
        delete(InboundEvent).where(
            InboundEvent.status.in_(FINISHED_INBOUND_STATUSES), InboundEvent.received_at < received_before
        )
    ).rowcount


def list_abandoned_intake_case_ids(session: Session, *, inactive_since: datetime) -> list[int]:
    """Cases still in intake with no change and no message since the cut-off."""
    recent_message = exists().where(Message.case_id == Case.id, Message.created_at >= inactive_since)
    return list(
        session.scalars(
            select(Case.id).where(
                Case.status == "intake",
                Case.created_at < inactive_since,
                Case.updated_at < inactive_since,
                ~recent_message,
            )
        )
    )


def purge_abandoned_intake(session: Session, *, inactive_since: datetime) -> dict[str, int]:
    return delete_cases(session, list_abandoned_intake_case_ids(session, inactive_since=inactive_since))


def purge_resolved_cases(session: Session, *, resolved_before: datetime) -> dict[str, int]:
    """Delete resolved cases closed before the cut-off, with everything attached."""
    case_ids = list(
        session.scalars(select(Case.id).where(Case.status == "resolved", Case.resolved_at < resolved_before))
    )
    return delete_cases(session, case_ids)


def purge_residents_without_cases(session: Session, *, last_seen_before: datetime) -> int:
    """Residents with no case left who have not written since the cut-off (their encrypted id goes too)."""
    has_case = exists().where(Case.resident_id == Resident.id)
    return session.execute(
        delete(Resident).where(~has_case, Resident.last_seen_at < last_seen_before)
    ).rowcount
