"""The whitelist of facts a rule may test, and the operators each one allows.

A field's kind decides its operators: sets of labels take any_of / all_of /
none_of, counts take comparisons, single values take is / in (and at_least /
at_most when their values are ordered), optional values also take `known`,
flags take `is` only. Nothing outside this table can appear in a rule.
"""

from collections.abc import Callable
from dataclasses import dataclass

from routing.facts import AGE_BANDS, CHANNELS, CONSENT_VALUES, WHOSE_VALUES, Facts
from routing.vocabulary import DOMAINS, PATTERNS, URGENCIES

# What each operator's value looks like in a rule file.
NAMES = "names"  # a list of allowed names
NAME = "name"  # one allowed name
COUNT = "count"  # a whole number
FLAG = "flag"  # true / false

SET_OPERATORS = {"any_of": NAMES, "all_of": NAMES, "none_of": NAMES}
COUNT_OPERATORS = {"is": COUNT, "is_not": COUNT, "at_least": COUNT, "at_most": COUNT}
CHOICE_OPERATORS = {"is": NAME, "is_not": NAME, "in": NAMES, "not_in": NAMES}
ORDER_OPERATORS = {"at_least": NAME, "at_most": NAME}
KNOWN_OPERATOR = {"known": FLAG}

Value = tuple[str, ...] | str | int | bool


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label_ja: str
    operators: dict[str, str]
    # Allowed names; None when the municipality supplies them (districts).
    values: tuple[str, ...] | None
    read: Callable[[Facts], object]
    # Ordered values let at_least / at_most compare positions in `values`.
    ordered: bool = False
    maximum: int = 0


def _choice(name, label_ja, values, read, *, ordered=False, optional=False) -> FieldSpec:
    operators = dict(CHOICE_OPERATORS)
    if ordered:
        operators |= ORDER_OPERATORS
    if optional:
        operators |= KNOWN_OPERATOR
    return FieldSpec(name, label_ja, operators, values, read, ordered=ordered)


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("domains", "分野", SET_OPERATORS, DOMAINS, lambda f: f.domains),
        FieldSpec("domain_count", "分野の数", COUNT_OPERATORS, None, lambda f: len(f.domains), maximum=len(DOMAINS)),
        FieldSpec("patterns", "世帯の状況", SET_OPERATORS, PATTERNS, lambda f: f.patterns),
        _choice("urgency", "緊急度", URGENCIES, lambda f: f.urgency, ordered=True),
        _choice("whose", "誰の相談か", WHOSE_VALUES, lambda f: f.whose, optional=True),
        _choice("age_band", "年代", AGE_BANDS, lambda f: f.age_band, ordered=True, optional=True),
        _choice("district", "地区", None, lambda f: f.district, optional=True),
        _choice("consent", "同意", CONSENT_VALUES, lambda f: f.consent),
        FieldSpec("office_hours", "開庁時間内", {"is": FLAG}, None, lambda f: f.office_hours),
        _choice("channel", "経路", CHANNELS, lambda f: f.channel),
    )
}


def _position(spec: FieldSpec, value: object) -> int | None:
    assert spec.values is not None
    return spec.values.index(value) if value in spec.values else None


def holds(field: str, op: str, expected: Value, facts: Facts) -> tuple[bool, object]:
    """Whether the condition holds for these facts, and the actual value it looked at.

    An unknown optional value (None) never satisfies is / in / at_least / at_most
    and always satisfies is_not / not_in: a rule cannot rely on what nobody said.
    """
    spec = FIELDS[field]
    actual = spec.read(facts)
    if op == "any_of":
        return bool(actual & frozenset(expected)), actual
    if op == "all_of":
        return frozenset(expected) <= actual, actual
    if op == "none_of":
        return not (actual & frozenset(expected)), actual
    if op == "known":
        return (actual is not None) == expected, actual
    if op == "is":
        return actual == expected, actual
    if op == "is_not":
        return actual != expected, actual
    if op == "in":
        return actual in expected, actual
    if op == "not_in":
        return actual not in expected, actual
    if isinstance(expected, int):  # a count
        return (actual >= expected if op == "at_least" else actual <= expected), actual
    here, there = _position(spec, actual), _position(spec, expected)
    if here is None or there is None:
        return False, actual
    return (here >= there if op == "at_least" else here <= there), actual
