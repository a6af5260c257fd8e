"""Rule-set diff and dry run: what changed, and which cases would move where."""

import json
from importlib import resources

import pytest

from nlp.labels import default_route
from routing.diff import ADDED, CHANGED, MOVED, REMOVED, diff_rule_sets
from routing.errors import LabelledFileError
from routing.facts import Facts
from routing.replay import read_labelled_jsonl, replay
from routing.rule_file import load_rules
from routing.vocabulary import SCHEMA_QUEUES

DEFAULT_TEXT = (resources.files("routing") / "default_rules.yaml").read_text(encoding="utf-8")
YOUNG_CARER_TO_CHILD = DEFAULT_TEXT.replace(
    "      queue: comprehensive\n      priority: high\n      notify: [child_parenting]\n",
    "      queue: child_parenting\n      priority: high\n",
)


def draft(text: str):
    return load_rules(text, known_queues=SCHEMA_QUEUES, source="draft.yaml")


def test_identical_rule_sets_have_no_diff(default_rules):
    assert diff_rule_sets(default_rules, draft(DEFAULT_TEXT)).empty
    assert str(diff_rule_sets(default_rules, default_rules)) == "no changes"


def test_changed_action_is_listed_field_by_field(default_rules):
    diff = diff_rule_sets(default_rules, draft(YOUNG_CARER_TO_CHILD))
    (change,) = diff.changes
    assert (change.kind, change.rule) == (CHANGED, "pattern-young-carer")
    assert change.details == ("queue: comprehensive -> child_parenting", "notify: [child_parenting] -> []")


def test_added_removed_and_moved_rules(default_rules):
    # Move `poverty` above `elderly-care`, drop `no-domain`, add a rule for urgent abuse.
    text = DEFAULT_TEXT
    poverty = text[text.index("  - id: poverty\n") : text.index("  - id: non-core\n")]
    text = text.replace(poverty, "").replace("  - id: elderly-care\n", poverty + "  - id: elderly-care\n")
    no_domain = text[text.index("  - id: no-domain\n") : text.index("  - id: fallback\n")]
    added = (
        "  - id: urgent-abuse\n    when:\n      urgency: {at_least: urgent}\n"
        "      domains: {any_of: [abuse_violence]}\n    then: {queue: emergency, priority: high}\n\n"
    )
    text = text.replace(no_domain, added)
    diff = diff_rule_sets(default_rules, draft(text))
    kinds = {(c.kind, c.rule) for c in diff.changes}
    assert kinds == {(REMOVED, "no-domain"), (ADDED, "urgent-abuse"), (MOVED, "poverty")}
    assert "urgency at_least urgent and domains any_of [abuse_violence]" in str(diff)


def test_replay_counts_moves_with_examples(default_rules):
    cases = [
        ("a", Facts(domains=frozenset({"child_parenting"}), patterns=frozenset({"young_carer"}))),
        ("b", Facts(patterns=frozenset({"young_carer"}))),
        ("c", Facts(domains=frozenset({"poverty"}))),
        ("d", Facts(patterns=frozenset({"young_carer"}), urgency="emergency")),
    ]
    report = replay(default_rules, draft(YOUNG_CARER_TO_CHILD), iter(cases), examples=1)
    assert report.total == 4 and report.moved == 2
    (move,) = report.moves
    assert (move.source, move.target, move.count, move.examples) == ("comprehensive", "child_parenting", 2, ("a",))
    assert report.before == {"comprehensive": 2, "poverty": 1, "emergency": 1}
    assert report.after == {"child_parenting": 2, "poverty": 1, "emergency": 1}
    assert "comprehensive -> child_parenting: 2 (e.g. a)" in str(report)


def test_replay_reports_cases_that_would_hit_a_deleted_queue(default_rules):
    cases = [("a", Facts(domains=frozenset({"poverty"}))), ("b", Facts(domains=frozenset({"disability"})))]
    available = set(SCHEMA_QUEUES) - {"poverty"}
    report = replay(default_rules, default_rules, cases, available_queues=available)
    assert report.moved == 0 and report.warned == ("a",)
    assert report.after["comprehensive"] == 1


def test_replay_of_the_dev_file_against_itself_moves_nothing(default_rules, dev_jsonl):
    cases = read_labelled_jsonl(dev_jsonl)
    report = replay(default_rules, default_rules, cases)
    assert report.total == len(cases) > 0 and report.moves == ()
    records = [json.loads(line) for line in dev_jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected: dict[str, int] = {}
    for r in records:
        route = default_route(r["domains"], r["patterns"], r["urgency"])
        expected[route] = expected.get(route, 0) + 1
    assert report.before == expected


def test_labelled_file_problems_are_all_reported_with_line_numbers(tmp_path):
    path = tmp_path / "labels.jsonl"
    lines = [
        {"id": "x-1", "domains": ["poverty"], "patterns": [], "urgency": "normal"},
        "not json",
        {"id": "x-1", "domains": [], "patterns": [], "urgency": "normal"},
        {"id": "x-3", "domains": ["povrty"], "patterns": [], "urgency": "normal"},
        {"id": "x-4", "domains": [], "patterns": [], "urgency": "soon"},
    ]
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    with pytest.raises(LabelledFileError) as caught:
        read_labelled_jsonl(path)
    assert [(p.line, p.code) for p in caught.value.problems] == [
        (2, "bad_record"),
        (3, "duplicate_id"),
        (4, "bad_record"),
        (5, "bad_record"),
    ]
