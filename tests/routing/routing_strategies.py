"""Hypothesis strategies for facts and for valid rule sets built from the field whitelist."""

from hypothesis import strategies as st

from routing.facts import AGE_BANDS, CHANNELS, CONSENT_VALUES, WHOSE_VALUES, Facts
from routing.fields import COUNT, FIELDS, FLAG, NAME, NAMES
from routing.rules import Action, Condition, Rule, RuleSet
from routing.vocabulary import DOMAINS, PATTERNS, PRIORITIES, URGENCIES

DISTRICTS = ("ohashi", "honmachi", "hamada")
QUEUES = ("emergency", "comprehensive", "elderly_care", "disability", "child_parenting", "poverty", "none")

facts = st.builds(
    Facts,
    domains=st.frozensets(st.sampled_from(DOMAINS)),
    patterns=st.frozensets(st.sampled_from(PATTERNS)),
    urgency=st.sampled_from(URGENCIES),
    whose=st.none() | st.sampled_from(WHOSE_VALUES),
    age_band=st.none() | st.sampled_from(AGE_BANDS),
    district=st.none() | st.sampled_from(DISTRICTS),
    consent=st.sampled_from(CONSENT_VALUES),
    office_hours=st.booleans(),
    channel=st.sampled_from(CHANNELS),
)


@st.composite
def conditions(draw):
    field = draw(st.sampled_from(sorted(FIELDS)))
    spec = FIELDS[field]
    op = draw(st.sampled_from(sorted(spec.operators)))
    shape = spec.operators[op]
    names = spec.values if spec.values is not None else DISTRICTS
    if shape == FLAG:
        value = draw(st.booleans())
    elif shape == COUNT:
        value = draw(st.integers(0, spec.maximum))
    elif shape == NAME:
        value = draw(st.sampled_from(names))
    else:
        assert shape == NAMES
        value = tuple(draw(st.lists(st.sampled_from(names), min_size=1, unique=True)))
    return Condition(field, op, value)


actions = st.builds(Action, queue=st.sampled_from(QUEUES), priority=st.sampled_from(PRIORITIES))


@st.composite
def rule_sets(draw):
    count = draw(st.integers(0, 6))
    rules = [
        Rule(f"r{i}", f"rule {i}", draw(actions), tuple(draw(st.lists(conditions(), min_size=1, max_size=3))))
        for i in range(count)
    ]
    rules.append(Rule("fallback", "fallback", draw(actions)))
    return RuleSet("generated", tuple(rules))
