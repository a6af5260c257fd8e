"""Each resident's conversation state in the session store: encrypted, and safe to redo.

The state is saved before the database commit of the same event. The record keeps
the state the event started from, so if the commit never happens (the worker died)
the redo of that event steps from the same state again instead of a state that
already includes it.
"""

import json
import logging
from dataclasses import dataclass

from intake.errors import InvalidState
from intake.state import State
from storage.crypto import Cipher
from storage.errors import DecryptionError
from storage.session_store import SessionStore

log = logging.getLogger(__name__)

STATE_CONTEXT = "intake.state"
STATE_TTL_SECONDS = 180 * 24 * 3600


@dataclass(frozen=True)
class StoredConversation:
    state: State
    # The last resident event stepped; a pause timer started by another one is stale.
    last_event_id: int | None = None


def _key(resident_hash: str) -> str:
    return f"intake:{resident_hash}"


def load_conversation(store: SessionStore, cipher: Cipher, resident_hash: str, event_id: int) -> StoredConversation:
    """The state to step `event_id` from (its starting state again if it is a redo)."""
    sealed = store.get(_key(resident_hash))
    if sealed is None:
        return StoredConversation(State())
    try:
        record = json.loads(cipher.decrypt(sealed, context=STATE_CONTEXT))
        side = "prev" if record["event"] == event_id else "cur"
        return StoredConversation(State.from_dict(record[side]), record[f"{side}_last"])
    except (DecryptionError, InvalidState, KeyError, TypeError, ValueError) as exc:
        # A lost conversation restarts kindly; the cases stay in the database.
        log.warning("conversation state unreadable (%s); starting afresh", type(exc).__name__)
        return StoredConversation(State())


def save_conversation(
    store: SessionStore,
    cipher: Cipher,
    resident_hash: str,
    *,
    event_id: int,
    before: StoredConversation,
    after: StoredConversation,
) -> None:
    record = {
        "event": event_id,
        "prev": before.state.to_dict(),
        "prev_last": before.last_event_id,
        "cur": after.state.to_dict(),
        "cur_last": after.last_event_id,
    }
    sealed = cipher.encrypt(json.dumps(record), context=STATE_CONTEXT)
    store.set(_key(resident_hash), sealed, STATE_TTL_SECONDS)


def forget_conversation(store: SessionStore, resident_hash: str) -> None:
    """After a resident's data is deleted (by the console, say): no conversation to resume."""
    store.delete(_key(resident_hash))
