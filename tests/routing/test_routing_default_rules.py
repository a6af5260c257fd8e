"""The shipped rule set implements the SCHEMA default route exactly."""

import json

from hypothesis import given
from hypothesis import strategies as st

from nlp.labels import DOMAINS, PATTERNS, URGENCIES, default_route
from routing.engine import evaluate
from routing.facts import Facts


def test_default_rules_agree_with_schema_route_on_every_dev_line(default_rules, dev_jsonl):
    lines = [json.loads(line) for line in dev_jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines, "dev.jsonl has no labelled lines"
    disagreements = []
    for record in lines:
        facts = Facts(
            domains=frozenset(record["domains"]), patterns=frozenset(record["patterns"]), urgency=record["urgency"]
        )
        expected = default_route(record["domains"], record["patterns"], record["urgency"])
        got = evaluate(default_rules, facts).queue
        if got != expected:
            disagreements.append((record["id"], expected, got))
    assert disagreements == []


@given(
    domains=st.frozensets(st.sampled_from(DOMAINS)),
    patterns=st.frozensets(st.sampled_from(PATTERNS)),
    urgency=st.sampled_from(URGENCIES),
)
def test_default_rules_agree_with_schema_route_on_any_labels(default_rules, domains, patterns, urgency):
    decision = evaluate(default_rules, Facts(domains=domains, patterns=patterns, urgency=urgency))
    assert decision.queue == default_route(domains, patterns, urgency)


def test_default_rules_load_against_demo_city_queues(demo_city):
    # The shipped rules only name queues that the demo city staffs (plus the bot's `none`).
    from routing.rule_file import load_default_rules

    rules = load_default_rules(demo_city.queue_keys)
    assert rules.queues - {"none"} <= demo_city.queue_keys


def test_pattern_cases_notify_the_field_agency(default_rules):
    # 8050: the comprehensive team leads, the 地域包括支援センター is told.
    decision = evaluate(default_rules, Facts(domains=frozenset({"isolation"}), patterns=frozenset({"8050"})))
    assert (decision.queue, decision.notify, decision.priority) == ("comprehensive", ("elderly_care",), "high")
