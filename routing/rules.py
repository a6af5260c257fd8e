"""Routing rules as typed data: an ordered list, first match wins, a default last.

Build rule sets with `routing.rule_file.load_rules`, which checks every value
and reports problems with their lines; the checks here only keep the shape
that the engine relies on (so a rule set built in code cannot break it).
"""

import hashlib
from dataclasses import dataclass

from routing.errors import RoutingError
from routing.fields import FIELDS, Value


class RuleSetError(RoutingError):
    code = "rule_set_invalid"


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Value

    def __post_init__(self) -> None:
        spec = FIELDS.get(self.field)
        if spec is None or self.op not in spec.operators:
            raise RuleSetError(f"no condition '{self.field} {self.op}'")

    def describe(self) -> str:
        value = f"[{', '.join(self.value)}]" if isinstance(self.value, tuple) else str(self.value).lower()
        return f"{self.field} {self.op} {value}"


@dataclass(frozen=True)
class Action:
    queue: str
    priority: str = "normal"
    # None: the queue's own target reply time applies.
    follow_up_hours: int | None = None
    # Queues told about the case as co-agencies (関係機関); the target queue leads.
    notify: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"queue {self.queue}", f"priority {self.priority}"]
        if self.follow_up_hours is not None:
            parts.append(f"follow up within {self.follow_up_hours}h")
        if self.notify:
            parts.append(f"notify [{', '.join(self.notify)}]")
        return ", ".join(parts)


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    action: Action
    # All must hold; the default rule has none.
    conditions: tuple[Condition, ...] = ()
    description: str = ""
    # Where the rule begins in its file, for errors and for the admin pages.
    line: int | None = None

    @property
    def is_default(self) -> bool:
        return not self.conditions


@dataclass(frozen=True)
class RuleSet:
    name: str
    rules: tuple[Rule, ...]
    description: str = ""
    # sha256 of the file text it was read from: names the exact rules a decision used.
    digest: str = ""

    def __post_init__(self) -> None:
        if not self.rules:
            raise RuleSetError("a rule set needs at least the default rule")
        *ordinary, default = self.rules
        if not default.is_default or any(rule.is_default for rule in ordinary):
            raise RuleSetError("exactly one rule, the last, may be without conditions (the default)")
        ids = [rule.id for rule in self.rules]
        if len(set(ids)) != len(ids):
            raise RuleSetError("rule ids must be unique")

    @property
    def default(self) -> Rule:
        return self.rules[-1]

    @property
    def queues(self) -> frozenset[str]:
        """Every queue the rules send cases to."""
        return frozenset(rule.action.queue for rule in self.rules)


def text_digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()
