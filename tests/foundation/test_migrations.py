"""Migrations: up, down to base, up again, on both databases; models and migrations agree."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import migrate
from storage.db import make_engine
from storage.models import Base
from tests.conftest import POSTGRES_ADMIN_URL
from tests.services import create_database, drop_database, with_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    name = create_database()
    yield with_database(POSTGRES_ADMIN_URL, name)
    drop_database(name)


def test_upgrade_downgrade_upgrade(empty_database_url):
    url = empty_database_url
    engine = make_engine(url)
    migrate.upgrade(url)
    assert migrate.current_revision(engine) == migrate.head_revision(url)
    assert "cases" in inspect(engine).get_table_names()

    migrate.downgrade(url, "base")
    assert migrate.current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_deleted_ids_are_never_reused_so_audit_rows_keep_naming_the_right_row(database_url):
    engine = make_engine(database_url)
    with engine.begin() as conn:
        for table in ("residents", "staff_users", "queues"):
            assert _insert_and_delete(conn, table, "first") < _insert_and_delete(conn, table, "second"), table
    engine.dispose()


def _insert_and_delete(conn, table: str, key: str) -> int:
    values = {
        "residents": "(user_hash, user_id_enc, pseudonym, channel, reachable, created_at, last_seen_at) "
        "VALUES (:k, 'x', :k, 'line', true, '2024-01-01', '2024-01-01')",
        "staff_users": "(login, display_name, password_hash, role, active, must_change_password, created_at) "
        "VALUES (:k, 'n', 'h', 'staff', true, false, '2024-01-01')",
        "queues": "(key, name, field, kind, contact, target_reply_hours, office_hours, active, created_at) "
        "VALUES (:k, 'n', 'all', 'queue', '', 48, '{}', true, '2024-01-01')",
    }[table]
    row_id = conn.execute(text(f"INSERT INTO {table} {values} RETURNING id"), {"k": key}).scalar()
    conn.execute(text(f"DELETE FROM {table} WHERE id = :i"), {"i": row_id})
    return row_id


def test_the_autoincrement_migration_keeps_rows_children_and_audit_triggers_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "0003_resident_messages")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO residents (id, user_hash, user_id_enc, pseudonym, channel, reachable, created_at, last_seen_at)"
            " VALUES (5, 'h', 'x', 'p', 'line', 1, '2024-01-01', '2024-01-01')"
        ))
        conn.execute(text(
            "INSERT INTO cases (id, reference, resident_id, status, channel, domains, patterns, urgency, scores,"
            " evidence, classifier_degraded, consent, emergency, priority, routing_trace, co_agencies, created_at,"
            " updated_at) VALUES (3, 'R1', 5, 'open', 'line', '[]', '[]', 'normal', '{}', '[]', 0, 'unknown', 0, 0,"
            " '[]', '[]', '2024-01-01', '2024-01-01')"
        ))
        conn.execute(text(
            "INSERT INTO messages (case_id, resident_id, sender, kind, delivery_status, attempts, created_at)"
            " VALUES (3, 5, 'resident', 'text', 'received', 0, '2024-01-01')"
        ))
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        # Recreating residents and cases must not cascade into their children.
        assert conn.execute(text("SELECT resident_id, case_id FROM messages")).all() == [(5, 3)]
        assert "AUTOINCREMENT" in conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'cases'")).scalar()
        triggers = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        assert triggers == {"audit_events_no_update", "audit_events_no_delete"}
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()
