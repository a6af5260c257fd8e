"""From a classified concern to a handed-off case: emergencies, the optional offer of
general information, the quick-reply questions and the summary."""

from nlp.result import Classification

from intake.actions import (
    AlertEmergency,
    AppendToCase,
    CloseCase,
    HandOff,
    OpenCase,
    RecordClassification,
)
from intake.commands import Command, Media, Postback, Text
from intake.questions import (
    CONNECT,
    INFO_ONLY,
    button,
    match_typed,
    next_question,
    normalise,
    parse_postback,
    prompt,
    valid_answer,
)
from intake.state import State
from intake.turn import Turn


def keep_message(turn: Turn, ref: str) -> None:
    """A message goes on the case thread, or waits for the case to be opened."""
    if turn.state.case_ref is None:
        turn.state.pending_refs.append(ref)
    else:
        turn.act(AppendToCase(case_ref=turn.state.case_ref, message_ref=ref))


def open_case(turn: Turn) -> str:
    state = turn.state
    if state.case_ref is None:
        state.case_ref = turn.context.new_case_ref
        turn.act(OpenCase(case_ref=state.case_ref, message_refs=tuple(state.pending_refs), facts=turn.facts()))
        state.pending_refs = []
    return state.case_ref


def raise_emergency(turn: Turn, reason: str) -> None:
    """Emergency numbers and the alert come first, whatever else fails later."""
    turn.state.emergency = True
    case_ref = open_case(turn)
    turn.act(AlertEmergency(case_ref=case_ref, reason=reason))
    text = turn.text("emergency", contacts=turn.contacts(), municipality=turn.municipality)
    if not turn.is_open:
        text += "\n\n" + turn.text("emergency_closed", municipality=turn.municipality)
    turn.say_text("emergency", text)


def on_classified(turn: Turn, classification: Classification) -> None:
    state = turn.state
    state.domains = list(classification.domains)
    state.patterns = list(classification.patterns)
    state.urgency = classification.urgency
    state.degraded = classification.degraded
    state.concern_refs = []
    case_ref = open_case(turn)
    turn.act(RecordClassification(case_ref=case_ref, classification=classification))
    if classification.urgency == "emergency" and not state.emergency:
        raise_emergency(turn, "classifier")
    if not state.emergency and classification.route == "none" and not classification.degraded:
        offer_help(turn)
    else:
        ask_next(turn, intro=not state.emergency)


def offer_help(turn: Turn) -> None:
    turn.state.phase = "offering_help"
    turn.say(
        "offer_help",
        municipality=turn.municipality,
        general_info=turn.context.config.general_info,
        quick=(button(turn.context, "label_connect", CONNECT), button(turn.context, "label_info_only", INFO_ONLY)),
    )


def on_offering_help(turn: Turn, command: Command) -> None:
    """Nothing was detected; a person is one tap away, and more writing means 'connect'."""
    typed = normalise(command.text) if isinstance(command, Text) else None
    data = command.data if isinstance(command, Postback) else None
    if data == INFO_ONLY or typed == normalise(turn.text("label_info_only")):
        turn.act(CloseCase(case_ref=turn.state.case_ref, outcome="information_given"))
        turn.say("info_only_done")
        turn.state = State()
        return
    if isinstance(command, Text | Media):
        keep_message(turn, command.ref)
    if isinstance(command, Text) or data == CONNECT:
        ask_next(turn, intro=True)
    elif isinstance(command, Media):
        turn.say("media")
        offer_help(turn)
    elif isinstance(command, Postback):
        turn.say("stale_button")
        offer_help(turn)


def ask_next(turn: Turn, *, intro: bool = False) -> None:
    state = turn.state
    question = next_question(state, turn.context)
    if question is None:
        hand_off(turn, tell=True)
        return
    state.phase, state.question, state.retries = "asking", question, 0
    if intro:
        turn.say("questions_intro")
    turn.say_reply(prompt(question, state, turn.context))


def record_answer(turn: Turn, question: str, value: str | None) -> None:
    state = turn.state
    state.answers[question] = value
    if question == "whose" and value == "acquaintance":
        # A neighbour cannot consent for the person concerned.
        state.answers["consent"] = "not_obtained"
        state.consent_by, state.consent_at = "acquaintance", turn.at
    if question == "consent":
        state.consent_by, state.consent_at = state.answers.get("whose"), turn.at


def on_asking(turn: Turn, command: Command) -> None:
    state, question = turn.state, turn.state.question
    if isinstance(command, Postback):
        parsed = parse_postback(command.data)
        if parsed and parsed[0] == question and valid_answer(question, parsed[1], state, turn.context):
            record_answer(turn, question, parsed[1])
            ask_next(turn)
        else:
            turn.say("stale_button")
            turn.say_reply(prompt(question, state, turn.context))
    elif isinstance(command, Media):
        keep_message(turn, command.ref)
        turn.say("media")
        turn.say_reply(prompt(question, state, turn.context))
    elif isinstance(command, Text):
        keep_message(turn, command.ref)
        choice = match_typed(question, command.text, state, turn.context)
        if choice is not None:
            record_answer(turn, question, choice.value)
            ask_next(turn)
        elif state.retries == 0:
            state.retries = 1
            turn.say("reask")
            turn.say_reply(prompt(question, state, turn.context))
        else:
            record_answer(turn, question, None)
            turn.say("skip_question")
            ask_next(turn)


def _summary(turn: Turn) -> str:
    answers = turn.state.answers
    values = {
        "whose": answers.get("whose") and turn.text(f"label_whose_{answers['whose']}"),
        "age_band": answers.get("age_band") and turn.text(f"label_age_{answers['age_band']}"),
        "district": answers.get("district"),
        "contact": answers.get("contact") and turn.text(f"label_contact_{answers['contact']}"),
        "consent": answers.get("consent") in ("granted", "declined") and turn.text(f"consent_{answers['consent']}"),
    }
    return "\n".join(
        turn.text("summary_line", label=turn.text(f"summary_{key}"), value=value)
        for key, value in values.items()
        if value
    )


def hand_off(turn: Turn, *, tell: bool) -> None:
    """Route the case to staff; `tell` adds the summary, reply time and what to do meanwhile."""
    state, context = turn.state, turn.context
    case_ref = open_case(turn)
    facts = turn.facts()
    hours = context.config.office_hours
    reply_by = hours.expected_reply_by(turn.at, context.target_hours_for(facts.routing_facts(context.channel)))
    turn.act(HandOff(case_ref=case_ref, facts=facts, reply_by=reply_by))
    state.phase, state.question, state.handed_off_at = "handed_off", None, turn.at
    if not tell:
        return
    turn.say_text("handoff", turn.text("handoff", case_ref=case_ref, summary=_summary(turn)).rstrip())
    shown = hours.display_reply_by(reply_by)
    if turn.is_open:
        turn.say("reply_open", reply_by=shown)
    else:
        turn.say("reply_closed", reply_by=shown, office_hours=turn.office_hours_text())
    turn.say("meanwhile", urgent_contacts=turn.urgent_contacts())
