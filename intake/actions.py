"""What the flow asks the service to do. Each action is plain data; the service
runs them in order, inside its transaction, before sending the replies.

Case references come from the service through IntakeContext.new_case_ref, so the
flow can name the case in its replies without any I/O.
"""

from dataclasses import dataclass
from datetime import datetime

from nlp.result import Classification
from routing.facts import Facts

EMERGENCY_REASONS: tuple[str, ...] = ("crisis_words", "classifier")
CLOSE_OUTCOMES: tuple[str, ...] = ("information_given",)


@dataclass(frozen=True)
class CaseFacts:
    """What the conversation learnt; routing.facts.Facts plus who consented and when."""

    domains: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    urgency: str = "normal"
    whose: str | None = None
    age_band: str | None = None
    district: str | None = None
    contact: str | None = None
    consent: str = "unknown"
    consent_by: str | None = None  # routing.facts.WHOSE_VALUES: who answered
    consent_at: datetime | None = None
    emergency: bool = False
    office_hours: bool = True  # open when this was recorded

    def routing_facts(self, channel: str) -> Facts:
        return Facts(
            domains=frozenset(self.domains),
            patterns=frozenset(self.patterns),
            urgency=self.urgency,
            whose=self.whose,
            age_band=self.age_band,
            district=self.district,
            consent=self.consent,
            office_hours=self.office_hours,
            channel=channel,
        )


@dataclass(frozen=True)
class ShowLoading:
    """Show LINE's loading animation (a multiple of 5, 5..60 seconds) while classifying."""

    seconds: int


@dataclass(frozen=True)
class RequestClassification:
    """Classify these messages' texts joined by "\\n" in this order, then step
    ClassificationReady with the result (fallback_classification() on failure)."""

    message_refs: tuple[str, ...]


@dataclass(frozen=True)
class OpenCase:
    """Create case `case_ref` in status `intake` with these messages on its thread."""

    case_ref: str
    message_refs: tuple[str, ...]
    facts: CaseFacts


@dataclass(frozen=True)
class RecordClassification:
    """Store the classification (scores, evidence) on the case and set its labels."""

    case_ref: str
    classification: Classification


@dataclass(frozen=True)
class AlertEmergency:
    """Mark the case emergency, put it above every queue, alert staff for acknowledgement."""

    case_ref: str
    reason: str  # EMERGENCY_REASONS


@dataclass(frozen=True)
class AppendToCase:
    """Put an inbound message (text or media) on the case thread."""

    case_ref: str
    message_ref: str


@dataclass(frozen=True)
class HandOff:
    """Save the facts, route the case and move it intake -> open. `reply_by` is the
    expected reply time from the queue's target (what the resident was told, unless
    they left with 最初から / 終了 before the questions were done)."""

    case_ref: str
    facts: CaseFacts
    reply_by: datetime


@dataclass(frozen=True)
class CloseCase:
    """Close an intake case that needs no follow-up (the resident only wanted information)."""

    case_ref: str
    outcome: str  # CLOSE_OUTCOMES


@dataclass(frozen=True)
class MarkUnreachable:
    """The resident blocked the account: staff see it, nothing is sent."""

    case_ref: str | None


@dataclass(frozen=True)
class MarkReachable:
    """The resident unblocked the account."""

    case_ref: str | None


@dataclass(frozen=True)
class StartDeletion:
    """The resident asked to delete their data (audit only; nothing is deleted yet)."""


@dataclass(frozen=True)
class ConfirmDeletion:
    """The resident confirmed: delete everything stored about them (cases, messages,
    session), except records the law requires the city to keep."""


Action = (
    ShowLoading
    | RequestClassification
    | OpenCase
    | RecordClassification
    | AlertEmergency
    | AppendToCase
    | HandOff
    | CloseCase
    | MarkUnreachable
    | MarkReachable
    | StartDeletion
    | ConfirmDeletion
)
