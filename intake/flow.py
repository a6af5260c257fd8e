"""The intake conversation as a pure state machine.

    step(state, command, classification, context) -> Transition

No I/O and no clock: time comes from the command, the municipality and the case
reference from the context. The order of checks is the safety order: crisis words
first in every phase, then the commands 最初から / 終了 / 削除, then the phase.
"""

from nlp.result import Classification

from intake.actions import (
    ConfirmDeletion,
    MarkReachable,
    MarkUnreachable,
    RequestClassification,
    ShowLoading,
    StartDeletion,
)
from intake.asking import (
    ask_next,
    hand_off,
    keep_message,
    offer_help,
    on_asking,
    on_classified,
    on_offering_help,
    raise_emergency,
)
from intake.commands import ClassificationReady, Command, Follow, Media, Pause, Postback, Text, Unfollow
from intake.context import IntakeContext
from intake.errors import InvalidCommand
from intake.questions import DELETE_NO, DELETE_YES, DONE, button, normalise, prompt
from intake.replies import QuickReply, Transition
from intake.state import State
from intake.turn import Turn

RESTART, END, DELETE = "最初から", "終了", "削除"
LOADING_SECONDS = 20


def step(
    state: State, command: Command, classification: Classification | None, context: IntakeContext
) -> Transition:
    if (classification is None) != (not isinstance(command, ClassificationReady)):
        raise InvalidCommand("a classification comes with ClassificationReady and only with it")
    turn = Turn(state, context, command.at)
    if isinstance(command, Unfollow):
        turn.act(MarkUnreachable(case_ref=turn.state.case_ref))
    elif isinstance(command, Follow):
        _on_follow(turn, command)
    elif isinstance(command, ClassificationReady):
        if turn.state.phase == "classifying":
            on_classified(turn, classification)
    elif isinstance(command, Text) and command.crisis:
        _on_crisis(turn, command)
    elif isinstance(command, Text) and normalise(command.text) in (RESTART, END, DELETE):
        _on_command_word(turn, normalise(command.text))
    else:
        _PHASES[turn.state.phase](turn, command)
    return turn.transition()


def _on_follow(turn: Turn, command: Follow) -> None:
    state = turn.state
    if state.phase == "new" and not command.is_unblocked:
        turn.say("greeting", municipality=turn.municipality)
        _say_notice(turn)
        turn.say("notice_emergency", contacts=turn.contacts())
        turn.say("ask_concern")
        state.phase = "collecting"
        return
    turn.act(MarkReachable(case_ref=state.case_ref))
    turn.say("welcome_back")
    if state.phase == "new":
        state.phase = "collecting"
    _reprompt(turn)


def _say_notice(turn: Turn) -> None:
    turn.say("notice", municipality=turn.municipality, office_hours=turn.office_hours_text())
    if not turn.is_open:
        turn.say("notice_closed", next_opening=turn.next_opening_text())


def _reprompt(turn: Turn) -> None:
    """Show again what the conversation is waiting for (after a pause, unblock or cancel)."""
    state = turn.state
    if state.phase == "collecting":
        if state.concern_refs:
            turn.say("concern_ack", quick=(button(turn.context, "label_done", DONE),))
        else:
            turn.say("ask_concern")
    elif state.phase == "asking":
        turn.say_reply(prompt(state.question, state, turn.context))
    elif state.phase == "offering_help":
        offer_help(turn)
    elif state.phase == "handed_off":
        turn.say("handed_off_reminder", case_ref=state.case_ref)
    elif state.phase == "confirming_deletion":
        _ask_delete(turn)


def _on_crisis(turn: Turn, command: Text) -> None:
    state = turn.state
    paused_deletion = state.phase == "confirming_deletion"
    if paused_deletion:
        state.phase, state.resume_phase = state.resume_phase, None
    if state.phase == "new":
        state.phase = "collecting"
    if state.phase == "collecting":
        state.concern_refs.append(command.ref)
    keep_message(turn, command.ref)
    raise_emergency(turn, "crisis_words")
    if paused_deletion:
        turn.say("delete_paused")
    if state.phase == "collecting":
        _classify(turn)
    elif state.phase in ("asking", "offering_help"):
        ask_next(turn)


def _on_command_word(turn: Turn, word: str) -> None:
    state = turn.state
    if word == DELETE:
        if state.phase != "confirming_deletion":
            turn.act(StartDeletion())
            state.resume_phase, state.phase = state.phase, "confirming_deletion"
        _ask_delete(turn)
        return
    case_ref = state.case_ref
    if state.case_in_intake:
        # What the resident already told stays with staff rather than vanishing.
        hand_off(turn, tell=False)
    turn.state = State()
    if word == RESTART:
        if case_ref:
            turn.say("restart_after_case", case_ref=case_ref)
        else:
            turn.say("restart")
        turn.say("ask_concern")
        turn.state.phase = "collecting"
    elif case_ref:
        turn.say("end_after_case", case_ref=case_ref)
    else:
        turn.say("end")


def _delete_buttons(turn: Turn) -> tuple[QuickReply, ...]:
    return (button(turn.context, "label_delete_yes", DELETE_YES), button(turn.context, "label_delete_no", DELETE_NO))


def _ask_delete(turn: Turn) -> None:
    turn.say("delete_confirm", quick=_delete_buttons(turn))


def _on_confirming_deletion(turn: Turn, command: Command) -> None:
    state = turn.state
    typed = normalise(command.text) if isinstance(command, Text) else None
    data = command.data if isinstance(command, Postback) else None
    if data == DELETE_YES or typed == normalise(turn.text("label_delete_yes")):
        turn.act(ConfirmDeletion())
        turn.say("delete_done")
        turn.state = State()
    elif data == DELETE_NO or typed == normalise(turn.text("label_delete_no")):
        state.phase, state.resume_phase = state.resume_phase, None
        turn.say("delete_cancelled")
        _reprompt(turn)
    elif not isinstance(command, Pause):
        if isinstance(command, Text | Media):
            keep_message(turn, command.ref)
        turn.say("delete_reask", quick=_delete_buttons(turn))


def _on_new(turn: Turn, command: Command) -> None:
    """A message without a greeting (after 終了, a deletion, or an old friendship)."""
    if isinstance(command, Pause):
        return
    turn.state.phase = "collecting"
    if isinstance(command, Text):
        _say_notice(turn)
        _on_collecting(turn, command)
    elif isinstance(command, Media):
        keep_message(turn, command.ref)
        turn.say("media")
    else:
        turn.say("ask_concern")


def _is_done(turn: Turn, command: Command) -> bool:
    if isinstance(command, Postback):
        return command.data == DONE
    return isinstance(command, Text) and normalise(command.text) == normalise(turn.text("label_done"))


def _on_collecting(turn: Turn, command: Command) -> None:
    state = turn.state
    if _is_done(turn, command) or (isinstance(command, Pause) and state.concern_refs):
        if state.concern_refs:
            _classify(turn)
        else:
            turn.say("concern_empty")
    elif isinstance(command, Text):
        keep_message(turn, command.ref)
        state.concern_refs.append(command.ref)
        # Acknowledge once; later messages arrive in a burst and the pause closes them.
        if len(state.concern_refs) == 1:
            turn.say("concern_ack", quick=(button(turn.context, "label_done", DONE),))
    elif isinstance(command, Media):
        keep_message(turn, command.ref)
        quick = (button(turn.context, "label_done", DONE),) if state.concern_refs else ()
        turn.say("media", quick=quick)
    elif isinstance(command, Postback):
        _reprompt(turn)


def _classify(turn: Turn) -> None:
    state = turn.state
    state.phase = "classifying"
    turn.act(ShowLoading(seconds=LOADING_SECONDS))
    turn.act(RequestClassification(message_refs=tuple(state.concern_refs)))


def _on_classifying(turn: Turn, command: Command) -> None:
    """Messages written while the classifier runs join the case when it opens."""
    if isinstance(command, Text | Media):
        keep_message(turn, command.ref)


def _on_handed_off(turn: Turn, command: Command) -> None:
    """Quiet: messages join the case thread; only a stale button gets a reminder."""
    if isinstance(command, Text | Media):
        keep_message(turn, command.ref)
    elif isinstance(command, Postback):
        turn.say("handed_off_reminder", case_ref=turn.state.case_ref)


_PHASES = {
    "new": _on_new,
    "collecting": _on_collecting,
    "classifying": _on_classifying,
    "offering_help": on_offering_help,
    "asking": on_asking,
    "handed_off": _on_handed_off,
    "confirming_deletion": _on_confirming_deletion,
}
