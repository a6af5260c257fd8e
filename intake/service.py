"""The intake service: one resident event through the pure flow, persisted in one commit.

    handle_event(deps, event) -> Handled(message_ids, case_events)

Order: load the state (the resident's lock is held by the caller), read the live
configuration, step the flow, classify if it asks (with the loading animation;
crisis words are checked on every text first, without the model), save the
state, then one transaction for the messages, the case changes, the outbox and
the event's `done`. Sending is the caller's, after that commit.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from intake import actions as a
from intake.case_book import CaseBook
from intake.commands import ClassificationReady, Command, Follow, Media, Pause, Postback, Text, Unfollow
from intake.context import IntakeContext
from intake.conversation_store import (
    StoredConversation,
    forget_conversation,
    load_conversation,
    save_conversation,
)
from intake.flow import step
from intake.live_context import load_config, target_hours_for
from intake.replies import Transition
from intake.state import State
from intake.thread import add_bot_replies, record_inbound, texts_of_refs
from intake.timers import PAUSE_SECONDS, pause_payload, pause_webhook_event_id
from nlp.result import Classification
from routing.municipality import Municipality
from storage.crypto import Cipher
from storage.models import utcnow
from storage.repositories.cases import get_case_by_reference, new_unused_case_reference
from storage.repositories.inbound import finish_inbound_event, store_inbound_event
from storage.repositories.residents import get_or_create_resident, get_resident_by_user_id, resident_hash
from storage.session_store import SessionStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntakeDeps:
    sessions: sessionmaker[Session]
    cipher: Cipher
    store: SessionStore
    classify: Callable[[str], Classification]  # never raises: the fallback on failure
    crisis: Callable[[str], bool]  # crisis words (nlp.crisis), checked on every text
    show_loading: Callable[[str, int], None]  # best effort (user id, seconds)


@dataclass(frozen=True)
class ResidentInput:
    event_id: int  # inbound_events.id
    user_id: str
    channel: str  # routing.facts.CHANNELS
    kind: str  # follow | unfollow | text | postback | media | pause
    at: datetime
    text: str | None = None
    data: str | None = None
    media_kind: str | None = None
    is_unblocked: bool = False
    pause_after: int | None = None


@dataclass
class Handled:
    message_ids: list[int] = field(default_factory=list)
    case_events: list[tuple[str, int]] = field(default_factory=list)


def handle_event(deps: IntakeDeps, event: ResidentInput) -> Handled:
    hashed = resident_hash(deps.cipher, event.user_id)
    stored = load_conversation(deps.store, deps.cipher, hashed, event.event_id)
    if event.kind == "pause" and stored.last_event_id != event.pause_after:
        # The resident wrote again after this silence began: a later timer covers it.
        with deps.sessions.begin() as session:
            finish_inbound_event(session, event.event_id, status="ignored", error_code="stale_pause")
        return Handled()
    with deps.sessions() as session:
        municipality, config = load_config(session)
        state = _current_state(session, stored.state, hashed)
        context = IntakeContext(
            config=config,
            target_hours_for=target_hours_for(deps.sessions, municipality),
            new_case_ref=new_unused_case_reference(session, event.at),
            channel=event.channel,
        )
    transitions = [step(state, _command(deps, event), None, context)]
    requested = next((x for x in transitions[0].actions if isinstance(x, a.RequestClassification)), None)
    if requested is not None:
        classification = _classify(deps, event, transitions[0], requested)
        transitions.append(step(transitions[0].state, ClassificationReady(at=event.at), classification, context))
    after = StoredConversation(
        transitions[-1].state, stored.last_event_id if event.kind == "pause" else event.event_id
    )
    save_conversation(deps.store, deps.cipher, hashed, event_id=event.event_id, before=stored, after=after)
    handled = _persist(deps, event, state, transitions, municipality, requested)
    if any(isinstance(x, a.ConfirmDeletion) for t in transitions for x in t.actions):
        # Committed: not even the state the deletion started from stays behind.
        forget_conversation(deps.store, hashed)
    return handled


def _current_state(session: Session, state: State, hashed: str) -> State:
    """A conversation about a case staff have closed (or deleted) starts afresh."""
    if state.case_ref is None:
        return state
    case = get_case_by_reference(session, state.case_ref)
    if case is None or case.resident.user_hash != hashed or case.status == "resolved":
        return State()
    return state


def _command(deps: IntakeDeps, event: ResidentInput) -> Command:
    ref = str(event.event_id)
    if event.kind == "follow":
        return Follow(at=event.at, is_unblocked=event.is_unblocked)
    if event.kind == "unfollow":
        return Unfollow(at=event.at)
    if event.kind == "text":
        # Checked on every text, before and without the classifier.
        return Text(at=event.at, ref=ref, text=event.text or "", crisis=deps.crisis(event.text or ""))
    if event.kind == "postback":
        return Postback(at=event.at, data=event.data or "")
    if event.kind == "media":
        return Media(at=event.at, ref=ref, kind=event.media_kind or "")
    return Pause(at=event.at)


def _classify(
    deps: IntakeDeps, event: ResidentInput, transition: Transition, requested: a.RequestClassification
) -> Classification:
    loading = next((x for x in transition.actions if isinstance(x, a.ShowLoading)), None)
    if loading is not None and event.channel == "line":
        deps.show_loading(event.user_id, loading.seconds)
    texts = {str(event.event_id): event.text or ""} if event.kind == "text" else {}
    earlier = tuple(ref for ref in requested.message_refs if ref not in texts)
    if earlier:
        with deps.sessions() as session:
            resident = get_resident_by_user_id(session, deps.cipher, event.user_id)
            if resident is not None:
                texts.update(texts_of_refs(session, deps.cipher, resident, earlier))
    return deps.classify("\n".join(texts.get(ref, "") for ref in requested.message_refs))


def _persist(
    deps: IntakeDeps,
    event: ResidentInput,
    before: State,
    transitions: list[Transition],
    municipality: Municipality,
    requested: a.RequestClassification | None,
) -> Handled:
    final = transitions[-1].state
    with deps.sessions.begin() as session:
        resident = get_or_create_resident(session, deps.cipher, event.user_id, channel=event.channel)
        record_inbound(
            session, deps.cipher, resident, kind=event.kind, event_id=event.event_id,
            text=event.text, media_kind=event.media_kind, data=event.data,
        )
        book = CaseBook(
            session, deps.cipher, resident, user_id=event.user_id, municipality=municipality,
            channel=event.channel, at=event.at, classified_refs=requested.message_refs if requested else (),
        )
        for transition in transitions:
            for action in transition.actions:
                book.apply(action)
        replies = [r for t in transitions for r in t.replies]
        reply_case = None if book.deleted else (book.case(final.case_ref) or book.case(before.case_ref))
        # After a deletion the event itself is gone: the confirmation is pushed.
        answered = None if book.deleted else event.event_id
        messages = add_bot_replies(session, deps.cipher, book.resident, reply_case, replies, answered)
        if event.kind in ("text", "media") and final.phase == "collecting" and final.concern_refs:
            _start_pause_timer(session, deps.cipher, event, hashed=book.resident.user_hash)
        finish_inbound_event(session, event.event_id)
        session.flush()
        log.info(
            "event %s: %s -> %s, %d replies (%s)",
            event.event_id, before.phase, final.phase, len(replies), ",".join(r.key for r in replies),
        )
        return Handled([m.id for m in messages], list(book.case_events))


def _start_pause_timer(session: Session, cipher: Cipher, event: ResidentInput, *, hashed: str) -> None:
    store_inbound_event(
        session,
        cipher,
        webhook_event_id=pause_webhook_event_id(event.event_id),
        event_type="pause",
        resident_hash=hashed,
        payload_json=pause_payload(user_id=event.user_id, last_message_at=event.at, after_event_id=event.event_id),
        redelivery=False,
        event_at=event.at,
        # Due by the clock, not by the event's time: a late redelivery must not close at once.
        process_after=utcnow() + timedelta(seconds=PAUSE_SECONDS),
    )
