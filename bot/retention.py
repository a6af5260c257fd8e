"""The scheduled retention purge: old raw events, abandoned intake, long-closed cases, expired sessions.

One transaction per run, one audit row with counts (never content). Safe to run in
several processes at once: a second run finds nothing left to delete.
"""

import logging
from datetime import datetime, timedelta

from bot.scheduler import periodic
from bot.services import Services
from storage import events
from storage.models import utcnow
from storage.repositories.audit import record_audit
from storage.repositories.retention import (
    purge_abandoned_intake,
    purge_finished_inbound_events,
    purge_resolved_cases,
    purge_residents_without_cases,
)
from storage.session_store import SqlSessionStore

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 3600


def purge_expired_data(services: Services, *, now: datetime | None = None) -> dict[str, int]:
    """Delete what the configured retention periods no longer allow; returns counts by kind."""
    now = now or utcnow()
    settings = services.settings
    abandoned_before = now - timedelta(days=settings.retention_abandoned_intake_days)
    counts: dict[str, int] = {}
    # Redis expires its own entries; the database-backed store needs a sweep.
    if isinstance(services.store, SqlSessionStore):
        counts["session_entries"] = services.store.purge_expired(now)
    with services.sessions.begin() as session:
        counts["inbound_events"] = purge_finished_inbound_events(
            session, received_before=now - timedelta(days=settings.retention_inbound_event_days)
        )
        for kind, removed in purge_abandoned_intake(session, inactive_since=abandoned_before).items():
            counts[f"abandoned_intake_{kind}"] = removed
        resolved_before = now - timedelta(days=settings.retention_closed_case_days)
        for kind, removed in purge_resolved_cases(session, resolved_before=resolved_before).items():
            counts[f"resolved_{kind}"] = removed
        counts["residents"] = purge_residents_without_cases(session, last_seen_before=abandoned_before)
        record_audit(
            session,
            actor_type="system",
            actor_id="retention",
            action=events.RETENTION_PURGE,
            detail={"counts": counts},
        )
    log.info("retention purge: %s", ", ".join(f"{kind}={n}" for kind, n in counts.items()))
    return counts


@periodic("retention.purge", every_seconds=PURGE_INTERVAL_SECONDS)
def run_retention_purge(services: Services) -> None:
    purge_expired_data(services)
