"""What the database says after a run: every event stored and processed, in order per resident.

Typing-pause timers (`pause` rows the worker adds itself, due PAUSE_SECONDS after a
resident's last message) are not webhook events: they are left out of the counts,
and of the drain wait unless asked for.
"""

import time
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import create_engine, func, select

from intake.timers import PAUSE_EVENT_TYPE
from storage.models import InboundEvent

FROM_LINE = InboundEvent.event_type != PAUSE_EVENT_TYPE


@dataclass(frozen=True)
class Ledger:
    by_status: dict[str, int]
    residents: int
    out_of_order_residents: int  # a later event processed before an earlier one of the same resident

    @property
    def unfinished(self) -> int:
        return self.by_status.get("pending", 0) + self.by_status.get("processing", 0)


def read_ledger(database_url: str, *, since_id: int = 0) -> Ledger:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            counts = conn.execute(
                select(InboundEvent.status, func.count()).where(InboundEvent.id > since_id, FROM_LINE).group_by(InboundEvent.status)
            ).all()
            rows = conn.execute(
                select(InboundEvent.resident_hash, InboundEvent.id, InboundEvent.processed_at)
                .where(InboundEvent.id > since_id, FROM_LINE, InboundEvent.resident_hash.is_not(None))
                .order_by(InboundEvent.resident_hash, InboundEvent.id)
            ).all()
    finally:
        engine.dispose()
    residents = out_of_order = 0
    for _, events in groupby(rows, key=lambda row: row.resident_hash):
        residents += 1
        processed = [row.processed_at for row in events]
        if None in processed or processed != sorted(processed):
            out_of_order += 1
    return Ledger({status: n for status, n in counts}, residents, out_of_order)


def last_event_id(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(InboundEvent.id), 0))).scalar_one()
    finally:
        engine.dispose()


def wait_drained(database_url: str, timeout_seconds: float, *, timers: bool = False) -> float | None:
    """Seconds until no stored webhook event (and with `timers`, no typing-pause timer)
    is pending or processing; None if not within the timeout."""
    engine = create_engine(database_url)
    unfinished = select(func.count()).where(InboundEvent.status.in_(("pending", "processing")))
    if not timers:
        unfinished = unfinished.where(FROM_LINE)
    start = time.monotonic()
    try:
        while time.monotonic() - start < timeout_seconds:
            with engine.connect() as conn:
                if conn.execute(unfinished).scalar_one() == 0:
                    return time.monotonic() - start
            time.sleep(0.25)
    finally:
        engine.dispose()
    return None
