"""Retention: the purge deletes exactly what is past its period, keeps the rest, and audits counts only."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.retention import purge_expired_data
from bot.scheduler import registered_tasks
from bot.services import build_services
from bot.settings import Settings, SettingsError
from storage.crypto import Cipher
from storage.encrypted_columns import CASE_NOTE_BODY
from storage.models import AuditEvent, Case, CaseNote, InboundEvent, Message, Resident, SessionEntry, StaffUser
from storage.repositories.cases import add_message, create_case
from storage.repositories.inbound import store_inbound_event
from storage.repositories.residents import get_or_create_resident
from tests.conftest import make_settings

NOW = datetime(2031, 4, 1, 3, 0, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture
def services(tmp_path, database_url):
    services = build_services(make_settings(tmp_path, database_url))
    yield services
    services.close()


def _case(session, cipher, user_id, *, status, created, last_message, resolved=None):
    resident = get_or_create_resident(session, cipher, user_id, channel="line")
    resident.last_seen_at = last_message
    case = create_case(session, resident, channel="line", now=created)
    case.status, case.updated_at, case.resolved_at = status, last_message, resolved
    add_message(session, cipher, case, sender="resident", text="家賃が払えない", at=created)
    add_message(session, cipher, case, sender="resident", text="続き", at=last_message)
    session.flush()
    return case


def _event(session, cipher, event_id, *, status, received):
    row = store_inbound_event(session, cipher, webhook_event_id=event_id, event_type="message", resident_hash=None,
                              payload_json="{}", redelivery=False, event_at=None)
    row.status, row.received_at = status, received


def _seed(services):
    cipher: Cipher = services.cipher
    with services.sessions.begin() as session:
        abandoned = _case(session, cipher, "Uabandoned", status="intake", created=days_ago(40), last_message=days_ago(31))
        _case(session, cipher, "Uactive", status="intake", created=days_ago(40), last_message=days_ago(2))
        _case(session, cipher, "Uopen", status="open", created=days_ago(400), last_message=days_ago(300))
        closed = _case(session, cipher, "Uclosed", status="resolved", created=days_ago(2000),
                       last_message=days_ago(1900), resolved=days_ago(1826))
        _case(session, cipher, "Urecent", status="resolved", created=days_ago(800), last_message=days_ago(700),
              resolved=days_ago(365))
        staff = StaffUser(login="sato", display_name="佐藤", password_hash="x")
        session.add(staff)
        session.flush()
        session.add(CaseNote(case_id=closed.id, staff_id=staff.id, body_enc=CASE_NOTE_BODY.encrypt(cipher, "メモ")))
        for status in ("done", "failed", "ignored", "pending", "processing"):
            _event(session, cipher, f"old-{status}", status=status, received=days_ago(15))
        _event(session, cipher, "recent-done", status="done", received=days_ago(13))
        session.add(SessionEntry(key="marugoto:session:expired", value="x", expires_at=NOW - timedelta(days=400)))
        session.add(SessionEntry(key="marugoto:session:live", value="y", expires_at=datetime(2999, 1, 1, tzinfo=UTC)))
    return abandoned.id, closed.id


def test_purge_deletes_only_what_is_past_its_period(services):
    abandoned_id, closed_id = _seed(services)

    counts = purge_expired_data(services, now=NOW)

    assert counts == {
        "session_entries": 1,
        "inbound_events": 3,
        "abandoned_intake_cases": 1, "abandoned_intake_messages": 2, "abandoned_intake_case_notes": 0,
        "resolved_cases": 1, "resolved_messages": 2, "resolved_case_notes": 1,
        "residents": 2,
    }
    with services.sessions() as session:
        cases = {c.id: c for c in session.scalars(select(Case))}
        assert abandoned_id not in cases and closed_id not in cases and len(cases) == 3
        assert {m.case_id for m in session.scalars(select(Message))} == set(cases)
        assert session.scalars(select(CaseNote)).all() == []
        assert {r.id for r in session.scalars(select(Resident))} == {c.resident_id for c in cases.values()}
        assert sorted(e.webhook_event_id for e in session.scalars(select(InboundEvent))) == [
            "old-pending", "old-processing", "recent-done"]
        assert [e.key for e in session.scalars(select(SessionEntry))] == ["marugoto:session:live"]
        (audit,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge"))
        assert audit.detail == {"counts": counts}


def test_a_second_purge_finds_nothing_and_still_audits(services):
    _seed(services)
    purge_expired_data(services, now=NOW)
    again = purge_expired_data(services, now=NOW)
    assert set(again.values()) == {0}
    with services.sessions() as session:
        assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge")).all()) == 2


def test_the_periods_come_from_settings(tmp_path, database_url):
    """With a 400-day abandoned-intake period the 40-day-old intake case is kept."""
    services = build_services(make_settings(tmp_path, database_url, retention_abandoned_intake_days=400,
                                            retention_inbound_event_days=16, retention_closed_case_days=1830))
    try:
        _seed(services)
        counts = purge_expired_data(services, now=NOW)
        assert (counts["abandoned_intake_cases"], counts["inbound_events"], counts["resolved_cases"]) == (0, 0, 0)
    finally:
        services.close()


def test_the_purge_is_a_registered_periodic_task():
    assert "retention.purge" in {task.name for task in registered_tasks()}


def test_retention_settings_parse_strictly(tmp_path):
    base = {"MARUGOTO_VAR_DIR": str(tmp_path / "var")}
    defaults = Settings.from_env(base)
    assert (defaults.retention_abandoned_intake_days, defaults.retention_inbound_event_days,
            defaults.retention_closed_case_days) == (30, 14, 1825)
    assert Settings.from_env({**base, "MARUGOTO_RETENTION_CLOSED_CASE_DAYS": "3650"}).retention_closed_case_days == 3650
    for bad in ("0", "-3", "1.5", "ten", "٣٠"):
        with pytest.raises(SettingsError, match="MARUGOTO_RETENTION_INBOUND_EVENT_DAYS"):
            Settings.from_env({**base, "MARUGOTO_RETENTION_INBOUND_EVENT_DAYS": bad})
