"""Shared fixtures: settings built directly, real databases, flaskr-style app/client/runner."""

import base64
import os

import pytest
from click.testing import CliRunner

from bot.app import create_app
from bot.settings import Settings
from storage import migrate
from tests.services import (
    POSTGRES_ADMIN_URL,
    claimed_redis_db,
    create_database,
    drop_database,
    redis_client,
    with_database,
)

KEY_A = base64.urlsafe_b64encode(b"a" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"b" * 32).decode()
HASH_KEY = b"h" * 32
LINE_SECRET = "test-channel-secret"


def make_settings(tmp_path, database_url: str, **overrides) -> Settings:
    values = dict(
        env="test",
        var_dir=tmp_path / "var",
        database_url=database_url,
        secret_key="test-secret-key-0123456789",
        encryption_keys=(("a", b"a" * 32),),
        hash_key=HASH_KEY,
        line_channel_secret=LINE_SECRET,
        line_channel_access_token="test-access-token",
        embedded_worker=False,
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def postgres_template():
    """A migrated template database; each test clones it (fast) and drops its clone."""
    name = create_database()
    migrate.upgrade(with_database(POSTGRES_ADMIN_URL, name))
    yield name
    drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        migrate.upgrade(url)
        yield url
        return
    name = create_database(template=request.getfixturevalue("postgres_template"))
    yield with_database(POSTGRES_ADMIN_URL, name)
    drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'test.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def redis_db():
    """A Redis database held by this test alone (claimed across concurrent runs), flushed before and after."""
    only = os.environ.get("MARUGOTO_TEST_REDIS_DB")
    with claimed_redis_db(int(only) if only else None) as db:
        client = redis_client(db)
        client.flushdb()
        yield client
        client.flushdb()
        client.close()


@pytest.fixture
def settings(tmp_path, sqlite_url):
    return make_settings(tmp_path, sqlite_url)


@pytest.fixture
def app(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["marugoto"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    return CliRunner()
