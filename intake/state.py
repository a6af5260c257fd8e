"""The conversation state of one resident, stored as JSON by the session store.

It holds labels, answers and message refs, never message text or classifier
evidence (both live encrypted with the case, not in the session store).
"""

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

from intake.errors import InvalidState

VERSION = 1
PHASES: tuple[str, ...] = (
    "new",  # nothing said yet, or a conversation ended / data deleted
    "collecting",  # taking the concern in the resident's own words
    "classifying",  # waiting for ClassificationReady
    "offering_help",  # nothing detected: general information offered, a person on request
    "asking",  # quick-reply questions (see `question`)
    "handed_off",  # the case is with staff; the bot stays quiet
    "confirming_deletion",  # 削除 asked; waiting for 削除する / やめる
)
ANSWER_KEYS: tuple[str, ...] = ("whose", "age_band", "district", "contact", "consent")


@dataclass
class State:
    phase: str = "new"
    # Inbound messages of this intake that are not on a case yet (OpenCase takes them).
    pending_refs: list[str] = field(default_factory=list)
    # The subset of pending_refs that make up the free-text concern.
    concern_refs: list[str] = field(default_factory=list)
    question: str | None = None
    retries: int = 0
    # Present key = settled (asked, skipped or implied); None = not known.
    answers: dict[str, str | None] = field(default_factory=dict)
    consent_by: str | None = None
    consent_at: datetime | None = None
    domains: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    urgency: str | None = None
    degraded: bool = False
    emergency: bool = False
    case_ref: str | None = None
    handed_off_at: datetime | None = None
    # Phase to return to when a deletion is cancelled.
    resume_phase: str | None = None

    @property
    def case_in_intake(self) -> bool:
        """A case exists but has not been handed to staff yet."""
        return self.case_ref is not None and self.handed_off_at is None

    def copy(self) -> "State":
        return State.from_dict(self.to_dict())

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in ("consent_at", "handed_off_at"):
            if data[name] is not None:
                data[name] = data[name].isoformat()
        return {"v": VERSION, **data}

    @classmethod
    def from_dict(cls, data: dict) -> "State":
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise InvalidState("not a version-1 intake state")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known - {"v"}
        if unknown:
            raise InvalidState(f"unknown state fields: {sorted(unknown)}")
        values = {k: v for k, v in data.items() if k != "v"}
        try:
            for name in ("consent_at", "handed_off_at"):
                if values.get(name) is not None:
                    values[name] = datetime.fromisoformat(values[name])
            state = cls(**values)
        except (TypeError, ValueError) as exc:
            raise InvalidState(f"bad state value: {exc}") from exc
        if state.phase not in PHASES:
            raise InvalidState(f"unknown phase {state.phase!r}")
        if state.resume_phase is not None and state.resume_phase not in PHASES:
            raise InvalidState(f"unknown resume phase {state.resume_phase!r}")
        if set(state.answers) - set(ANSWER_KEYS):
            raise InvalidState("unknown answer keys")
        asking = "asking" in (state.phase, state.resume_phase)  # a deletion may pause a question
        if asking != (state.question in ANSWER_KEYS):
            raise InvalidState("a question belongs to, and only to, the asking phase")
        if (state.phase == "confirming_deletion") != (state.resume_phase is not None):
            raise InvalidState("a resume phase belongs to, and only to, a deletion being confirmed")
        return state
