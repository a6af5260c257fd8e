"""Repositories on SQLite and PostgreSQL: same code, encryption at rest, idempotent inserts."""

import json
import threading

import pytest
from sqlalchemy import select, text

from storage.crypto import Cipher
from storage.db import make_engine, make_session_factory
from storage.models import Case, InboundEvent, Message, Resident
from storage.repositories.audit import list_audit, record_audit
from storage.repositories.cases import (
    CaseFilter,
    add_message,
    count_messages,
    create_case,
    get_open_case_of_resident,
    list_cases,
    message_text,
)
from storage.repositories.inbound import claim_inbound_event, inbound_payload, store_inbound_event
from storage.repositories.queues import upsert_queue
from storage.repositories.residents import delete_resident_data, get_or_create_resident, resident_user_id

CIPHER = Cipher([("a", b"a" * 32)], b"h" * 32)


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_resident_is_found_by_hash_and_stored_encrypted(sessions):
    with sessions.begin() as session:
        first = get_or_create_resident(session, CIPHER, "U0123456789abcdef", channel="line")
    with sessions.begin() as session:
        again = get_or_create_resident(session, CIPHER, "U0123456789abcdef", channel="line")
        assert again.id == first.id
        assert resident_user_id(CIPHER, again) == "U0123456789abcdef"
        raw = session.execute(text("SELECT user_hash, user_id_enc, pseudonym FROM residents")).one()
    assert "U0123456789abcdef" not in "".join(raw)
    assert raw.pseudonym.startswith("相談者-")


def test_case_messages_are_encrypted_and_counted(sessions):
    with sessions.begin() as session:
        resident = get_or_create_resident(session, CIPHER, "Uresident", channel="line")
        queue = upsert_queue(session, "elderly_care", name="地域包括支援センター", field="elderly_care")
        case = create_case(session, resident, channel="line")
        add_message(session, CIPHER, case, sender="resident", text="母の物忘れがひどい")
        add_message(session, CIPHER, case, sender="bot", text="お話しいただきありがとうございます")
        case.queue, case.status = queue, "open"
    with sessions() as session:
        stored = session.scalars(select(Message).order_by(Message.id)).all()
        assert [message_text(CIPHER, m) for m in stored] == ["母の物忘れがひどい", "お話しいただきありがとうございます"]
        assert all("母" not in m.body_enc for m in stored)
        found = list_cases(session, CaseFilter(statuses=("open",), queue_keys=("elderly_care",)))
        assert [c.reference for c in found] == [case.reference]
        assert count_messages(session, [case.id]) == {case.id: 2}
        assert list_cases(session, CaseFilter(queue_keys=("poverty",))) == []
        assert get_open_case_of_resident(session, case.resident_id).id == case.id


def test_inbound_event_is_stored_once(sessions):
    payload = json.dumps({"type": "message", "message": {"text": "助けて"}})
    with sessions.begin() as session:
        row = store_inbound_event(
            session, CIPHER, webhook_event_id="01HX", event_type="message",
            resident_hash="h", payload_json=payload, redelivery=False, event_at=None,
        )
        assert row is not None
    with sessions.begin() as session:
        again = store_inbound_event(
            session, CIPHER, webhook_event_id="01HX", event_type="message",
            resident_hash="h", payload_json=payload, redelivery=True, event_at=None,
        )
        assert again is None
    with sessions() as session:
        rows = session.scalars(select(InboundEvent)).all()
        assert len(rows) == 1
        assert "助けて" not in rows[0].payload_enc
        assert json.loads(inbound_payload(CIPHER, rows[0]))["message"]["text"] == "助けて"


def test_concurrent_copies_of_one_event_store_one_row(sessions):
    """Ten threads store the same webhookEventId at once: exactly one row, no error."""
    results, errors = [], []

    def store():
        try:
            with sessions.begin() as session:
                row = store_inbound_event(
                    session, CIPHER, webhook_event_id="dup", event_type="message",
                    resident_hash=None, payload_json="{}", redelivery=False, event_at=None,
                )
                results.append(row is not None)
        except Exception as exc:  # collected so the assertion names it
            errors.append(exc)

    threads = [threading.Thread(target=store) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results.count(True) == 1
    with sessions() as session:
        assert session.scalar(select(InboundEvent.id).where(InboundEvent.webhook_event_id == "dup")) is not None
        assert len(session.scalars(select(InboundEvent)).all()) == 1


def test_an_event_is_claimed_by_one_worker_until_its_lease_expires(sessions):
    with sessions.begin() as session:
        row = store_inbound_event(
            session, CIPHER, webhook_event_id="e1", event_type="message",
            resident_hash=None, payload_json="{}", redelivery=False, event_at=None,
        )
    with sessions.begin() as session:
        assert claim_inbound_event(session, row.id, lease_seconds=60) is not None
    with sessions.begin() as session:
        assert claim_inbound_event(session, row.id, lease_seconds=60) is None
    with sessions.begin() as session:
        session.execute(text("UPDATE inbound_events SET locked_until = :t"), {"t": "2000-01-01 00:00:00"})
    with sessions.begin() as session:
        reclaimed = claim_inbound_event(session, row.id, lease_seconds=60)
        assert reclaimed is not None and reclaimed.attempts == 2


def test_audit_rows_keep_no_content(sessions):
    with sessions.begin() as session:
        record_audit(session, actor_type="staff", actor_id=3, action="case.view", target_type="case", target_id=9)
    with sessions() as session:
        (event,) = list_audit(session)
        assert (event.actor_id, event.action, event.target_id, event.detail) == ("3", "case.view", "9", {})
        assert event.at.tzinfo is not None


def test_deleting_a_resident_removes_everything_of_theirs_only(sessions):
    with sessions.begin() as session:
        gone = get_or_create_resident(session, CIPHER, "Ugone", channel="line")
        kept = get_or_create_resident(session, CIPHER, "Ukept", channel="line")
        for resident in (gone, kept):
            case = create_case(session, resident, channel="line")
            add_message(session, CIPHER, case, sender="resident", text="x")
            add_message(session, CIPHER, case, sender="bot", text="y")
            store_inbound_event(
                session, CIPHER, webhook_event_id=f"ev-{resident.user_hash[:8]}", event_type="message",
                resident_hash=resident.user_hash, payload_json="{}", redelivery=False, event_at=None,
            )
    with sessions.begin() as session:
        counts = delete_resident_data(session, session.get(Resident, gone.id))
    assert counts == {"cases": 1, "messages": 2, "case_notes": 0, "inbound_events": 1}
    with sessions() as session:
        assert [r.id for r in session.scalars(select(Resident))] == [kept.id]
        assert {c.resident_id for c in session.scalars(select(Case))} == {kept.id}
        assert len(session.scalars(select(Message)).all()) == 2
        assert [e.resident_hash for e in session.scalars(select(InboundEvent))] == [kept.user_hash]
