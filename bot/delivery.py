"""Sending stored outbound messages (bot and staff) to the resident, exactly once.

Every outbound Message row is created `pending` with its retry key in the same
transaction as the change that produced it; sending happens after that commit.
The reply token is used only for the first attempt at the replies to a fresh event;
anything else is pushed with the row's retry key, so a redo after a crash is
answered 409 by LINE and counts as sent. Simulator residents never reach LINE:
their messages are marked delivered and the simulator page reads them.
"""

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.jobs import job
from bot.line_gateway import MAX_MESSAGES_PER_CALL, Button, LineApiError, OutboundText
from bot.services import Services
from storage.models import InboundEvent, Message, utcnow
from storage.repositories.cases import message_text
from storage.repositories.inbound import inbound_payload
from storage.repositories.residents import resident_user_id

log = logging.getLogger(__name__)

DELIVER_JOB = "deliver_message"
# LINE reply tokens expire; a token older than this is not worth trying.
REPLY_TOKEN_FRESH_SECONDS = 50


class DeliveryError(Exception):
    """Sending stopped for a reason other than LINE's answer; `args[0]` names the cause's type."""

    code = "delivery_failed"


@dataclass(frozen=True)
class _Item:
    message_id: int
    retry_key: str
    text: OutboundText


@dataclass(frozen=True)
class _Plan:
    user_id: str | None  # None: a simulator resident, nothing goes to LINE
    reply_token: str | None
    items: tuple[_Item, ...]


@job(DELIVER_JOB)
def deliver_message_job(services: Services, message_id: int) -> None:
    """Send one pending outbound message (e.g. a staff reply written in the console)."""
    deliver_messages(services, [message_id])


def deliver_messages(services: Services, message_ids: list[int]) -> None:
    """Send these pending messages in order; each answered event's group goes separately."""
    groups: dict[tuple[int | None, int | None], list[int]] = {}
    with services.sessions() as session:
        rows = session.execute(
            select(Message.id, Message.resident_id, Message.inbound_event_id)
            .where(Message.id.in_(message_ids))
            .order_by(Message.id)
        )
        for message_id, resident_id, event_id in rows:
            groups.setdefault((resident_id, event_id), []).append(message_id)
    for ids in groups.values():
        try:
            _deliver_group(services, ids)
        except ValueError as exc:
            # A message LINE would refuse (the SDK's checks): retrying cannot help.
            log.error("%d messages cannot be sent (%s)", len(ids), type(exc).__name__)
            _mark_failed_ids(services, ids, "invalid_message")
        except Exception as exc:  # noqa: BLE001 - the sweeper retries; its text may quote a message
            log.error("delivery of %d messages stopped (%s); the sweeper retries", len(ids), type(exc).__name__)
            raise DeliveryError(type(exc).__name__) from None


def _deliver_group(services: Services, message_ids: list[int]) -> None:
    with services.sessions.begin() as session:
        plan = _plan(services, session, message_ids)
    if plan is None or not plan.items:
        return
    remaining = list(plan.items)
    if plan.reply_token is not None:
        batch = remaining[:MAX_MESSAGES_PER_CALL]
        try:
            services.line.reply(plan.reply_token, [i.text for i in batch])
            _mark_sent(services, batch)
            remaining = remaining[MAX_MESSAGES_PER_CALL:]
        except LineApiError as exc:
            # An expired or rejected token: the same messages go by push below.
            log.info("reply failed (%s); pushing instead", exc.code)
    for start in range(0, len(remaining), MAX_MESSAGES_PER_CALL):
        chunk = remaining[start : start + MAX_MESSAGES_PER_CALL]
        try:
            services.line.push(plan.user_id, [i.text for i in chunk], retry_key=chunk[0].retry_key)
        except LineApiError as exc:
            # Later messages would arrive out of order: they fail with this one.
            log.warning("push failed (%s); %d messages marked failed", exc.code, len(remaining) - start)
            _mark_failed(services, remaining[start:], exc.code)
            return
        _mark_sent(services, chunk)


def _plan(services: Services, session: Session, message_ids: list[int]) -> _Plan | None:
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.id.in_(message_ids), Message.delivery_status == "pending")
            .order_by(Message.id)
        )
    )
    if not messages:
        return None
    resident = messages[0].resident or messages[0].case.resident
    now = utcnow()
    if resident.channel == "simulator":
        for message in messages:
            message.delivery_status, message.sent_at = "sent", now
        return None
    if not resident.reachable:
        for message in messages:
            message.delivery_status, message.delivery_error = "failed", "resident_unreachable"
        log.info("%d messages not sent: the resident blocked the account", len(messages))
        return None
    for message in messages:
        # The key is stored before the first attempt; every retry reuses it.
        message.retry_key = message.retry_key or str(uuid.uuid4())
    items = tuple(_Item(m.id, m.retry_key, _outbound(services, m)) for m in messages)
    reply_token = _claim_reply_token(services, session, messages)
    if reply_token is None:
        session.execute(
            update(Message).where(Message.id.in_([m.id for m in messages])).values(attempts=Message.attempts + 1)
        )
    return _Plan(resident_user_id(services.cipher, resident), reply_token, items)


def _claim_reply_token(services: Services, session: Session, messages: list[Message]) -> str | None:
    """The answered event's reply token, if fresh and never tried; claimed by bumping attempts."""
    event_id = messages[0].inbound_event_id
    if event_id is None or any(m.sender != "bot" for m in messages):
        return None
    event = session.get(InboundEvent, event_id)
    if event is None or event.event_at is None:
        return None
    if utcnow() - event.event_at > timedelta(seconds=REPLY_TOKEN_FRESH_SECONDS):
        return None
    token = json.loads(inbound_payload(services.cipher, event)).get("replyToken")
    if not token:
        return None
    tried_before = session.scalar(
        select(Message.id).where(Message.inbound_event_id == event_id, Message.sender == "bot", Message.attempts > 0)
    )
    if tried_before is not None:
        return None
    claimed = session.execute(
        update(Message)
        .where(Message.id.in_([m.id for m in messages]), Message.attempts == 0)
        .values(attempts=Message.attempts + 1)
    ).rowcount
    return token if claimed == len(messages) else None


def _outbound(services: Services, message: Message) -> OutboundText:
    buttons = tuple(Button(b["label"], b["data"]) for b in message.quick_replies or ())
    return OutboundText(text=message_text(services.cipher, message) or "", buttons=buttons)


def _mark_sent(services: Services, items: list[_Item]) -> None:
    with services.sessions.begin() as session:
        session.execute(
            update(Message)
            .where(Message.id.in_([i.message_id for i in items]))
            .values(delivery_status="sent", sent_at=utcnow(), delivery_error=None)
        )


def _mark_failed(services: Services, items: list[_Item], code: str) -> None:
    _mark_failed_ids(services, [i.message_id for i in items], code)


def _mark_failed_ids(services: Services, message_ids: list[int], code: str) -> None:
    with services.sessions.begin() as session:
        session.execute(
            update(Message)
            .where(Message.id.in_(message_ids), Message.delivery_status == "pending")
            .values(delivery_status="failed", delivery_error=code[:256])
        )

