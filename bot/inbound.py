"""The `process_inbound_event` job: one stored webhook event, acted on exactly once.

The job claims the row (a lease, so a dead worker's event is redone by the
sweeper), takes the resident's lock so one resident's events run in the order they
arrived (older waiting events of the same resident go first), and hands the event
to the conversation. The conversation persists everything, including the outbound
messages with their retry keys and the row's `done`, in its own commit; only after
that are the messages sent and the console told.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.console_events import publish_case_events
from bot.delivery import deliver_messages
from bot.jobs import job
from bot.line_events import IgnoredEvent, ResidentEvent, read_stored_event
from bot.services import Services
from storage.models import InboundEvent
from storage.repositories.inbound import (
    claim_inbound_event,
    finish_inbound_event,
    inbound_payload,
    list_claimable_event_ids_of_resident,
    release_inbound_event,
)
from storage.session_store import held_lock

log = logging.getLogger(__name__)

PROCESS_JOB = "process_inbound_event"
LEASE_SECONDS = 120
LOCK_TTL_SECONDS = 120
LOCK_WAIT_SECONDS = 30
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Outcome:
    """What a handled event leaves to do after its commit."""

    message_ids: list[int] = field(default_factory=list)
    # (event name from storage.events, case id) for the console.
    case_events: list[tuple[str, int]] = field(default_factory=list)


# handle(services, inbound_event_id, event) -> Outcome; must commit the row as done.
EventHandler = Callable[[Services, int, ResidentEvent], Outcome]


class NoConversation(Exception):
    code = "no_conversation"


@job(PROCESS_JOB)
def process_inbound_event(services: Services, event_id: int) -> None:
    with services.sessions() as session:
        row = session.get(InboundEvent, event_id)
        if row is None or row.status not in ("pending", "processing"):
            return
        resident_hash = row.resident_hash
    if resident_hash is None:
        _process(services, event_id)
        return
    with held_lock(
        services.store, f"resident:{resident_hash}", ttl_seconds=LOCK_TTL_SECONDS, wait_seconds=LOCK_WAIT_SECONDS
    ):
        with services.sessions() as session:
            waiting = list_claimable_event_ids_of_resident(session, resident_hash, up_to_id=event_id)
        for waiting_id in waiting:
            _process(services, waiting_id)


def _process(services: Services, event_id: int) -> None:
    with services.sessions.begin() as session:
        row = claim_inbound_event(session, event_id, lease_seconds=LEASE_SECONDS)
        if row is None:
            return  # done, not due yet, or another worker holds the lease
        attempts, payload = row.attempts, inbound_payload(services.cipher, row)
        if attempts > MAX_ATTEMPTS:
            finish_inbound_event(session, event_id, status="failed", error_code="too_many_attempts")
            log.error("event %s failed %d times; left for an administrator", event_id, MAX_ATTEMPTS)
            return
    try:
        event = read_stored_event(payload)
    except IgnoredEvent as exc:
        with services.sessions.begin() as session:
            finish_inbound_event(session, event_id, status="ignored", error_code=exc.code)
        return
    try:
        handler = services.conversation
        if handler is None:
            raise NoConversation("no conversation is configured")
        outcome = handler(services, event_id, event)
    except Exception as exc:  # noqa: BLE001 - any failure goes back to the sweeper
        # Frames only: an exception's message may quote the resident's text.
        log.error(
            "event %s failed (%s), attempt %d; the sweeper will retry it\n%s",
            event_id,
            type(exc).__name__,
            attempts,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        with services.sessions.begin() as session:
            release_inbound_event(session, event_id, error_code=type(exc).__name__[:64])
        return
    if outcome.message_ids:
        deliver_messages(services, outcome.message_ids)
    publish_case_events(services, outcome.case_events)
