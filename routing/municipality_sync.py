"""Mirroring the municipality document's queues and agencies as Queue rows.

Rules name queues and staff belong to them by Queue row, so every save of the
municipality (the demo seed, the CLI, the console's settings page) mirrors the
file into the table. A queue or agency the file no longer names is deactivated,
never deleted: its cases, staff and audit rows keep pointing at it. Only rows
the previous file named are deactivated; queues an administrator created by hand
are left alone. Each created, changed or deactivated row gets an audit row.
"""

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from routing.errors import ConfigFileError, MunicipalityMissing
from routing.municipality import Municipality, OpeningHours
from routing.store import QUEUE_KIND, load_live_municipality
from storage import events
from storage.models import Queue
from storage.repositories.audit import record_audit
from storage.repositories.queues import get_queue_by_key

AGENCY_KIND = "agency"


@dataclass
class QueueSync:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


def stored_municipality(session: Session) -> Municipality | None:
    """The municipality saved so far, or None when there is none or it cannot be read."""
    try:
        return load_live_municipality(session)
    except (MunicipalityMissing, ConfigFileError):
        return None


def sync_queues(
    session: Session,
    municipality: Municipality,
    *,
    previous: Municipality | None,
    actor_type: str,
    actor_id: str | int | None,
) -> QueueSync:
    """Create or update a Queue row for each queue and agency of `municipality`; deactivate
    those `previous` named that it does not."""
    result = QueueSync()
    wanted = queue_rows(municipality)
    for key, values in wanted.items():
        queue = get_queue_by_key(session, key)
        if queue is None:
            queue = Queue(key=key, **values)
            session.add(queue)
            result.created.append(key)
        elif any(getattr(queue, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(queue, name, value)
            result.updated.append(key)
        else:
            continue
        _audit(session, queue, actor_type, actor_id, created=key in result.created)
    for key in queue_rows(previous) if previous is not None else ():
        queue = get_queue_by_key(session, key)
        if key not in wanted and queue is not None and queue.active:
            queue.active = False
            result.deactivated.append(key)
            _audit(session, queue, actor_type, actor_id, created=False)
    return result


def queue_rows(municipality: Municipality) -> dict[str, dict]:
    """Queue row values by key, as the file describes them."""
    rows = {
        q.key: {
            "name": q.name,
            "field": q.field,
            "kind": QUEUE_KIND,
            "contact": q.description,
            "target_reply_hours": q.target_reply_hours,
            "office_hours": _hours(municipality.office_hours),
            "active": True,
        }
        for q in municipality.queues
    }
    for agency in municipality.agencies:
        served = municipality.queue(agency.queue)
        rows[agency.key] = {
            "name": agency.name,
            "field": served.field,
            "kind": AGENCY_KIND,
            "contact": f"{agency.phone} {agency.address}",
            "target_reply_hours": served.target_reply_hours,
            "office_hours": _hours(agency.office_hours),
            "active": True,
        }
    return rows


def _hours(hours: OpeningHours) -> dict:
    return {
        "periods": [
            {"days": list(p.days), "open": p.opens.strftime("%H:%M"), "close": p.closes.strftime("%H:%M")}
            for p in hours.periods
        ],
        "closed_on_holidays": hours.closed_on_holidays,
    }


def _audit(session: Session, queue: Queue, actor_type: str, actor_id, *, created: bool) -> None:
    session.flush()
    record_audit(
        session,
        actor_type=actor_type,
        actor_id=actor_id,
        action=events.QUEUE_SYNC,
        target_type="queue",
        target_id=queue.id,
        detail={"key": queue.key, "created": created, "active": queue.active, "via": "municipality"},
    )
