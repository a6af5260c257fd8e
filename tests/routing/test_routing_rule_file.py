"""Rule files: good ones load; bad ones are rejected with every problem, its line and reason."""

import textwrap

import pytest

from routing.errors import RuleFileError
from routing.rule_file import load_rules, named_queues
from routing.vocabulary import SCHEMA_QUEUES

GOOD = """\
name: テスト
rules:
  - id: emergency
    label: 緊急
    when:
      urgency: {is: emergency}
    then: {queue: emergency, priority: highest, follow_up_hours: 1}
  - id: eighty-fifty
    when:
      patterns: {any_of: [8050]}
      age_band: {at_least: 65_74}
    then:
      queue: comprehensive
      notify: [elderly_care]
  - id: fallback
    default: true
    then: {queue: comprehensive}
"""


def load(text: str, **kwargs):
    return load_rules(textwrap.dedent(text), known_queues=SCHEMA_QUEUES, **kwargs)


def problems(text: str, **kwargs) -> list[tuple[int | None, str]]:
    with pytest.raises(RuleFileError) as caught:
        load(text, **kwargs)
    assert caught.value.code == "rule_file_invalid"
    return [(p.line, p.code) for p in caught.value.problems]


def test_good_file_loads_with_typed_values_and_lines():
    rules = load(GOOD)
    assert [r.id for r in rules.rules] == ["emergency", "eighty-fifty", "fallback"]
    assert [r.line for r in rules.rules] == [3, 8, 15]
    eighty_fifty = rules.rules[1]
    # 8050 and 65_74 are YAML numbers; they must stay the names written.
    assert [(c.field, c.op, c.value) for c in eighty_fifty.conditions] == [
        ("patterns", "any_of", ("8050",)),
        ("age_band", "at_least", "65_74"),
    ]
    assert eighty_fifty.action.notify == ("elderly_care",)
    assert rules.rules[0].action.follow_up_hours == 1 and rules.default.id == "fallback"


def test_typo_in_a_field_names_the_line_and_suggests_the_field():
    text = GOOD.replace("urgency: {is: emergency}", "urgncy: {is: emergency}")
    with pytest.raises(RuleFileError) as caught:
        load(text)
    (problem,) = caught.value.problems
    assert (problem.line, problem.code) == (6, "unknown_field")
    assert "'urgncy'" in problem.message and "did you mean 'urgency'" in problem.message


def test_unknown_operator_for_the_field_type():
    # any_of is for sets; urgency is a single value.
    assert problems(GOOD.replace("{is: emergency}", "{any_of: [emergency]}")) == [(6, "unknown_operator")]


def test_unknown_value_is_rejected():
    assert problems(GOOD.replace("[8050]", "[8051]")) == [(10, "unknown_value")]


def test_unknown_queue_in_target_and_notify():
    text = GOOD.replace("queue: comprehensive\n", "queue: comprehensiv\n").replace("[elderly_care]", "[elder]")
    assert problems(text) == [(13, "unknown_queue"), (14, "unknown_queue")]


def test_bot_queue_is_a_target_but_cannot_be_notified():
    assert problems(GOOD.replace("[elderly_care]", "[none]")) == [(14, "unknown_queue")]


def test_cycle_in_co_agency_notifications():
    text = GOOD.replace(
        "    then: {queue: emergency, priority: highest, follow_up_hours: 1}",
        "    then: {queue: elderly_care, notify: [comprehensive]}",
    )
    with pytest.raises(RuleFileError) as caught:
        load(text)
    (problem,) = caught.value.problems
    assert problem.code == "notify_cycle" and problem.line in (7, 14)
    assert "elderly_care" in problem.message and "comprehensive" in problem.message


def test_queue_notifying_itself_is_a_cycle():
    assert problems(GOOD.replace("[elderly_care]", "[comprehensive]")) == [(14, "notify_cycle")]


def test_empty_rule_list():
    assert problems("name: x\nrules: []\n") == [(2, "empty_rules")]


def test_missing_default():
    text = GOOD.replace("    default: true\n", "    when: {urgency: {is: urgent}}\n")
    assert problems(text) == [(15, "missing_default")]


def test_default_must_be_last_and_without_conditions():
    text = GOOD.replace("  - id: eighty-fifty\n", "  - id: eighty-fifty\n    default: true\n")
    assert problems(text) == [(11, "default_with_conditions")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\nrules:\n  - id: a\n    when: {urgency: {is: urgent}\n", [(5, "yaml_syntax")]),
        ("name: x\nrules:\n\t- id: a\n", [(3, "yaml_syntax")]),
        ("", [(1, "empty_file")]),
        ("- just\n- a list\n", [(1, "not_a_mapping")]),
        ("name: x\n---\nname: y\n", [(2, "yaml_syntax")]),
        ("name: x\nrules: " + "[" * 5000 + "]" * 5000 + "\n", [(2, "yaml_syntax")]),  # too deep, not a crash
    ],
)
def test_broken_yaml_reports_the_line(text, expected):
    assert problems(text) == expected


def test_not_utf8_reports_the_line():
    with pytest.raises(RuleFileError) as caught:
        load_rules(b"name: x\nrules:\n  - id: \xff\n", known_queues=SCHEMA_QUEUES)
    assert [(p.line, p.code) for p in caught.value.problems] == [(3, "not_utf8")]


@pytest.mark.parametrize("escape", ["\\0", "\\e[2J", "\\x07"])
def test_control_characters_written_as_escapes_are_refused(escape):
    assert problems(GOOD.replace("label: 緊急", f'label: "緊急{escape}"')) == [(4, "control_character")]


def test_every_problem_is_reported_at_once():
    text = (
        GOOD.replace("urgency: {is: emergency}", "urgency: {is: emergncy}")
        .replace("queue: comprehensive\n", "queue: nowhere\n")
        .replace("follow_up_hours: 1", "follow_up_hours: 0")
        .replace("  - id: fallback", "  - id: emergency")
        .replace(
            "      age_band: {at_least: 65_74}\n", "      age_band: {at_least: 65_74}\n      age_band: {is: 18_39}\n"
        )
    )
    found = problems(text)
    assert found == [
        (6, "unknown_value"),
        (7, "out_of_range"),
        (12, "duplicate_key"),
        (14, "unknown_queue"),
        (16, "duplicate_rule_id"),
    ]


def test_districts_are_checked_when_the_municipality_gives_them():
    text = GOOD.replace("      age_band: {at_least: 65_74}\n", "      district: {in: [ohashi, atlantis]}\n")
    assert problems(text, known_districts={"ohashi"}) == [(11, "unknown_value")]
    assert load(text).rules[1].conditions[1].value == ("ohashi", "atlantis")


def test_error_message_names_file_line_and_reason():
    with pytest.raises(RuleFileError) as caught:
        load_rules("name: x\nrules: []\n", known_queues=SCHEMA_QUEUES, source="draft.yaml")
    assert "draft.yaml: line 2: the rule list is empty" in str(caught.value)


def test_longer_cycle_across_three_queues_is_named_in_order():
    text = """\
    name: x
    rules:
      - id: a
        when: {urgency: {is: urgent}}
        then: {queue: poverty, notify: [disability]}
      - id: b
        when: {urgency: {is: emergency}}
        then: {queue: disability, notify: [elderly_care]}
      - id: c
        when: {domain_count: {is: 0}}
        then: {queue: elderly_care, notify: [poverty]}
      - id: fallback
        default: true
        then: {queue: comprehensive, notify: [poverty]}
    """
    with pytest.raises(RuleFileError) as caught:
        load(text)
    (problem,) = caught.value.problems
    assert problem.code == "notify_cycle" and problem.line == 11
    assert "poverty -> disability -> elderly_care -> poverty" in problem.message


def test_named_queues_reads_a_stored_file_leniently_and_deep_nesting_is_no_crash():
    """Stored versions are read for their queue names before validation; a hostile one must not exhaust the stack."""
    assert named_queues(GOOD) == {"emergency", "comprehensive", "elderly_care"}
    assert named_queues(GOOD.replace("queue: comprehensive\n", "queue: removed_since\n")) >= {"removed_since"}
    assert named_queues("rules: " + "[" * 5000 + "]" * 5000 + "\n") == frozenset()
    assert named_queues("rules: [unclosed\n") == frozenset()
