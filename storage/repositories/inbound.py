"""Inbound webhook events: stored once per webhookEventId, then claimed by a worker."""

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.crypto import Cipher
from storage.encrypted_columns import INBOUND_PAYLOAD
from storage.models import InboundEvent, utcnow



def store_inbound_event(
    session: Session,
    cipher: Cipher,
    *,
    webhook_event_id: str,
    event_type: str,
    resident_hash: str | None,
    payload_json: str,
    redelivery: bool,
    event_at: datetime | None,
) -> InboundEvent | None:
    """Insert the event; None when this webhookEventId is already stored (a redelivery)."""
    if session.scalar(select(InboundEvent.id).where(InboundEvent.webhook_event_id == webhook_event_id)):
        return None
    row = InboundEvent(
        webhook_event_id=webhook_event_id,
        event_type=event_type,
        resident_hash=resident_hash,
        payload_enc=INBOUND_PAYLOAD.encrypt(cipher, payload_json),
        redelivery=redelivery,
        event_at=event_at,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None  # a concurrent copy won the unique constraint
    return row


def inbound_payload(cipher: Cipher, row: InboundEvent) -> str:
    return INBOUND_PAYLOAD.decrypt(cipher, row.payload_enc)


def claim_inbound_event(session: Session, event_id: int, *, lease_seconds: int) -> InboundEvent | None:
    """Mark one pending (or lease-expired) event as processing; None if another worker has it."""
    now = utcnow()
    claimed = session.execute(
        update(InboundEvent)
        .where(
            InboundEvent.id == event_id,
            or_(
                InboundEvent.status == "pending",
                (InboundEvent.status == "processing") & (InboundEvent.locked_until < now),
            ),
        )
        .values(
            status="processing",
            locked_until=now + timedelta(seconds=lease_seconds),
            attempts=InboundEvent.attempts + 1,
        )
    ).rowcount
    return session.get(InboundEvent, event_id) if claimed else None


def list_unprocessed_event_ids(session: Session, *, older_than: datetime, limit: int = 100) -> list[int]:
    """Events the queue never delivered (or whose worker died): the sweeper's work list."""
    now = utcnow()
    query = (
        select(InboundEvent.id)
        .where(
            or_(
                (InboundEvent.status == "pending") & (InboundEvent.received_at < older_than),
                (InboundEvent.status == "processing") & (InboundEvent.locked_until < now),
            )
        )
        .order_by(InboundEvent.id)
        .limit(limit)
    )
    return list(session.scalars(query))
