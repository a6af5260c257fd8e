"""Audited actions on a resident as a whole, callable from the console and the worker alike.

Each runs inside the caller's transaction and adds one audit row; the caller
commits and then does the side effects (here: deleting the conversation state
from the session store, whose key the worker owns).
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage import events
from storage.models import Resident
from storage.repositories.audit import record_audit
from storage.repositories.residents import delete_resident_data

ACTOR_TYPES = ("staff", "system", "resident")


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff user (their id), the system (a job name) or the resident themselves."""

    type: str
    id: str | int | None = None

    def __post_init__(self):
        if self.type not in ACTOR_TYPES:
            raise ValueError(f"unknown actor type {self.type!r}")


def do_delete_resident(session: Session, resident: Resident, *, actor: Actor) -> dict[str, int]:
    """Delete everything stored about the resident; the audit row holds counts, never content.

    The caller commits, then deletes the resident's conversation state from the
    session store (the worker's state key for this resident) — after commit, so a
    rolled-back deletion leaves the conversation intact.
    """
    resident_id = resident.id
    counts = delete_resident_data(session, resident)
    record_audit(
        session,
        actor_type=actor.type,
        actor_id=actor.id,
        action=events.RESIDENT_DELETE,
        target_type="resident",
        target_id=resident_id,
        detail={"counts": counts},
    )
    return counts
