"""One step in progress: the copied state, the replies and actions gathered so far,
and the catalogue values every message may need."""

from datetime import datetime

from intake.actions import Action, CaseFacts
from intake.context import IntakeContext
from intake.office_hours import format_moment
from intake.replies import QuickReply, Reply, Transition
from intake.state import State


class Turn:
    def __init__(self, state: State, context: IntakeContext, at: datetime):
        self.state = state.copy()
        self.context = context
        self.at = at
        self.replies: list[Reply] = []
        self.actions: list[Action] = []

    @property
    def is_open(self) -> bool:
        return self.context.config.office_hours.is_open(self.at)

    def text(self, key: str, **values: str) -> str:
        return self.context.config.catalogue.text(key, **values)

    def say(self, key: str, *, quick: tuple[QuickReply, ...] = (), **values: str) -> None:
        self.replies.append(Reply(key=key, text=self.text(key, **values), quick_replies=quick))

    def say_text(self, key: str, text: str) -> None:
        """A message composed from catalogue texts (keyed by its main text)."""
        self.replies.append(Reply(key=key, text=text))

    def say_reply(self, reply: Reply) -> None:
        self.replies.append(reply)

    def act(self, action: Action) -> None:
        self.actions.append(action)

    def transition(self) -> Transition:
        return Transition(state=self.state, replies=tuple(self.replies), actions=tuple(self.actions))

    # values shared by several messages

    @property
    def municipality(self) -> str:
        return self.context.config.name

    def contacts(self) -> str:
        return "\n".join(
            self.text("contact_line", name=c.name, number=c.number)
            for c in self.context.config.emergency_contacts
        )

    def urgent_contacts(self) -> str:
        """The first two configured contacts, e.g. 「警察 110・救急・消防 119」."""
        return "・".join(f"{c.name} {c.number}" for c in self.context.config.emergency_contacts[:2])

    def office_hours_text(self) -> str:
        return self.context.config.office_hours.describe()

    def next_opening_text(self) -> str:
        return format_moment(self.context.config.office_hours.next_opening(self.at))

    def facts(self) -> CaseFacts:
        s = self.state
        return CaseFacts(
            domains=tuple(s.domains),
            patterns=tuple(s.patterns),
            urgency="emergency" if s.emergency else (s.urgency or "normal"),
            whose=s.answers.get("whose"),
            age_band=s.answers.get("age_band"),
            district=s.answers.get("district"),
            contact=s.answers.get("contact"),
            consent=s.answers.get("consent") or "unknown",
            consent_by=s.consent_by,
            consent_at=s.consent_at,
            emergency=s.emergency,
            office_hours=self.is_open,
        )
