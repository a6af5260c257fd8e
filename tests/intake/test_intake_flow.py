"""Flow invariants that hold in every phase, beyond the scripted conversations."""

import itertools
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.intake.intake_scripting import BASE_CONFIG

from intake import actions as a
from intake.commands import ClassificationReady, Follow, Media, Pause, Postback, Text, Unfollow
from intake.context import IntakeContext, MunicipalityConfig
from intake.errors import IntakeError, InvalidCommand
from intake.flow import step
from intake.questions import DELETE_NO, DELETE_YES, DONE, INFO_ONLY
from intake.replies import QuickReply, Reply, Transition
from intake.state import State
from nlp.result import Classification, fallback_classification

CONFIG = MunicipalityConfig.from_dict(BASE_CONFIG)
START = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)  # Monday 10:00 in Tokyo
CASE_NUMBERS = itertools.count(1)


def context(ref: str = "MD-0001") -> IntakeContext:
    return IntakeContext(config=CONFIG, target_hours_for=lambda facts: 8.0, new_case_ref=ref)


def run(state: State, command, classification=None) -> Transition:
    """Step like the service: classify right away when asked."""
    t = step(state, command, classification, context(f"MD-{next(CASE_NUMBERS):04d}"))
    if any(isinstance(x, a.RequestClassification) for x in t.actions):
        done = step(t.state, ClassificationReady(at=command.at), Classification(("poverty",), (), "normal"), context())
        return Transition(state=done.state, replies=t.replies + done.replies, actions=t.actions + done.actions)
    return t


# Any resident event the flow can meet, including stale buttons and commands.
events = st.lists(
    st.one_of(
        st.builds(lambda u: ("follow", u), st.booleans()),
        st.just(("unfollow", None)),
        st.builds(lambda t: ("text", t), st.sampled_from(
            ["困っています", "これで全部です", "最初から", "終了", "削除", "削除する", "やめる", "家族のこと", "北地区", "はい"])),
        st.builds(lambda d: ("tap", d), st.sampled_from(
            [DONE, INFO_ONLY, DELETE_YES, DELETE_NO, "answer:whose:self", "answer:age_band:-", "answer:district:北地区",
             "answer:contact:line", "answer:consent:granted", "answer:whose:nonsense", "garbage"])),
        st.just(("pause", None)),
        st.just(("media", "sticker")),
    ),
    max_size=14,
)


def play(state: State, script, at: datetime) -> tuple[State, datetime]:
    for n, (kind, value) in enumerate(script):
        at += timedelta(minutes=3)
        command = {
            "follow": lambda: Follow(at=at, is_unblocked=value),
            "unfollow": lambda: Unfollow(at=at),
            "text": lambda: Text(at=at, ref=f"r{n}", text=value),
            "tap": lambda: Postback(at=at, data=value),
            "pause": lambda: Pause(at=at),
            "media": lambda: Media(at=at, ref=f"r{n}", kind=value),
        }[kind]()
        state = run(state, command).state
        # What the session store keeps survives JSON.
        state = State.from_dict(json.loads(json.dumps(state.to_dict())))
    return state, at


@settings(max_examples=150, deadline=None)
@given(events)
def test_crisis_words_get_the_emergency_reply_and_an_alert_in_every_phase(script):
    state, at = play(State(), script, START)
    t = run(state, Text(at=at + timedelta(minutes=1), ref="crisis", text="死にたい", crisis=True))
    assert t.replies[0].key == "emergency"
    assert "いのちの電話 0570-783-556" in t.replies[0].text
    alerts = [x for x in t.actions if isinstance(x, a.AlertEmergency)]
    assert len(alerts) == 1 and alerts[0].case_ref == t.state.case_ref
    # The alerted case exists: opened in this step or earlier.
    assert t.state.emergency and t.state.case_ref is not None


@settings(max_examples=100, deadline=None)
@given(events)
def test_step_never_changes_the_state_it_was_given(script):
    state, at = play(State(), script, START)
    before = state.to_dict()
    run(state, Text(at=at, ref="x", text="もう少し書きます"))
    run(state, Postback(at=at, data="answer:whose:family"))
    assert state.to_dict() == before


def test_a_classification_only_comes_with_classification_ready():
    at = START
    with pytest.raises(InvalidCommand):
        step(State(), Text(at=at, ref="r", text="x"), fallback_classification(), context())
    with pytest.raises(InvalidCommand):
        step(State(phase="classifying"), ClassificationReady(at=at), None, context())


def test_a_late_classification_outside_classifying_changes_nothing():
    state = State(phase="handed_off", case_ref="MD-0001", handed_off_at=START)
    t = step(state, ClassificationReady(at=START), fallback_classification(), context())
    assert t.replies == () and t.actions == () and t.state.to_dict() == state.to_dict()


def test_a_degraded_classification_still_reaches_a_person():
    # The classifier failed: no domains, but the resident is asked the questions, not sent away.
    state = State(phase="classifying", concern_refs=["r1"], pending_refs=["r1"])
    t = step(state, ClassificationReady(at=START), fallback_classification(), context())
    assert t.state.phase == "asking"
    assert [type(x) for x in t.actions] == [a.OpenCase, a.RecordClassification]
    assert t.actions[0].message_refs == ("r1",)


def test_unfollow_sends_nothing_and_marks_the_case_unreachable():
    state = State(phase="handed_off", case_ref="MD-0007", handed_off_at=START)
    t = step(state, Unfollow(at=START), None, context())
    assert t.replies == () and t.actions == (a.MarkUnreachable(case_ref="MD-0007"),)


def test_concern_is_classified_from_its_own_messages_in_order():
    state = State(phase="collecting")
    for ref in ("r1", "r2"):
        state = step(state, Text(at=START, ref=ref, text="…"), None, context()).state
    state = step(state, Media(at=START, ref="r3", kind="image"), None, context()).state
    t = step(state, Pause(at=START), None, context())
    assert t.replies == ()
    assert t.actions == (a.ShowLoading(seconds=20), a.RequestClassification(message_refs=("r1", "r2")))
    opened = step(t.state, ClassificationReady(at=START), Classification(("poverty",), (), "normal"), context())
    assert opened.actions[0] == a.OpenCase(case_ref="MD-0001", message_refs=("r1", "r2", "r3"),
                                           facts=opened.actions[0].facts)


def test_pause_without_a_concern_does_nothing():
    t = step(State(phase="collecting"), Pause(at=START), None, context())
    assert t.replies == () and t.actions == () and t.state.phase == "collecting"


@pytest.mark.parametrize("replies", [
    [Reply("k", "a")] * 6,
    [Reply("k", "a", (QuickReply("x", "d"),)), Reply("k", "b")],
    [Reply("k", "a", tuple(QuickReply(str(i), "d") for i in range(14)))],
    [Reply("k", "a", (QuickReply("あ" * 21, "d"),))],
    [Reply("k", "")],
])
def test_transitions_outside_line_limits_are_refused(replies):
    with pytest.raises(IntakeError):
        Transition(state=State(), replies=tuple(replies))


@pytest.mark.parametrize("build", [
    lambda: Text(at=datetime(2025, 6, 2, 10, 0), ref="r", text="naive time"),
    lambda: Text(at=START, ref="", text="no ref"),
    lambda: Media(at=START, ref="r", kind="gif"),
])
def test_malformed_commands_are_refused(build):
    with pytest.raises(InvalidCommand):
        build()


def test_intake_imports_neither_flask_nor_linebot():
    code = ("import sys, intake.flow, intake.catalogue, intake.office_hours;"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'linebot')];"
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
