"""Login throttling per account and per client address, in the shared session store.

Failures are kept as timestamps under keyed hashes (neither the login name nor
the address is stored). A per-key lock makes the read-modify-write safe across
processes.
"""

import json
from datetime import datetime

from console.config import ConsoleConfig
from storage.session_store import held_lock


class LoginThrottle:
    def __init__(self, store, keyed_hash, config: ConsoleConfig):
        self._store = store
        self._hash = keyed_hash
        self._config = config

    def _keys(self, login: str, address: str) -> list[tuple[str, int]]:
        return [
            (
                "login-failures:account:" + self._hash(login.strip().lower(), purpose="console-login"),
                self._config.max_failures_per_account,
            ),
            (
                "login-failures:address:" + self._hash(address, purpose="console-address"),
                self._config.max_failures_per_ip,
            ),
        ]

    def is_locked(self, login: str, address: str) -> bool:
        return any(len(self._recent(key)) >= limit for key, limit in self._keys(login, address))

    def record_failure(self, login: str, address: str) -> None:
        now = self._config.now()
        ttl = int(self._config.throttle_window.total_seconds()) + 60
        for key, _limit in self._keys(login, address):
            with held_lock(self._store, key, ttl_seconds=5, wait_seconds=5):
                recent = [*self._recent(key), now]
                self._store.set(key, json.dumps([t.isoformat() for t in recent]), ttl_seconds=ttl)

    def clear_account(self, login: str) -> None:
        """After a successful login the account's count starts again (the address's does not)."""
        key, _ = self._keys(login, "")[0]
        self._store.delete(key)

    def _recent(self, key: str) -> list[datetime]:
        raw = self._store.get(key)
        if raw is None:
            return []
        since = self._config.now() - self._config.throttle_window
        return [t for t in (datetime.fromisoformat(v) for v in json.loads(raw)) if t > since]
