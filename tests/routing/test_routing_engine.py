"""The engine: exactly one queue for every fact set, with a faithful trace."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.routing.routing_strategies import QUEUES, facts, rule_sets

from routing.engine import evaluate
from routing.facts import Facts
from routing.fields import holds
from routing.rules import Action, Condition, Rule, RuleSet, RuleSetError


@given(rules=rule_sets(), case=facts)
def test_every_fact_set_gets_one_known_queue_and_a_faithful_trace(rules, case):
    decision = evaluate(rules, case)
    assert isinstance(decision.queue, str) and decision.queue in QUEUES
    tried = [t.rule for t in decision.trace]
    # The trace lists the rules in order, up to the one that decided.
    assert tried == [r.id for r in rules.rules[: len(tried)]]
    assert decision.rule == tried[-1]
    *misses, hit = decision.trace
    assert hit.matched and all(c.held for c in hit.conditions)
    rule = rules.rules[len(tried) - 1]
    assert len(hit.conditions) == len(rule.conditions)
    assert decision.queue == rule.action.queue
    for miss in misses:
        # A rule that did not match stops at its first failing condition.
        assert not miss.matched and not miss.conditions[-1].held
        assert all(c.held for c in miss.conditions[:-1])
    # Each recorded outcome is what the condition really gives for these facts.
    for rule_trace in decision.trace:
        for c in rule_trace.conditions:
            assert holds(c.field, c.op, c.expected, case)[0] == c.held


@given(rules=rule_sets(), case=facts, available=st.frozensets(st.sampled_from(QUEUES)))
def test_a_missing_queue_falls_back_to_comprehensive_with_a_warning(rules, case, available):
    decision = evaluate(rules, case, available_queues=available)
    assert decision.queue in available | {"comprehensive", "none"}
    assert set(decision.notify) <= available | {"comprehensive"}
    if decision.requested_queue != decision.queue:
        assert decision.queue == "comprehensive"
        assert [w.code for w in decision.warnings][:1] == ["queue_unavailable"]


def _one_rule(*conditions: Condition) -> RuleSet:
    return RuleSet(
        "t",
        (Rule("only", "only", Action("poverty"), conditions), Rule("fallback", "fallback", Action("comprehensive"))),
    )


@pytest.mark.parametrize(
    ("condition", "case", "matches"),
    [
        (Condition("domains", "any_of", ("poverty", "housing")), Facts(domains=frozenset({"housing"})), True),
        (Condition("domains", "all_of", ("poverty", "housing")), Facts(domains=frozenset({"housing"})), False),
        (Condition("domains", "none_of", ("poverty",)), Facts(domains=frozenset({"housing"})), True),
        (Condition("domain_count", "at_least", 2), Facts(domains=frozenset({"housing"})), False),
        (Condition("domain_count", "at_most", 1), Facts(domains=frozenset({"housing"})), True),
        (Condition("urgency", "at_least", "urgent"), Facts(urgency="emergency"), True),
        (Condition("urgency", "at_least", "urgent"), Facts(urgency="normal"), False),
        (Condition("age_band", "at_least", "65_74"), Facts(age_band="75_plus"), True),
        (Condition("age_band", "at_least", "65_74"), Facts(age_band="40_64"), False),
        # Nobody said the age: a rule cannot rely on it either way except through `known`.
        (Condition("age_band", "at_most", "40_64"), Facts(age_band=None), False),
        (Condition("whose", "is_not", "self"), Facts(whose=None), True),
        (Condition("whose", "known", False), Facts(whose=None), True),
        (Condition("district", "in", ("ohashi", "wakaba")), Facts(district="wakaba"), True),
        (Condition("office_hours", "is", False), Facts(office_hours=True), False),
        (Condition("channel", "not_in", ("simulator",)), Facts(channel="line"), True),
    ],
)
def test_operators_mean_what_they_say(condition, case, matches):
    decision = evaluate(_one_rule(condition), case)
    assert decision.queue == ("poverty" if matches else "comprehensive")
    assert decision.trace[0].conditions[0].reason.endswith("holds" if matches else "fails")


def test_deleted_queue_falls_back_visibly():
    rules = _one_rule(Condition("domains", "any_of", ("poverty",)))
    decision = evaluate(rules, Facts(domains=frozenset({"poverty"})), available_queues={"comprehensive"})
    assert (decision.queue, decision.requested_queue, decision.rule) == ("comprehensive", "poverty", "only")
    assert decision.to_dict()["warnings"][0]["code"] == "queue_unavailable"


def test_decision_serialises_to_plain_data(default_rules):
    data = evaluate(default_rules, Facts(domains=frozenset({"housing", "poverty"}))).to_dict()
    assert data["queue"] == "comprehensive" and data["rule"] == "complex"
    assert data["rule_set"] == default_rules.digest and len(data["rule_set"]) == 64
    assert data["trace"][-1]["conditions"][0] == {
        "field": "domain_count",
        "op": "at_least",
        "expected": 2,
        "actual": 2,
        "held": True,
    }


@pytest.mark.parametrize(
    "build",
    [
        lambda: RuleSet("empty", ()),
        lambda: RuleSet("no default", (Rule("a", "a", Action("poverty"), (Condition("urgency", "is", "urgent"),)),)),
        lambda: RuleSet(
            "duplicate ids",
            (
                Rule("a", "a", Action("poverty"), (Condition("urgency", "is", "urgent"),)),
                Rule("a", "a", Action("poverty")),
            ),
        ),
        lambda: Condition("urgency", "any_of", ("urgent",)),
    ],
)
def test_rule_sets_built_in_code_keep_their_shape(build):
    with pytest.raises(RuleSetError):
        build()
