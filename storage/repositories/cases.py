"""Cases and their messages. Message bodies are encrypted here, on the way in and out."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from storage.crypto import Cipher
from storage.encrypted_columns import MESSAGE_BODY
from storage.models import Case, CaseNote, CaseShare, Message, Queue, Resident, TagCorrection, utcnow

_REFERENCE_ALPHABET = "ACDEFHJKLMNPRTUVWXY34679"
# Ids per IN list when deleting: far below every database's bound-parameter limit.
_DELETE_CHUNK = 500


def new_case_reference(now: datetime) -> str:
    """Short, readable over the phone, no look-alike characters: e.g. 2611-K7MX."""
    return now.strftime("%y%m") + "-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(4))


def create_case(session: Session, resident: Resident, *, channel: str, now: datetime | None = None) -> Case:
    now = now or utcnow()
    while True:
        reference = new_case_reference(now)
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            break
    case = Case(resident=resident, reference=reference, channel=channel, status="intake", created_at=now)
    session.add(case)
    return case


def get_case(session: Session, case_id: int) -> Case | None:
    return session.get(Case, case_id)


def get_case_by_reference(session: Session, reference: str) -> Case | None:
    return session.scalar(select(Case).where(Case.reference == reference))


def get_open_case_of_resident(session: Session, resident_id: int) -> Case | None:
    """The resident's newest case that is not resolved (the one new messages join)."""
    return session.scalar(
        select(Case)
        .where(Case.resident_id == resident_id, Case.status != "resolved")
        .order_by(Case.id.desc())
        .limit(1)
    )


def add_message(
    session: Session,
    cipher: Cipher,
    case: Case,
    *,
    sender: str,
    text: str | None,
    kind: str = "text",
    staff_id: int | None = None,
    inbound_event_id: int | None = None,
    delivery_status: str = "received",
    retry_key: str | None = None,
    client_token: str | None = None,
    at: datetime | None = None,
) -> Message:
    message = Message(
        case=case,
        sender=sender,
        kind=kind,
        body_enc=None if text is None else MESSAGE_BODY.encrypt(cipher, text),
        staff_id=staff_id,
        inbound_event_id=inbound_event_id,
        delivery_status=delivery_status,
        retry_key=retry_key,
        client_token=client_token,
        created_at=at or utcnow(),
    )
    session.add(message)
    return message


def message_text(cipher: Cipher, message: Message) -> str | None:
    return None if message.body_enc is None else MESSAGE_BODY.decrypt(cipher, message.body_enc)


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[str, ...] = ()
    queue_keys: tuple[str, ...] = ()
    limit: int | None = None


def list_cases(session: Session, case_filter: CaseFilter = CaseFilter()) -> list[Case]:
    query = select(Case).options(selectinload(Case.queue)).order_by(Case.id)
    if case_filter.statuses:
        query = query.where(Case.status.in_(case_filter.statuses))
    if case_filter.queue_keys:
        query = query.join(Queue, Case.queue_id == Queue.id).where(Queue.key.in_(case_filter.queue_keys))
    if case_filter.limit:
        query = query.limit(case_filter.limit)
    return list(session.scalars(query))


def count_messages(session: Session, case_ids: list[int]) -> dict[int, int]:
    if not case_ids:
        return {}
    rows = session.execute(
        select(Message.case_id, func.count(Message.id)).where(Message.case_id.in_(case_ids)).group_by(Message.case_id)
    )
    return {case_id: count for case_id, count in rows}


def delete_cases(session: Session, case_ids: list[int]) -> dict[str, int]:
    """Delete cases with every message, note, tag correction and share; returns counts only."""
    counts = {"cases": 0, "messages": 0, "case_notes": 0}
    for start in range(0, len(case_ids), _DELETE_CHUNK):
        chunk = case_ids[start : start + _DELETE_CHUNK]
        counts["messages"] += session.execute(delete(Message).where(Message.case_id.in_(chunk))).rowcount
        counts["case_notes"] += session.execute(delete(CaseNote).where(CaseNote.case_id.in_(chunk))).rowcount
        for model in (TagCorrection, CaseShare):
            session.execute(delete(model).where(model.case_id.in_(chunk)))
        counts["cases"] += session.execute(delete(Case).where(Case.id.in_(chunk))).rowcount
    return counts
