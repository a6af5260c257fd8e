"""A readable difference between two rule sets, matched by rule id.

Position changes are reported only for rules whose order relative to the other
common rules changed, so inserting one rule does not mark every later rule as
moved.
"""

import difflib
from dataclasses import dataclass

from routing.rules import Rule, RuleSet

ADDED, REMOVED, CHANGED, MOVED = "added", "removed", "changed", "moved"
_MARKS = {ADDED: "+", REMOVED: "-", CHANGED: "~", MOVED: ">"}


@dataclass(frozen=True)
class RuleChange:
    kind: str  # added | removed | changed | moved
    rule: str
    details: tuple[str, ...]

    def __str__(self) -> str:
        head = f"{_MARKS[self.kind]} {self.kind} rule '{self.rule}'"
        return "\n".join([head, *(f"    {d}" for d in self.details)])


@dataclass(frozen=True)
class RuleSetDiff:
    changes: tuple[RuleChange, ...]
    renamed: tuple[str, str] | None = None

    @property
    def empty(self) -> bool:
        return not self.changes and self.renamed is None

    def __str__(self) -> str:
        if self.empty:
            return "no changes"
        lines = [f"~ name: {self.renamed[0]} -> {self.renamed[1]}"] if self.renamed else []
        return "\n".join([*lines, *(str(c) for c in self.changes)])


def diff_rule_sets(old: RuleSet, new: RuleSet) -> RuleSetDiff:
    old_rules = {r.id: (i, r) for i, r in enumerate(old.rules, 1)}
    new_rules = {r.id: (i, r) for i, r in enumerate(new.rules, 1)}
    changes: list[RuleChange] = []
    for rule_id, (position, rule) in old_rules.items():
        if rule_id not in new_rules:
            changes.append(RuleChange(REMOVED, rule_id, (f"was at position {position}: {_summary(rule)}",)))
    common_old = [r.id for r in old.rules if r.id in new_rules]
    common_new = [r.id for r in new.rules if r.id in old_rules]
    kept_in_order = set()
    for block in difflib.SequenceMatcher(a=common_old, b=common_new, autojunk=False).get_matching_blocks():
        kept_in_order.update(common_old[block.a : block.a + block.size])
    for rule_id, (position, rule) in new_rules.items():
        if rule_id not in old_rules:
            changes.append(RuleChange(ADDED, rule_id, (f"at position {position}: {_summary(rule)}",)))
            continue
        old_position, old_rule = old_rules[rule_id]
        if rule_id not in kept_in_order:
            changes.append(RuleChange(MOVED, rule_id, (f"position {old_position} -> {position}",)))
        details = _rule_details(old_rule, rule)
        if details:
            changes.append(RuleChange(CHANGED, rule_id, details))
    renamed = (old.name, new.name) if old.name != new.name else None
    return RuleSetDiff(tuple(changes), renamed)


def _summary(rule: Rule) -> str:
    when = " and ".join(c.describe() for c in rule.conditions) or "always (default)"
    return f"when {when} then {rule.action.describe()}"


def _rule_details(old: Rule, new: Rule) -> tuple[str, ...]:
    details: list[str] = []
    if old.label != new.label:
        details.append(f"label: {old.label} -> {new.label}")
    if old.description != new.description:
        details.append("description changed")
    old_conditions = [c.describe() for c in old.conditions]
    new_conditions = [c.describe() for c in new.conditions]
    details += [f"condition removed: {c}" for c in old_conditions if c not in new_conditions]
    details += [f"condition added: {c}" for c in new_conditions if c not in old_conditions]
    a, b = old.action, new.action
    for name in ("queue", "priority", "follow_up_hours"):
        before, after = getattr(a, name), getattr(b, name)
        if before != after:
            details.append(f"{name}: {_show(before)} -> {_show(after)}")
    if a.notify != b.notify:
        details.append(f"notify: [{', '.join(a.notify)}] -> [{', '.join(b.notify)}]")
    return tuple(details)


def _show(value: object) -> str:
    return "queue default" if value is None else str(value)
