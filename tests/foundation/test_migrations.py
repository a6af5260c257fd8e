"""Migrations: up, down to base, up again, on both databases; models and migrations agree."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

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
