"""The human-editable rule file (YAML): reading and checking it.

    name: 標準ルール
    rules:
      - id: emergency               # unique; a-z, 0-9, _ and -
        label: 緊急 → 緊急対応       # Japanese labels and descriptions are fine
        when:                       # every condition must hold
          urgency: {is: emergency}
        then:
          queue: emergency
          priority: highest         # highest / high / normal (default) / low
          follow_up_hours: 1        # optional; else the queue's target reply time
          notify: [comprehensive]   # optional co-agencies (関係機関)
      - id: fallback
        default: true               # mandatory, last, without `when`
        then: {queue: comprehensive}

Every problem in the file is collected and raised together as RuleFileError.

Co-agency notifications form a graph over queues: an edge A -> B whenever a
rule sends cases to A and notifies B. The lead queue of a case must stay clear,
so the graph may have no cycle (A notifies B and B notifies A) and no queue
notifies itself.
"""

import re
from collections.abc import Collection
from importlib import resources

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from routing.errors import RuleFileError
from routing.fields import COUNT, FIELDS, FLAG, NAME, NAMES, Value
from routing.rules import Action, Condition, Rule, RuleSet, text_digest
from routing.vocabulary import BOT_QUEUE, PRIORITIES, SCHEMA_QUEUES
from routing.yaml_reader import ANY_NAME, YamlReader, line_of, safe_load

_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
MAX_FOLLOW_UP_HOURS = 24 * 90


def load_rules(
    text: str | bytes,
    *,
    known_queues: Collection[str],
    known_districts: Collection[str] | None = None,
    source: str = "rules",
) -> RuleSet:
    """Read and check a rule file; raise RuleFileError listing every problem with its line."""
    reader = YamlReader(text)
    parser = _RuleParser(reader, frozenset(known_queues) | {BOT_QUEUE}, known_districts)
    root = reader.root()
    rule_set = parser.rule_set(root, text_digest(text)) if root is not None else None
    if reader.problems or rule_set is None:
        raise RuleFileError(source, reader.problems)
    return rule_set


def named_queues(text: str | bytes) -> frozenset[str]:
    """Every queue a rule file sends cases to or notifies, read leniently (nothing is checked).

    Stored rules are loaded accepting these names, so that a queue removed since
    the rules were saved reaches the engine, which sends its cases to the
    comprehensive queue with a warning instead of failing the whole rule set.
    """
    try:
        data = safe_load(text)
    except yaml.YAMLError:
        return frozenset()
    rules = data.get("rules") if isinstance(data, dict) else None
    names: set[str] = set()
    for rule in rules if isinstance(rules, list) else ():
        then = rule.get("then") if isinstance(rule, dict) else None
        if not isinstance(then, dict):
            continue
        notify = then.get("notify")
        for name in [then.get("queue"), *(notify if isinstance(notify, list) else ())]:
            if isinstance(name, str) and name:
                names.add(name)
    return frozenset(names)


class _RuleParser:
    def __init__(self, reader: YamlReader, queues: frozenset[str], districts: Collection[str] | None) -> None:
        self.r = reader
        self.queues = queues
        self.districts = districts
        # (from queue, to queue, node of the notify entry) for the cycle check.
        self.edges: list[tuple[str, str, Node]] = []

    def rule_set(self, root: Node, digest: str) -> RuleSet | None:
        top = self.r.mapping(
            root, "the rule file", allowed=("name", "description", "rules"), required=("name", "rules")
        )
        if top is None:
            return None
        name = self.r.text(top["name"], "name") if "name" in top else None
        description = self.r.text(top["description"], "description") if "description" in top else ""
        items = self.r.sequence(top["rules"], "rules") if "rules" in top else None
        if items is None:
            return None
        if not items:
            self.r.problem(top["rules"], "empty_rules", "the rule list is empty; it needs at least the default rule")
            return None
        rules = [self.rule(node) for node in items]
        self._check_ids(items)
        self._check_default(items, rules)
        self._check_cycles()
        if self.r.problems or name is None or description is None or None in rules:
            return None
        return RuleSet(name=name, rules=tuple(rules), description=description, digest=digest)

    def rule(self, node: Node) -> Rule | None:
        what = "a rule"
        fields = self.r.mapping(
            node, what, allowed=("id", "label", "description", "when", "then", "default"), required=("id", "then")
        )
        if fields is None:
            return None
        rule_id = self.r.text(fields["id"], "rule id") if "id" in fields else None
        if rule_id is not None and not _ID.fullmatch(rule_id):
            self.r.problem(fields["id"], "bad_rule_id", f"rule id '{rule_id}' may use only a-z, 0-9, _ and -")
            rule_id = None
        what = f"rule '{rule_id}'" if rule_id else what
        label = self.r.text(fields["label"], f"label of {what}") if "label" in fields else rule_id
        description = self.r.text(fields["description"], f"description of {what}") if "description" in fields else ""
        is_default = self.r.boolean(fields["default"], f"default of {what}") if "default" in fields else False
        conditions: tuple[Condition, ...] | None = ()
        if "when" in fields:
            if is_default:
                self.r.problem(fields["when"], "default_with_conditions", f"the default {what} cannot have 'when'")
            conditions = self.conditions(fields["when"], what)
        elif is_default is False:
            self.r.problem(node, "missing_key", f"{what} needs 'when' (only the default rule has no conditions)")
        action = self.action(fields["then"], what) if "then" in fields else None
        if None in (rule_id, label, description, is_default, conditions, action):
            return None
        return Rule(rule_id, label, action, conditions, description, line=line_of(node))

    def conditions(self, node: Node, what: str) -> tuple[Condition, ...] | None:
        by_field = self.r.mapping(node, f"'when' of {what}", allowed=tuple(FIELDS), noun="field")
        if by_field is None:
            return None
        if not by_field:
            if not node.value:  # else the keys were wrong and already reported
                self.r.problem(node, "empty_conditions", f"'when' of {what} has no conditions")
            return None
        result: list[Condition] = []
        ok = True
        for field, ops_node in by_field.items():
            spec = FIELDS[field]
            ops = self.r.mapping(
                ops_node,
                f"condition on '{field}' in {what}",
                allowed=tuple(spec.operators),
                noun="operator",
            )
            if not ops:
                if ops == {} and not ops_node.value:
                    self.r.problem(ops_node, "empty_conditions", f"condition on '{field}' in {what} has no operator")
                ok = False
                continue
            for op, value_node in ops.items():
                value = self.value(field, op, value_node)
                if value is None:
                    ok = False
                else:
                    result.append(Condition(field, op, value))
        return tuple(result) if ok else None

    def value(self, field: str, op: str, node: Node) -> Value | None:
        spec = FIELDS[field]
        shape = spec.operators[op]
        what = f"{field} {op}"
        if shape == FLAG:
            return self.r.boolean(node, what)
        if shape == COUNT:
            return self.r.integer(node, what, minimum=0, maximum=spec.maximum)
        allowed = spec.values if spec.values is not None else self.districts
        if allowed is None:  # districts not given: any name is accepted
            allowed = ANY_NAME
        if shape == NAME:
            return self.r.choice(node, f"value of {what}", allowed)
        assert shape == NAMES
        return self.r.choices(node, f"values of {what}", allowed)

    def action(self, node: Node, what: str) -> Action | None:
        fields = self.r.mapping(
            node,
            f"'then' of {what}",
            allowed=("queue", "priority", "follow_up_hours", "notify"),
            required=("queue",),
        )
        if fields is None or "queue" not in fields:
            return None
        queue = self.r.choice(fields["queue"], f"queue in {what}", self.queues, code="unknown_queue")
        priority = (
            self.r.choice(fields["priority"], f"priority in {what}", PRIORITIES) if "priority" in fields else "normal"
        )
        hours = None
        hours_ok = True
        if "follow_up_hours" in fields:
            hours = self.r.integer(
                fields["follow_up_hours"], f"follow_up_hours in {what}", minimum=1, maximum=MAX_FOLLOW_UP_HOURS
            )
            hours_ok = hours is not None
        notify: tuple[str, ...] | None = ()
        if "notify" in fields:
            staffed = self.queues - {BOT_QUEUE}
            notify = self.r.choices(
                fields["notify"], f"notify in {what}", staffed, code="unknown_queue", allow_empty=True
            )
            if queue is not None and notify is not None:
                self.edges.extend((queue, target, fields["notify"]) for target in notify)
        if None in (queue, priority, notify) or not hours_ok:
            return None
        return Action(queue, priority, hours, notify)

    def _check_ids(self, items: list[Node]) -> None:
        """Duplicate ids, read from the raw entries so that broken rules are checked too."""
        seen: set[str] = set()
        for node in items:
            if not isinstance(node, MappingNode):
                continue
            id_node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == "id"), None)
            if not isinstance(id_node, ScalarNode):
                continue
            if id_node.value in seen:
                self.r.problem(id_node, "duplicate_rule_id", f"rule id '{id_node.value}' is used twice")
            seen.add(id_node.value)

    def _check_default(self, items: list[Node], rules: list[Rule | None]) -> None:
        *ordinary, (last_node, last) = list(zip(items, rules, strict=True))
        for node, rule in ordinary:
            if rule is not None and rule.is_default:
                self.r.problem(node, "default_not_last", f"the default rule '{rule.id}' must be the last rule")
        if last is not None and not last.is_default:
            self.r.problem(
                last_node, "missing_default", "the last rule must be the default ('default: true', no 'when')"
            )

    def _check_cycles(self) -> None:
        graph: dict[str, list[tuple[str, Node]]] = {}
        for source, target, node in self.edges:
            graph.setdefault(source, []).append((target, node))
        reported: set[frozenset[str]] = set()
        for cycle, node in _cycles(graph):
            if frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                path = " -> ".join([*cycle, cycle[0]])
                self.r.problem(node, "notify_cycle", f"co-agency notifications form a cycle: {path}")


def _cycles(graph: dict[str, list[tuple[str, Node]]]):
    """Yield (queues on a cycle, node of the notify entry that closes it), by depth-first search."""
    done: set[str] = set()
    path: list[str] = []

    def visit(queue: str):
        path.append(queue)
        for target, node in graph.get(queue, ()):
            if target in path:
                yield path[path.index(target) :], node
            elif target not in done:
                yield from visit(target)
        path.pop()
        done.add(queue)

    for start in sorted(graph):
        if start not in done:
            yield from visit(start)


def default_rules_source() -> str:
    """The text of the shipped rule set (the first saved version of a new install)."""
    return (resources.files("routing") / "default_rules.yaml").read_text(encoding="utf-8")


def load_default_rules(known_queues: Collection[str] | None = None) -> RuleSet:
    """The shipped rule set implementing the SCHEMA default route."""
    text = default_rules_source()
    queues = SCHEMA_QUEUES if known_queues is None else known_queues
    return load_rules(text, known_queues=queues, source="default_rules.yaml")
