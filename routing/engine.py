"""The pure routing engine: facts in, exactly one decision out, with the reasons.

`evaluate` tries the rules in order and stops at the first whose conditions all
hold; the default rule (last, no conditions) always holds, so every fact set
gets a queue. A queue that no longer exists is replaced by the comprehensive
queue with a warning in the decision: a case never lands nowhere.
"""

from collections.abc import Collection
from dataclasses import dataclass

from routing.facts import Facts
from routing.fields import Value, holds
from routing.rules import Condition, RuleSet
from routing.vocabulary import BOT_QUEUE, FALLBACK_QUEUE


@dataclass(frozen=True)
class ConditionTrace:
    field: str
    op: str
    expected: Value
    actual: object
    held: bool

    @property
    def reason(self) -> str:
        condition = Condition(self.field, self.op, self.expected).describe()
        return f"{condition}: actual {_show(self.actual)} -> {'holds' if self.held else 'fails'}"

    def to_dict(self) -> dict:
        expected = list(self.expected) if isinstance(self.expected, tuple) else self.expected
        return {
            "field": self.field,
            "op": self.op,
            "expected": expected,
            "actual": _plain(self.actual),
            "held": self.held,
        }


@dataclass(frozen=True)
class RuleTrace:
    rule: str
    matched: bool
    # Conditions in rule order, up to and including the first that failed.
    conditions: tuple[ConditionTrace, ...]

    def to_dict(self) -> dict:
        return {"rule": self.rule, "matched": self.matched, "conditions": [c.to_dict() for c in self.conditions]}


@dataclass(frozen=True)
class DecisionWarning:
    code: str  # queue_unavailable | notify_unavailable
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Decision:
    queue: str
    priority: str
    rule: str
    trace: tuple[RuleTrace, ...]
    follow_up_hours: int | None = None
    notify: tuple[str, ...] = ()
    # The queue the rule named; differs from `queue` only after a fallback.
    requested_queue: str = ""
    warnings: tuple[DecisionWarning, ...] = ()
    rule_set: str = ""  # digest of the rule set that decided

    def to_dict(self) -> dict:
        """Plain JSON-ready data, stored with the case beside the rule-set version."""
        return {
            "queue": self.queue,
            "priority": self.priority,
            "rule": self.rule,
            "follow_up_hours": self.follow_up_hours,
            "notify": list(self.notify),
            "requested_queue": self.requested_queue,
            "warnings": [w.to_dict() for w in self.warnings],
            "rule_set": self.rule_set,
            "trace": [t.to_dict() for t in self.trace],
        }


def evaluate(rules: RuleSet, facts: Facts, available_queues: Collection[str] | None = None) -> Decision:
    """Route one case. `available_queues`: the queues that exist now (None: all that the rules name)."""
    trace: list[RuleTrace] = []
    for rule in rules.rules:
        checked: list[ConditionTrace] = []
        for condition in rule.conditions:
            held, actual = holds(condition.field, condition.op, condition.value, facts)
            checked.append(ConditionTrace(condition.field, condition.op, condition.value, actual, held))
            if not held:
                break
        matched = all(c.held for c in checked)
        trace.append(RuleTrace(rule.id, matched, tuple(checked)))
        if matched:
            break
    chosen = rules.rules[len(trace) - 1]
    action = chosen.action
    queue, notify, warnings = action.queue, action.notify, []
    if available_queues is not None:
        available = frozenset(available_queues) | {BOT_QUEUE, FALLBACK_QUEUE}
        if queue not in available:
            warnings.append(
                DecisionWarning(
                    "queue_unavailable",
                    f"rule '{chosen.id}' names queue '{queue}', which no longer exists; sent to '{FALLBACK_QUEUE}'",
                )
            )
            queue = FALLBACK_QUEUE
        missing = [q for q in notify if q not in available]
        if missing:
            warnings.append(
                DecisionWarning("notify_unavailable", f"not notified, queue no longer exists: {', '.join(missing)}")
            )
        notify = tuple(q for q in notify if q in available and q != queue)
    return Decision(
        queue=queue,
        priority=action.priority,
        rule=chosen.id,
        trace=tuple(trace),
        follow_up_hours=action.follow_up_hours,
        notify=notify,
        requested_queue=action.queue,
        warnings=tuple(warnings),
        rule_set=rules.digest,
    )


def _plain(value: object) -> object:
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def _show(value: object) -> str:
    plain = _plain(value)
    if isinstance(plain, list):
        return f"[{', '.join(plain)}]"
    return "unknown" if plain is None else str(plain).lower()
