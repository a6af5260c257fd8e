"""What the flow sends back: text bubbles with optional quick replies, within LINE's limits."""

from dataclasses import dataclass

from intake.actions import Action
from intake.errors import IntakeError
from intake.state import State

MAX_MESSAGES = 5  # per reply or push
MAX_QUICK_REPLIES = 13
MAX_LABEL_CHARS = 20
MAX_TEXT_CHARS = 5000
MAX_POSTBACK_CHARS = 300


@dataclass(frozen=True)
class QuickReply:
    """A postback button; LINE shows `label` as the resident's message when tapped."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    key: str  # catalogue key of the (first) text, for logs without content
    text: str
    quick_replies: tuple[QuickReply, ...] = ()


@dataclass(frozen=True)
class Transition:
    state: State
    replies: tuple[Reply, ...] = ()
    actions: tuple[Action, ...] = ()

    def __post_init__(self) -> None:
        if len(self.replies) > MAX_MESSAGES:
            raise IntakeError(f"{len(self.replies)} replies exceed LINE's {MAX_MESSAGES}")
        for index, reply in enumerate(self.replies):
            if not reply.text or len(reply.text) > MAX_TEXT_CHARS:
                raise IntakeError(f"reply {reply.key} is empty or too long")
            if reply.quick_replies and index != len(self.replies) - 1:
                raise IntakeError("LINE shows quick replies only on the last message")
            if len(reply.quick_replies) > MAX_QUICK_REPLIES:
                raise IntakeError(f"reply {reply.key} has more than {MAX_QUICK_REPLIES} quick replies")
            for item in reply.quick_replies:
                if not item.label or len(item.label) > MAX_LABEL_CHARS:
                    raise IntakeError(f"quick-reply label {item.label!r} is empty or too long")
                if not item.data or len(item.data) > MAX_POSTBACK_CHARS:
                    raise IntakeError("quick-reply data is empty or too long")
