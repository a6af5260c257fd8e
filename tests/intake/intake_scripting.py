"""Plays conversation scripts (tests/intake/scripts/*.yaml) through intake.flow.step.

The script format knows nothing of the flow's internals: inputs are LINE-like
turns, expectations are reply text fragments, quick-reply labels and the cases
the service would hold. See scripts/README.md. The small case book here applies
the flow's actions the way the real service must, so expectations about cases
can be checked without a database.
"""

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from intake import actions as a
from intake.commands import ClassificationReady, Follow, Media, Pause, Postback, Text, Unfollow
from intake.context import IntakeContext, MunicipalityConfig
from intake.flow import step
from intake.replies import Reply
from intake.state import State
from nlp.result import Classification

SCRIPTS = Path(__file__).parent / "scripts"
TURN_KINDS = ("follow", "unfollow", "text", "tap", "pause", "media")

BASE_CONFIG: dict = {
    "name": "みどり市",
    "office_hours": {
        "weekly": {day: ["08:30-17:15"] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [
            "2025-01-01", "2025-01-13", "2025-02-11", "2025-02-23", "2025-02-24", "2025-03-20",
            "2025-04-29", "2025-05-03", "2025-05-04", "2025-05-05", "2025-05-06", "2025-07-21",
            "2025-08-11", "2025-09-15", "2025-09-23", "2025-10-13", "2025-11-03", "2025-11-23",
            "2025-11-24", "2026-01-01", "2026-01-12",
        ],
        "annual_closures": ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"],
    },
    "districts": ["北地区", "南地区", "東地区", "西地区", "中央地区"],
    "general_info": "市のホームページ https://www.city.midori.example.jp/ ／ 総合案内 0120-000-000",
}
BASE_TARGET_HOURS = {"emergency": 1, "urgent": 8, "normal": 16}


class ScriptError(AssertionError):
    pass


@dataclass
class CaseBook:
    """The service's side, reduced to what scripts may assert."""

    cases: dict[str, dict] = field(default_factory=dict)
    resident: dict = field(default_factory=lambda: {"reachable": True, "deletion_requested": False, "deleted": False})
    latest: str | None = None

    def apply(self, action) -> None:
        if isinstance(action, a.OpenCase):
            if action.case_ref in self.cases:
                raise ScriptError(f"case {action.case_ref} opened twice")
            self.cases[action.case_ref] = {"status": "intake", "messages": len(action.message_refs),
                                           **self._facts(action.facts)}
            self.latest = action.case_ref
            return
        case = self.cases.get(getattr(action, "case_ref", None) or "")
        if isinstance(action, a.RecordClassification):
            c = action.classification
            case.update(domains=sorted(c.domains), patterns=sorted(c.patterns))
            if not case["emergency"]:
                case["urgency"] = c.urgency
        elif isinstance(action, a.AlertEmergency):
            case.update(emergency=True, urgency="emergency", alerts=case.get("alerts", 0) + 1)
        elif isinstance(action, a.AppendToCase):
            case["messages"] += 1
        elif isinstance(action, a.HandOff):
            case.update(status="open", reply_by=action.reply_by.isoformat(), **self._facts(action.facts))
        elif isinstance(action, a.CloseCase):
            case.update(status="closed", outcome=action.outcome)
        elif isinstance(action, a.MarkUnreachable | a.MarkReachable):
            self.resident["reachable"] = isinstance(action, a.MarkReachable)
        elif isinstance(action, a.StartDeletion):
            self.resident["deletion_requested"] = True
        elif isinstance(action, a.ConfirmDeletion):
            self.cases.clear()
            self.latest = None
            self.resident["deleted"] = True
        elif not isinstance(action, a.ShowLoading | a.RequestClassification):
            raise ScriptError(f"unknown action {action!r}")

    @staticmethod
    def _facts(facts: a.CaseFacts) -> dict:
        return {"domains": sorted(facts.domains), "patterns": sorted(facts.patterns), "urgency": facts.urgency,
                "whose": facts.whose, "age_band": facts.age_band, "district": facts.district,
                "contact": facts.contact, "consent": facts.consent, "consent_by": facts.consent_by,
                "emergency": facts.emergency}


def load_script(path: Path) -> dict:
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(script, dict) or not script.get("title") or not script.get("turns"):
        raise ScriptError(f"{path.name}: a script needs a title and turns")
    for number, turn in enumerate(script["turns"], 1):
        kinds = [k for k in TURN_KINDS if k in turn]
        if len(kinds) != 1:
            raise ScriptError(f"{path.name} turn {number}: exactly one of {TURN_KINDS} expected")
    return script


def build_config(script: dict) -> MunicipalityConfig:
    data = copy.deepcopy(BASE_CONFIG)
    data.update(script.get("config", {}))
    return MunicipalityConfig.from_dict(data)


class Player:
    def __init__(self, script: dict, name: str):
        self.name = name
        self.script = script
        self.config = build_config(script)
        targets = {**BASE_TARGET_HOURS, **script.get("target_hours", {})}
        self.target_hours_for = lambda facts: float(targets[facts.urgency])
        self.state = State()
        self.book = CaseBook()
        self.at = datetime.fromisoformat(str(script.get("start", "2025-06-02T10:00:00+09:00")))
        self.last_replies: tuple[Reply, ...] = ()
        self.refs = 0

    def context(self) -> IntakeContext:
        return IntakeContext(config=self.config, target_hours_for=self.target_hours_for,
                             new_case_ref=f"MD-{len(self.book.cases) + 1:04d}", channel="simulator")

    def _ref(self) -> str:
        self.refs += 1
        return f"msg-{self.refs}"

    def command(self, turn: dict):
        at = self.at
        if "follow" in turn:
            return Follow(at=at, is_unblocked=bool((turn["follow"] or {}).get("unblocked", False)))
        if "unfollow" in turn:
            return Unfollow(at=at)
        if "text" in turn:
            return Text(at=at, ref=self._ref(), text=str(turn["text"]), crisis=bool(turn.get("crisis", False)))
        if "pause" in turn:
            return Pause(at=at)
        if "media" in turn:
            return Media(at=at, ref=self._ref(), kind=turn["media"])
        buttons = self.last_replies[-1].quick_replies if self.last_replies else ()
        data = next((b.data for b in buttons if b.label == turn["tap"]), None)
        if data is None:
            raise ScriptError(f"{self.name}: no button {turn['tap']!r}; shown: {[b.label for b in buttons]}")
        return Postback(at=at, data=data)

    def _step(self, command, classification: Classification | None):
        transition = step(self.state, command, classification, self.context())
        # The session store keeps JSON: every state must survive the round trip.
        self.state = State.from_dict(json.loads(json.dumps(transition.state.to_dict())))
        for action in transition.actions:
            self.book.apply(action)
        return transition

    def play_turn(self, number: int, turn: dict) -> None:
        if "at" in turn:
            at = datetime.fromisoformat(str(turn["at"]))
            if at < self.at:
                raise ScriptError(f"{self.name} turn {number}: time goes backwards")
            self.at = at
        transition = self._step(self.command(turn), None)
        replies = list(transition.replies)
        if any(isinstance(x, a.RequestClassification) for x in transition.actions):
            labels = turn.get("classify")
            if labels is None:
                raise ScriptError(f"{self.name} turn {number}: the concern closed; say `classify:`")
            classification = Classification(domains=tuple(labels.get("domains", ())),
                                            patterns=tuple(labels.get("patterns", ())),
                                            urgency=labels.get("urgency", "normal"))
            replies += self._step(ClassificationReady(at=self.at), classification).replies
        elif "classify" in turn:
            raise ScriptError(f"{self.name} turn {number}: `classify:` given but nothing was classified")
        if len(replies) > 5:
            raise ScriptError(f"{self.name} turn {number}: {len(replies)} messages exceed LINE's 5 per reply")
        if replies:
            self.last_replies = tuple(replies)
        check(f"{self.name} turn {number}", turn.get("expect", {}), replies, self.book)
        self.at += timedelta(minutes=1)

    def play(self) -> CaseBook:
        for number, turn in enumerate(self.script["turns"], 1):
            self.play_turn(number, turn)
        return self.book


def check(where: str, expect: dict, replies: list[Reply], book: CaseBook) -> None:
    text = "\n".join(r.text for r in replies)
    if expect.get("silent") and replies:
        raise ScriptError(f"{where}: expected no reply, got {text!r}")
    for fragment in expect.get("says", ()):
        if fragment not in text:
            raise ScriptError(f"{where}: {fragment!r} not in replies:\n{text}")
    for fragment in expect.get("not_says", ()):
        if fragment in text:
            raise ScriptError(f"{where}: {fragment!r} should not be in replies:\n{text}")
    if "bubbles" in expect and len(replies) != expect["bubbles"]:
        raise ScriptError(f"{where}: {len(replies)} bubbles, expected {expect['bubbles']}")
    if "quick_replies" in expect:
        shown = [b.label for b in replies[-1].quick_replies] if replies else []
        if shown != list(expect["quick_replies"]):
            raise ScriptError(f"{where}: quick replies {shown}, expected {expect['quick_replies']}")
    if "cases" in expect and len(book.cases) != expect["cases"]:
        raise ScriptError(f"{where}: {len(book.cases)} cases, expected {expect['cases']}")
    if "case" in expect:
        if book.latest is None:
            raise ScriptError(f"{where}: expected a case, there is none")
        case = book.cases[book.latest]
        for key, want in expect["case"].items():
            got = case.get(key)
            if isinstance(want, list):
                want = sorted(want)
            if got != want:
                raise ScriptError(f"{where}: case {key} is {got!r}, expected {want!r}")
    for key, want in expect.get("resident", {}).items():
        if book.resident[key] != want:
            raise ScriptError(f"{where}: resident {key} is {book.resident[key]!r}, expected {want!r}")
