"""The audit log is append-only: neither the ORM nor hand-written SQL can change or delete a row."""

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from storage.audit_guard import AuditLogImmutable
from storage.db import make_engine, make_session_factory
from storage.models import AuditEvent
from storage.repositories.audit import list_audit, record_audit


@pytest.fixture
def sessions_with_one_event(database_url):
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        record_audit(session, actor_type="staff", actor_id=1, action="case.view", target_type="case", target_id=7)
    yield sessions
    engine.dispose()


def _the_event_is_unchanged(sessions):
    with sessions() as session:
        (event,) = list_audit(session)
        assert (event.action, event.target_id) == ("case.view", "7")


def test_orm_update_of_an_audit_event_is_refused(sessions_with_one_event):
    sessions = sessions_with_one_event
    with pytest.raises(AuditLogImmutable), sessions.begin() as session:
        list_audit(session)[0].action = "case.reply"
    _the_event_is_unchanged(sessions)


def test_orm_delete_of_an_audit_event_is_refused(sessions_with_one_event):
    sessions = sessions_with_one_event
    with pytest.raises(AuditLogImmutable), sessions.begin() as session:
        session.delete(list_audit(session)[0])
    _the_event_is_unchanged(sessions)


@pytest.mark.parametrize(
    "statement",
    [update(AuditEvent).values(action="x"), delete(AuditEvent), delete(AuditEvent.__table__)],
    ids=["orm-update", "orm-delete", "core-delete"],
)
def test_bulk_update_or_delete_through_the_session_is_refused(sessions_with_one_event, statement):
    sessions = sessions_with_one_event
    with pytest.raises(AuditLogImmutable), sessions.begin() as session:
        session.execute(statement)
    _the_event_is_unchanged(sessions)


@pytest.mark.parametrize("sql", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"])
def test_the_database_refuses_raw_sql_changes(sessions_with_one_event, sql):
    """Migration 0002's triggers stop what bypasses the ORM guard."""
    sessions = sessions_with_one_event
    with pytest.raises(DatabaseError, match="append-only"), sessions.begin() as session:
        session.execute(text(sql))
    _the_event_is_unchanged(sessions)


def test_appending_still_works(sessions_with_one_event):
    sessions = sessions_with_one_event
    with sessions.begin() as session:
        record_audit(session, actor_type="system", actor_id=None, action="export")
    with sessions() as session:
        assert [e.action for e in list_audit(session)] == ["export", "case.view"]
