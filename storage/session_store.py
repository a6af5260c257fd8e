"""Short-lived shared state (conversation state, locks) with two interchangeable stores.

`RedisSessionStore` is for production. `SqlSessionStore` is the embedded default:
it keeps entries in the database, so every thread and process sees the same state
without Redis. Values are strings; callers serialise (and encrypt) them.
"""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Protocol

import redis
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import StorageError
from storage.models import SessionEntry, utcnow
from storage.redis_keys import lock_key, session_key


class LockNotAcquired(StorageError):
    code = "lock_not_acquired"


class SessionStore(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str, ttl_seconds: int | None = None) -> None: ...
    def delete(self, name: str) -> None: ...
    def acquire(self, name: str, ttl_seconds: int) -> str | None: ...
    def release(self, name: str, token: str) -> bool: ...


@contextmanager
def held_lock(store: SessionStore, name: str, *, ttl_seconds: int, wait_seconds: float) -> Iterator[str]:
    """Hold lock `name` for the block; raise LockNotAcquired after `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.01
    while (token := store.acquire(name, ttl_seconds)) is None:
        if time.monotonic() >= deadline:
            raise LockNotAcquired(name)
        time.sleep(delay)
        delay = min(delay * 2, 0.25)
    try:
        yield token
    finally:
        store.release(name, token)


class RedisSessionStore:
    # Deletes the lock only if it still holds our token (another holder may own it after expiry).
    _RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

    def __init__(self, client: redis.Redis):
        self._redis = client
        self._release = client.register_script(self._RELEASE)

    def get(self, name: str) -> str | None:
        value = self._redis.get(session_key(name))
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def set(self, name: str, value: str, ttl_seconds: int | None = None) -> None:
        self._redis.set(session_key(name), value, ex=ttl_seconds)

    def delete(self, name: str) -> None:
        self._redis.delete(session_key(name))

    def acquire(self, name: str, ttl_seconds: int) -> str | None:
        token = uuid.uuid4().hex
        if self._redis.set(lock_key(name), token, nx=True, ex=ttl_seconds):
            return token
        return None

    def release(self, name: str, token: str) -> bool:
        return bool(self._release(keys=[lock_key(name)], args=[token]))


class SqlSessionStore:
    """Session entries in the database; each call is its own short transaction."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._sessions = session_factory

    def get(self, name: str) -> str | None:
        with self._sessions() as session:
            entry = session.get(SessionEntry, session_key(name))
            if entry is None or _expired(entry):
                return None
            return entry.value

    def set(self, name: str, value: str, ttl_seconds: int | None = None) -> None:
        expires = utcnow() + timedelta(seconds=ttl_seconds) if ttl_seconds else None
        with self._sessions.begin() as session:
            entry = session.get(SessionEntry, session_key(name))
            if entry is None:
                session.add(SessionEntry(key=session_key(name), value=value, expires_at=expires))
            else:
                entry.value, entry.expires_at = value, expires

    def delete(self, name: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(SessionEntry).where(SessionEntry.key == session_key(name)))

    def acquire(self, name: str, ttl_seconds: int) -> str | None:
        key, token = lock_key(name), uuid.uuid4().hex
        now = utcnow()
        expires = now + timedelta(seconds=ttl_seconds)
        with self._sessions.begin() as session:
            # Take over an expired lock atomically; a live one is left alone.
            taken = session.execute(
                update(SessionEntry)
                .where(SessionEntry.key == key, SessionEntry.expires_at < now)
                .values(value=token, expires_at=expires)
            ).rowcount
        if taken:
            return token
        try:
            with self._sessions.begin() as session:
                session.add(SessionEntry(key=key, value=token, expires_at=expires))
        except IntegrityError:
            return None
        return token

    def release(self, name: str, token: str) -> bool:
        with self._sessions.begin() as session:
            result = session.execute(
                delete(SessionEntry).where(SessionEntry.key == lock_key(name), SessionEntry.value == token)
            )
        return bool(result.rowcount)

    def purge_expired(self, now: datetime | None = None) -> int:
        with self._sessions.begin() as session:
            result = session.execute(delete(SessionEntry).where(SessionEntry.expires_at < (now or utcnow())))
        return result.rowcount


def _expired(entry: SessionEntry) -> bool:
    return entry.expires_at is not None and entry.expires_at <= utcnow()
