"""Real PostgreSQL and Redis for tests.

Off CI a missing service skips its tests; in CI (CI=true) it fails them, so the
integration tests can never silently skip there.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis

from bot.bench import redis_claim as claim

POSTGRES_ADMIN_URL = os.environ.get("MARUGOTO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MARUGOTO_TEST_REDIS_URL", "redis://127.0.0.1:6379")
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(what: str, reason: str) -> None:
    message = f"{what} unavailable: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI must run the integration tests)")
    pytest.skip(message)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_connection() -> psycopg.Connection:
    try:
        return psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        unavailable("PostgreSQL", str(exc).splitlines()[0])
        raise


def create_database(template: str | None = None) -> str:
    name = f"marugoto_t_{uuid.uuid4().hex[:12]}"
    with admin_connection() as conn:
        clause = f" TEMPLATE {template}" if template else ""
        conn.execute(f"CREATE DATABASE {name}{clause}")
    return name


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def redis_client(db: int) -> redis.Redis:
    client = redis.Redis.from_url(f"{REDIS_URL}/{db}", socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable("Redis", str(exc))
    return client


@contextmanager
def claimed_redis_db(only: int | None = None) -> Iterator[int]:
    """A Redis db number no other test run (or `marugoto bench`) holds until this block ends."""
    locks = redis_client(0)
    try:
        with claim.claimed_redis_db(locks, only=only) as db:
            yield db
    finally:
        locks.close()
