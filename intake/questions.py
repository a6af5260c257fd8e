"""The quick-reply questions: which ones fit this conversation, their buttons,
and reading an answer from a tap or from typed text."""

import unicodedata
from dataclasses import dataclass

from intake.context import IntakeContext
from intake.replies import QuickReply, Reply
from intake.state import ANSWER_KEYS, State
from routing.facts import AGE_BANDS, CONTACT_VALUES

EMERGENCY_QUESTIONS: tuple[str, ...] = ("district", "contact")
ANSWER_PREFIX = "answer"
UNKNOWN = "-"  # postback value for 「わからない」

# Postback data of the other buttons.
DONE = "concern:done"
CONNECT = "help:connect"
INFO_ONLY = "help:info_only"
DELETE_YES = "delete:yes"
DELETE_NO = "delete:no"


@dataclass(frozen=True)
class Choice:
    value: str | None
    label: str


def normalise(text: str) -> str:
    """For matching typed words to labels: NFKC, no spaces, no trailing punctuation."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).rstrip("。.!！")


def button(context: IntakeContext, label_key: str, data: str) -> QuickReply:
    return QuickReply(label=context.config.catalogue.text(label_key), data=data)


def applicable(state: State, context: IntakeContext) -> tuple[str, ...]:
    """Questions that fit, in order. Emergencies ask only where and how to reach the
    person; a third party is not asked for the person's consent (recorded not_obtained)."""
    keys = EMERGENCY_QUESTIONS if state.emergency else ANSWER_KEYS
    if not context.config.districts:
        keys = tuple(k for k in keys if k != "district")
    return keys


def next_question(state: State, context: IntakeContext) -> str | None:
    return next((k for k in applicable(state, context) if k not in state.answers), None)


def _private_contact(state: State) -> bool:
    """Abuse or violence reported by the person themself: a home visit may put them at risk."""
    return "abuse_violence" in state.domains and state.answers.get("whose") == "self"


def choices(question: str, state: State, context: IntakeContext) -> list[Choice]:
    text = context.config.catalogue.text
    unknown = Choice(None, text("label_unknown"))
    if question == "whose":
        return [Choice(v, text(f"label_whose_{v}")) for v in ("self", "family", "acquaintance")]
    if question == "age_band":
        return [Choice(v, text(f"label_age_{v}")) for v in AGE_BANDS] + [unknown]
    if question == "district":
        return [Choice(d, d) for d in context.config.districts] + [unknown]
    if question == "contact":
        ways = [w for w in CONTACT_VALUES if not (w == "visit" and _private_contact(state))]
        return [Choice(w, text(f"label_contact_{w}")) for w in ways]
    if question == "consent":
        return [
            Choice("granted", text("label_yes")),
            Choice("declined", text("label_no")),
            Choice("unknown", text("label_unknown")),
        ]
    raise KeyError(question)


def _prompt_key(question: str, state: State) -> str:
    whose = state.answers.get("whose")
    if question == "age_band":
        if whose == "family" and "8050" in state.patterns:
            return "q_age_8050"
        return {"family": "q_age_family", "acquaintance": "q_age_acquaintance"}.get(whose, "q_age_self")
    if question == "district":
        return "q_district_other" if whose in ("family", "acquaintance") else "q_district"
    if question == "contact":
        return "q_contact_private" if _private_contact(state) else "q_contact"
    return f"q_{question}"


def prompt(question: str, state: State, context: IntakeContext) -> Reply:
    key = _prompt_key(question, state)
    text = context.config.catalogue.text(key, municipality=context.config.name) if key == "q_consent" else (
        context.config.catalogue.text(key)
    )
    buttons = tuple(
        QuickReply(label=c.label, data=f"{ANSWER_PREFIX}:{question}:{c.value or UNKNOWN}")
        for c in choices(question, state, context)
    )
    return Reply(key=key, text=text, quick_replies=buttons)


def parse_postback(data: str) -> tuple[str, str | None] | None:
    """(question, value or None for 「わからない」) from answer button data."""
    prefix, _, rest = data.partition(":")
    question, sep, value = rest.partition(":")
    if prefix != ANSWER_PREFIX or not sep or question not in ANSWER_KEYS:
        return None
    return question, None if value == UNKNOWN else value


def valid_answer(question: str, value: str | None, state: State, context: IntakeContext) -> bool:
    return any(c.value == value for c in choices(question, state, context))


def match_typed(question: str, text: str, state: State, context: IntakeContext) -> Choice | None:
    """A typed answer that is exactly one of the button labels (「家族のこと」, 「北地区」)."""
    typed = normalise(text)
    return next((c for c in choices(question, state, context) if normalise(c.label) == typed), None)
