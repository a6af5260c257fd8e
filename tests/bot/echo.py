"""A test-only conversation: answers every event with its kind, so the LINE side
(webhook, job, delivery) can be tested without the intake flow or the classifier."""

import uuid

from bot.inbound import Outcome
from bot.line_events import ResidentEvent
from bot.services import Services
from storage.repositories.cases import add_message
from storage.repositories.inbound import finish_inbound_event
from storage.repositories.residents import get_or_create_resident


def echo_conversation(services: Services, event_id: int, event: ResidentEvent, *, replies: int = 1) -> Outcome:
    with services.sessions.begin() as session:
        channel = "simulator" if event.user_id.startswith("Usim") else "line"
        resident = get_or_create_resident(session, services.cipher, event.user_id, channel=channel)
        if event.kind == "unfollow":
            resident.reachable = False
        messages = [
            add_message(
                session,
                services.cipher,
                None,
                resident=resident,
                sender="bot",
                text=f"echo {event.kind} {number}",
                inbound_event_id=event_id,
                delivery_status="pending",
                retry_key=str(uuid.uuid4()),
            )
            for number in range(replies if event.kind != "unfollow" else 0)
        ]
        finish_inbound_event(session, event_id)
        session.flush()
        return Outcome(message_ids=[m.id for m in messages])

