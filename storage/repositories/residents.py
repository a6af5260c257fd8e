"""Residents: found by the keyed hash of their LINE user id, shown by pseudonym."""

import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.crypto import Cipher
from storage.encrypted_columns import RESIDENT_USER_ID
from storage.models import Case, InboundEvent, Resident, utcnow
from storage.repositories.cases import delete_cases

_PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


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
        user_id_enc=RESIDENT_USER_ID.encrypt(cipher, user_id),
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
    return RESIDENT_USER_ID.decrypt(cipher, resident.user_id_enc)


def delete_resident_data(session: Session, resident: Resident) -> dict[str, int]:
    """Delete the resident, their cases with every message and note, and their raw events.

    Returns counts only, for an audit row that carries no content. Conversation state
    in the session store is the caller's to delete.
    """
    case_ids = list(session.scalars(select(Case.id).where(Case.resident_id == resident.id)))
    counts = delete_cases(session, case_ids)
    counts["inbound_events"] = session.execute(
        delete(InboundEvent).where(InboundEvent.resident_hash == resident.user_hash)
    ).rowcount
    session.delete(resident)
    session.flush()
    return counts
