"""Real PostgreSQL and Redis for tests.

Off CI a missing service skips its tests; in CI (CI=true) it fails them, so the
integration tests can never silently skip there.
"""

import os
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis

from bot.bench.cluster import CLAIM_KEY as BENCH_CLAIM_KEY

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


# Test databases 1-15 are claimed one at a time across every test run on this Redis server
# (other agents' runs, CI): a lock key in db 0, set only if absent, expiring in case a run dies.
REDIS_TEST_DBS = range(1, 16)
REDIS_CLAIM_SECONDS = 1800
REDIS_CLAIM_WAIT_SECONDS = 300
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def redis_claim_key(db: int) -> str:
    return f"marugoto:test:redis-db-claim:{db}"


@contextmanager
def claimed_redis_db(only: int | None = None) -> Iterator[int]:
    """A Redis db number no other test run holds until this block ends."""
    locks = redis_client(0)
    token = f"{os.getpid()}-{uuid.uuid4()}"
    candidates = [only] if only is not None else random.sample(list(REDIS_TEST_DBS), len(REDIS_TEST_DBS))
    deadline = time.monotonic() + REDIS_CLAIM_WAIT_SECONDS
    try:
        while True:
            claimed = (
                d
                for d in candidates
                if not _held_by_bench(d) and locks.set(redis_claim_key(d), token, nx=True, ex=REDIS_CLAIM_SECONDS)
            )
            db = next(claimed, None)
            if db is not None:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no free Redis test db among {candidates} (all claimed by other runs)")
            time.sleep(0.2)  # every db is held by another run: wait for one to be released
        try:
            yield db
        finally:
            locks.eval(_RELEASE, 1, redis_claim_key(db), token)
    finally:
        locks.close()


def _held_by_bench(db: int) -> bool:
    """`marugoto bench` claims a db by a key inside it (bot.bench.cluster): never flush that one."""
    client = redis_client(db)
    try:
        return client.exists(BENCH_CLAIM_KEY) == 1
    finally:
        client.close()
