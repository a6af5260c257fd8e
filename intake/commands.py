"""What the service tells the conversation: one typed command per resident event.

Every command carries `at`, the aware UTC time of the event; the flow never reads
a clock. Messages carry `ref`, the service's own id for the stored inbound event,
so actions can point at a message without the flow (or its stored state) ever
holding the text beyond the current step.
"""

from dataclasses import dataclass
from datetime import datetime

from intake.errors import InvalidCommand

MEDIA_KINDS: tuple[str, ...] = ("sticker", "image", "audio", "video", "file", "location")


def _check_at(at: datetime) -> None:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InvalidCommand("`at` must be a timezone-aware datetime")


def _check_ref(ref: str) -> None:
    if not isinstance(ref, str) or not ref:
        raise InvalidCommand("`ref` must be a non-empty string")


@dataclass(frozen=True)
class Follow:
    """The resident added the account (again, when `is_unblocked`)."""

    at: datetime
    is_unblocked: bool = False

    def __post_init__(self) -> None:
        _check_at(self.at)


@dataclass(frozen=True)
class Unfollow:
    """The resident blocked the account: nothing can be sent any more."""

    at: datetime

    def __post_init__(self) -> None:
        _check_at(self.at)


@dataclass(frozen=True)
class Text:
    """A text message. `crisis` is set by the service from nlp.crisis.find_crisis_words."""

    at: datetime
    ref: str
    text: str
    crisis: bool = False

    def __post_init__(self) -> None:
        _check_at(self.at)
        _check_ref(self.ref)
        if not isinstance(self.text, str):
            raise InvalidCommand("`text` must be a string")


@dataclass(frozen=True)
class Postback:
    """A quick-reply tap; `data` is what the flow put on the button."""

    at: datetime
    data: str

    def __post_init__(self) -> None:
        _check_at(self.at)


@dataclass(frozen=True)
class Media:
    """Anything the bot cannot read: sticker, image, audio, video, file, location."""

    at: datetime
    ref: str
    kind: str

    def __post_init__(self) -> None:
        _check_at(self.at)
        _check_ref(self.ref)
        if self.kind not in MEDIA_KINDS:
            raise InvalidCommand(f"unknown media kind {self.kind!r}")


@dataclass(frozen=True)
class Pause:
    """The resident stopped typing for a while (emitted by the service after a delay)."""

    at: datetime

    def __post_init__(self) -> None:
        _check_at(self.at)


@dataclass(frozen=True)
class ClassificationReady:
    """The service classified the messages of a RequestClassification action.

    The only command that comes with a classification (fallback_classification()
    when the classifier failed)."""

    at: datetime

    def __post_init__(self) -> None:
        _check_at(self.at)


Command = Follow | Unfollow | Text | Postback | Media | Pause | ClassificationReady
