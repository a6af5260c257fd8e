"""Residents: found by the keyed hash of their LINE user id, shown by pseudonym."""

import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.crypto import Cipher
from storage.models import Case, CaseNote, CaseShare, InboundEvent, Message, Resident, TagCorrection, utcnow

_PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
USER_ID_CONTEXT = "residents.user_id"


def resident_hash(cipher: Cipher, user_id: str) -> str:
    return cipher.keyed_hash(user_id, purpose="line-user")


def new_pseudonym() -> str:
    return "相談者-" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(6))


def get_resident_by_user_id(session: Session, cipher: Cipher, user_id: str) -> Resident | None:
    return session.scalar(select(Resident).where(Resident.user_hash == resident_hash(cipher, user_id)))


def get_or_create_resident(session: Session, cipher: Cipher, user_id: str, *, channel: str) -> Resident:
    found = get_resident_by_user_id(session, cipher, user_id)
    if found is not None:
        found.last_seen_at = utcnow()
        return found
    resident = Resident(
        user_hash=resident_hash(cipher, user_id),
        user_id_enc=cipher.encrypt(user_id, context=USER_ID_CONTEXT),
        pseudonym=new_pseudonym(),
        channel=channel,
    )
    try:
        with session.begin_nested():
            session.add(resident)
    except IntegrityError:
        # Another worker created the same resident first.
        return get_resident_by_user_id(session, cipher, user_id)
    return resident


def resident_user_id(cipher: Cipher, resident: Resident) -> str:
    return cipher.decrypt(resident.user_id_enc, context=USER_ID_CONTEXT)


def delete_resident_data(session: Session, resident: Resident) -> dict[str, int]:
    """Delete the resident, their cases with every message and note, and their raw events.

    Returns counts only, for an audit row that carries no content. Conversation state
    in the session store is the caller's to delete.
    """
    case_ids = list(session.scalars(select(Case.id).where(Case.resident_id == resident.id)))
    counts = {
        "cases": len(case_ids),
        "messages": session.scalar(select(func.count(Message.id)).where(Message.case_id.in_(case_ids))) or 0,
        "inbound_events": session.execute(
            delete(InboundEvent).where(InboundEvent.resident_hash == resident.user_hash)
        ).rowcount,
    }
    for model in (Message, CaseNote, TagCorrection, CaseShare):
        session.execute(delete(model).where(model.case_id.in_(case_ids)))
    session.execute(delete(Case).where(Case.id.in_(case_ids)))
    session.delete(resident)
    session.flush()
    return counts
