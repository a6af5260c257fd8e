"""The conversation as Message rows: what the resident sent and what the bot answered.

A resident's message is stored when its event is handled, on the resident alone
until a case exists. Message refs in the flow are inbound event ids, so the flow's
state never holds text. Bot replies are stored `pending` with a retry key in the
same transaction as the state change that produced them: the outbox.
"""

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from intake.replies import Reply
from storage.crypto import Cipher
from storage.models import Case, Message, Resident
from storage.repositories.cases import add_message, message_text


def record_inbound(
    session: Session,
    cipher: Cipher,
    resident: Resident,
    *,
    kind: str,
    event_id: int,
    text: str | None = None,
    media_kind: str | None = None,
    data: str | None = None,
) -> Message | None:
    """The resident's text, media or button tap as a message; None for other events."""
    if kind == "text":
        fields = {"kind": "text", "text": text}
    elif kind == "media":
        fields = {"kind": media_kind, "text": None}  # the content itself is never fetched
    elif kind == "postback":
        fields = {"kind": "postback", "text": _button_label(session, resident, data)}
    else:
        return None
    return add_message(session, cipher, None, resident=resident, sender="resident", inbound_event_id=event_id, **fields)


def _button_label(session: Session, resident: Resident, data: str | None) -> str | None:
    """What the resident saw on the button they tapped (LINE sends only its data)."""
    shown = session.scalar(
        select(Message.quick_replies)
        .where(Message.resident_id == resident.id, Message.sender == "bot", Message.quick_replies.is_not(None))
        .order_by(Message.id.desc())
        .limit(1)
    )
    return next((b["label"] for b in shown or () if b.get("data") == data), None)


def messages_of_refs(session: Session, resident: Resident, refs: tuple[str, ...] | list[str]) -> list[Message]:
    """The resident's messages behind flow refs, in the refs' order."""
    ids = [int(ref) for ref in refs]
    found = {
        m.inbound_event_id: m
        for m in session.scalars(
            select(Message).where(
                Message.resident_id == resident.id, Message.sender == "resident", Message.inbound_event_id.in_(ids)
            )
        )
    }
    return [found[i] for i in ids if i in found]


def texts_of_refs(session: Session, cipher: Cipher, resident: Resident, refs: tuple[str, ...]) -> dict[str, str]:
    return {
        str(m.inbound_event_id): message_text(cipher, m) or "" for m in messages_of_refs(session, resident, refs)
    }


def attach_to_case(session: Session, case: Case, messages: list[Message]) -> None:
    for message in messages:
        message.case = case


def attach_conversation_since(session: Session, case: Case, resident: Resident, first_id: int) -> None:
    """The bot's questions and the taps around the concern join the case with it."""
    session.execute(
        update(Message)
        .where(
            Message.resident_id == resident.id,
            Message.case_id.is_(None),
            Message.id >= first_id,
            (Message.sender == "bot") | (Message.kind == "postback"),
        )
        .values(case_id=case.id)
    )


def add_bot_replies(
    session: Session, cipher: Cipher, resident: Resident, case: Case | None, replies: list[Reply], event_id: int | None
) -> list[Message]:
    return [
        add_message(
            session,
            cipher,
            case,
            resident=resident,
            sender="bot",
            text=reply.text,
            inbound_event_id=event_id,
            delivery_status="pending",
            retry_key=str(uuid.uuid4()),
            quick_replies=[{"label": q.label, "data": q.data} for q in reply.quick_replies] or None,
        )
        for reply in replies
    ]
