"""The composition root's conversation: a resident event handed to the intake service."""

from bot.inbound import Outcome
from bot.line_events import ResidentEvent, is_simulator_user
from bot.services import Services
from intake.service import IntakeDeps, ResidentInput, handle_event


def intake_conversation(services: Services, event_id: int, event: ResidentEvent) -> Outcome:
    simulator = services.settings.simulator_enabled and is_simulator_user(event.user_id)
    deps = IntakeDeps(
        sessions=services.sessions,
        cipher=services.cipher,
        store=services.store,
        classify=services.classifier.classify,
        crisis=services.classifier.crisis,
        show_loading=services.line.show_loading,
    )
    handled = handle_event(
        deps,
        ResidentInput(
            event_id=event_id,
            user_id=event.user_id,
            channel="simulator" if simulator else "line",
            kind=event.kind,
            at=event.at,
            text=event.text,
            data=event.data,
            media_kind=event.media_kind,
            is_unblocked=event.is_unblocked,
            pause_after=event.pause_after,
        ),
    )
    return Outcome(message_ids=handled.message_ids, case_events=handled.case_events)
