"""The session store behaves the same on real Redis and on the embedded database store."""

import threading
import time

import pytest

from storage.db import make_engine, make_session_factory
from storage.session_store import LockNotAcquired, RedisSessionStore, SqlSessionStore, held_lock


@pytest.fixture(params=["redis", "sql-sqlite", "sql-postgresql"])
def store(request, tmp_path):
    if request.param == "redis":
        yield RedisSessionStore(request.getfixturevalue("redis_db"))
        return
    if request.param == "sql-sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        request.getfixturevalue("postgres_template")
        from tests.conftest import POSTGRES_ADMIN_URL
        from tests.services import create_database, drop_database, with_database

        name = create_database(template=request.getfixturevalue("postgres_template"))
        request.addfinalizer(lambda: drop_database(name))
        url = with_database(POSTGRES_ADMIN_URL, name)
    engine = make_engine(url)
    yield SqlSessionStore(make_session_factory(engine))
    engine.dispose()


def test_set_get_overwrite_delete(store):
    assert store.get("conv:1") is None
    store.set("conv:1", '{"phase": "collecting"}')
    assert store.get("conv:1") == '{"phase": "collecting"}'
    store.set("conv:1", '{"phase": "asking"}')
    assert store.get("conv:1") == '{"phase": "asking"}'
    store.delete("conv:1")
    assert store.get("conv:1") is None


def test_entries_expire(store):
    store.set("short", "v", ttl_seconds=1)
    assert store.get("short") == "v"
    time.sleep(1.1)
    assert store.get("short") is None


def test_a_lock_has_one_holder_and_is_released_only_by_its_token(store):
    token = store.acquire("resident:1", ttl_seconds=30)
    assert token is not None
    assert store.acquire("resident:1", ttl_seconds=30) is None
    assert store.release("resident:1", "not-the-token") is False
    assert store.acquire("resident:1", ttl_seconds=30) is None
    assert store.release("resident:1", token) is True
    assert store.acquire("resident:1", ttl_seconds=30) is not None


def test_an_expired_lock_can_be_taken_over(store):
    assert store.acquire("resident:2", ttl_seconds=1) is not None
    time.sleep(1.1)
    assert store.acquire("resident:2", ttl_seconds=30) is not None


def test_held_lock_serialises_threads(store):
    """Four threads increment a shared value under the lock: no update is lost."""
    store.set("counter", "0")

    def bump():
        for _ in range(5):
            with held_lock(store, "counter-lock", ttl_seconds=10, wait_seconds=30):
                value = int(store.get("counter"))
                store.set("counter", str(value + 1))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get("counter") == "20"


def test_held_lock_gives_up_after_waiting(store):
    assert store.acquire("busy", ttl_seconds=30) is not None
    with pytest.raises(LockNotAcquired):
        with held_lock(store, "busy", ttl_seconds=30, wait_seconds=0.2):
            pass
