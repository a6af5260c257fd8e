"""Server-side console sessions in the shared session store.

The cookie holds only a random id; the store keeps the session under a hash of
that id, so a dump of the store yields no usable cookie. A session ends when it
is idle too long, reaches its absolute limit, is logged out, or when the staff
user's password, two-factor secret, role or active flag changes (the fingerprint
no longer matches).
"""

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from console.config import ConsoleConfig
from storage.models import StaffUser

# Steps a session must still pass before it may see cases.
STAGE_PASSWORD_CHANGE = "password_change"
STAGE_TOTP = "totp"
STAGE_TOTP_ENROL = "totp_enrol"
STAGE_ACTIVE = "active"
# Only write last_seen back when it moved this much: fewer store writes per request.
_TOUCH_SECONDS = 30


@dataclass(frozen=True)
class ConsoleSession:
    sid: str
    staff_id: int
    stage: str
    csrf_token: str
    fingerprint: str
    created_at: datetime
    last_seen_at: datetime
    # A TOTP secret being enrolled, encrypted; only during STAGE_TOTP_ENROL.
    pending_totp_enc: str | None = None

    @property
    def active(self) -> bool:
        return self.stage == STAGE_ACTIVE


def staff_fingerprint(user: StaffUser) -> str:
    material = "\x00".join([str(user.id), user.password_hash, user.totp_secret_enc or "", user.role, str(user.active)])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _store_name(sid: str) -> str:
    return "console-session:" + hashlib.sha256(sid.encode("ascii")).hexdigest()


class SessionManager:
    def __init__(self, store, config: ConsoleConfig):
        self._store = store
        self._config = config

    # The store is never touched inside a database transaction: on SQLite the embedded
    # store shares the database, and a second writer would wait for the first forever.

    def create(self, staff_id: int, fingerprint: str, stage: str) -> ConsoleSession:
        now = self._config.now()
        session = ConsoleSession(
            sid=secrets.token_urlsafe(32),
            staff_id=staff_id,
            stage=stage,
            csrf_token=secrets.token_urlsafe(32),
            fingerprint=fingerprint,
            created_at=now,
            last_seen_at=now,
        )
        self._save(session)
        return session

    def load(self, sid: str | None) -> ConsoleSession | None:
        """The live session for a cookie value, or None (expired ones are deleted)."""
        if not sid or len(sid) > 128:
            return None
        raw = self._store.get(_store_name(sid))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            session = ConsoleSession(
                **{
                    **data,
                    "sid": sid,
                    "created_at": datetime.fromisoformat(data["created_at"]),
                    "last_seen_at": datetime.fromisoformat(data["last_seen_at"]),
                }
            )
        except (ValueError, TypeError, KeyError):
            # An entry this version cannot read (e.g. written by an older one): log in again.
            self._store.delete(_store_name(sid))
            return None
        now = self._config.now()
        if (
            now - session.last_seen_at >= self._config.idle_timeout
            or now - session.created_at >= self._config.absolute_timeout
        ):
            self.delete(session)
            return None
        return session

    def touch(self, session: ConsoleSession) -> ConsoleSession:
        now = self._config.now()
        if (now - session.last_seen_at).total_seconds() < _TOUCH_SECONDS:
            return session
        touched = replace(session, last_seen_at=now)
        self._save(touched)
        return touched

    def advance(self, session: ConsoleSession, fingerprint: str, stage: str) -> ConsoleSession:
        """Move to the next login stage under a new id (no session fixation across steps)."""
        self.delete(session)
        moved = replace(
            session,
            sid=secrets.token_urlsafe(32),
            stage=stage,
            fingerprint=fingerprint,
            csrf_token=secrets.token_urlsafe(32),
            last_seen_at=self._config.now(),
            pending_totp_enc=None,
        )
        self._save(moved)
        return moved

    def update(self, session: ConsoleSession, **changes) -> ConsoleSession:
        changed = replace(session, **changes)
        self._save(changed)
        return changed

    def delete(self, session: ConsoleSession) -> None:
        self._store.delete(_store_name(session.sid))

    def _save(self, session: ConsoleSession) -> None:
        data = asdict(session)
        del data["sid"]
        data["created_at"] = session.created_at.isoformat()
        data["last_seen_at"] = session.last_seen_at.isoformat()
        remaining = self._config.absolute_timeout - (self._config.now() - session.created_at)
        # The store forgets the entry by itself at the absolute limit (real time, at least a minute).
        ttl = max(60, int(remaining.total_seconds()))
        self._store.set(_store_name(session.sid), json.dumps(data), ttl_seconds=ttl)
