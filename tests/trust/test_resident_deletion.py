"""Deleting one resident: everything of theirs goes, other residents stay, the audit row has counts only."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from intake.resident_actions import Actor, do_delete_resident
from storage.crypto import Cipher
from storage.db import make_engine, make_session_factory
from storage.models import AuditEvent, Case, InboundEvent, Message, Resident
from storage.repositories.cases import add_message, create_case
from storage.repositories.inbound import store_inbound_event
from storage.repositories.residents import get_or_create_resident
from tests.privacy.leakscan import Scanner

CIPHER = Cipher([("a", b"a" * 32)], b"h" * 32)
PHRASE = "夫の暴力から逃げたい"


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _resident_with_a_case(session, user_id):
    resident = get_or_create_resident(session, CIPHER, user_id, channel="line")
    case = create_case(session, resident, channel="line")
    add_message(session, CIPHER, case, sender="resident", text=PHRASE)
    store_inbound_event(session, CIPHER, webhook_event_id=f"ev-{user_id}", event_type="message",
                        resident_hash=resident.user_hash, payload_json="{}", redelivery=False, event_at=None)
    return resident


def test_admin_deletion_removes_the_resident_and_audits_counts_without_content(sessions):
    with sessions.begin() as session:
        gone = _resident_with_a_case(session, "Ugone0001")
        kept = _resident_with_a_case(session, "Ukept0001")
    with sessions.begin() as session:
        counts = do_delete_resident(session, session.get(Resident, gone.id), actor=Actor("staff", 4))
    assert counts == {"cases": 1, "messages": 1, "case_notes": 0, "inbound_events": 1}
    with sessions() as session:
        assert [r.id for r in session.scalars(select(Resident))] == [kept.id]
        assert {c.resident_id for c in session.scalars(select(Case))} == {kept.id}
        assert len(session.scalars(select(Message)).all()) == 1
        assert len(session.scalars(select(InboundEvent)).all()) == 1
        (audit,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "resident.delete"))
        assert (audit.actor_type, audit.actor_id, audit.target_id) == ("staff", "4", str(gone.id))
        assert audit.detail == {"counts": counts}
        assert PHRASE not in str(audit.detail) and gone.user_hash not in str(audit.detail)


def test_a_rolled_back_deletion_deletes_nothing_and_audits_nothing(sessions):
    with sessions.begin() as session:
        resident = _resident_with_a_case(session, "Ustays001")
    with pytest.raises(RuntimeError), sessions.begin() as session:
        do_delete_resident(session, session.get(Resident, resident.id), actor=Actor("resident"))
        raise RuntimeError("the caller failed before commit")
    with sessions() as session:
        assert session.get(Resident, resident.id) is not None
        assert session.scalars(select(AuditEvent)).all() == []


def test_an_unknown_actor_type_is_refused():
    with pytest.raises(ValueError, match="actor type"):
        Actor("robot")


def test_deleted_ciphertext_is_gone_from_the_sqlite_file(sqlite_url):
    """secure_delete: after a deletion even the encrypted bytes are no longer in the file.

    (Debian's SQLite already defaults to it; storage.db turns it on for builds that do not.)
    """
    engine = make_engine(sqlite_url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        resident = _resident_with_a_case(session, "Ushredded1")
        token = session.scalar(select(Message.body_enc))
    with sessions.begin() as session:
        do_delete_resident(session, session.get(Resident, resident.id), actor=Actor("staff", 1))
    engine.dispose()  # the last connection checkpoints the WAL into the file
    assert Scanner([token]).scan_sqlite(Path(make_url(sqlite_url).database)) == []
