"""Dry run: where would cases go under a draft rule set, compared to the live one?

`replay` takes any iterable of (case id, Facts), so the same core serves a
labelled JSONL file (SCHEMA.md format, read by `read_labelled_jsonl`) and, later,
the last N stored cases.
"""

import json
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from routing.engine import evaluate
from routing.errors import LabelledFileError, Problem
from routing.facts import Facts
from routing.rules import RuleSet
from routing.vocabulary import DOMAINS, PATTERNS, URGENCIES


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    count: int
    examples: tuple[str, ...]  # case ids, in input order


@dataclass(frozen=True)
class ReplayReport:
    total: int
    moves: tuple[Move, ...]  # largest first; only cases whose queue changed
    before: dict[str, int]  # cases per queue under the old rules
    after: dict[str, int]  # cases per queue under the draft
    # Cases whose decision carried a warning under the draft (e.g. queue gone).
    warned: tuple[str, ...] = ()

    @property
    def moved(self) -> int:
        return sum(m.count for m in self.moves)

    def __str__(self) -> str:
        lines = [f"{self.total} cases, {self.moved} would move"]
        for move in self.moves:
            lines.append(f"  {move.source} -> {move.target}: {move.count} (e.g. {', '.join(move.examples)})")
        queues = sorted(set(self.before) | set(self.after))
        lines.append("per queue (old -> draft):")
        lines += [f"  {q}: {self.before.get(q, 0)} -> {self.after.get(q, 0)}" for q in queues]
        if self.warned:
            lines.append(f"{len(self.warned)} cases with warnings under the draft (e.g. {', '.join(self.warned[:5])})")
        return "\n".join(lines)


def replay(
    old: RuleSet,
    draft: RuleSet,
    cases: Iterable[tuple[str, Facts]],
    *,
    available_queues: Collection[str] | None = None,
    examples: int = 5,
) -> ReplayReport:
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    moved: dict[tuple[str, str], list[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    warned: list[str] = []
    total = 0
    for case_id, facts in cases:
        total += 1
        was = evaluate(old, facts, available_queues).queue
        decision = evaluate(draft, facts, available_queues)
        before[was] += 1
        after[decision.queue] += 1
        if decision.warnings:
            warned.append(case_id)
        if was != decision.queue:
            counts[was, decision.queue] += 1
            ids = moved.setdefault((was, decision.queue), [])
            if len(ids) < examples:
                ids.append(case_id)
    moves = tuple(
        Move(source, target, count, tuple(moved[source, target]))
        for (source, target), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return ReplayReport(total, moves, dict(before), dict(after), tuple(warned))


def facts_from_labels(domains: Iterable[str], patterns: Iterable[str], urgency: str) -> Facts:
    """Facts of a labelled message: only what the labels say; everything else stays at its default."""
    return Facts(domains=frozenset(domains), patterns=frozenset(patterns), urgency=urgency)


def read_labelled_jsonl(path: Path) -> list[tuple[str, Facts]]:
    """(id, Facts) for every line of a SCHEMA.md file; every bad line is reported, with its number."""
    problems: list[Problem] = []
    cases: list[tuple[str, Facts]] = []
    seen: set[str] = set()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelledFileError(str(path), [Problem(None, "unreadable", f"cannot read the file: {exc}")]) from exc
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        reason, case = _case(line)
        if reason:
            problems.append(Problem(number, "bad_record", reason))
        elif case[0] in seen:
            problems.append(Problem(number, "duplicate_id", f"id '{case[0]}' appears twice"))
        else:
            seen.add(case[0])
            cases.append(case)
    if problems:
        raise LabelledFileError(str(path), problems)
    return cases


def _case(line: str) -> tuple[str, tuple[str, Facts] | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg}", None
    if not isinstance(record, dict):
        return "each line must be one JSON object", None
    case_id, domains, patterns = record.get("id"), record.get("domains", []), record.get("patterns", [])
    urgency = record.get("urgency", "normal")
    if not isinstance(case_id, str) or not case_id:
        return "'id' must be a non-empty string", None
    for name, values, allowed in (("domains", domains, DOMAINS), ("patterns", patterns, PATTERNS)):
        if not isinstance(values, list) or any(v not in allowed for v in values):
            return f"'{name}' must be a list of: {', '.join(allowed)}", None
    if urgency not in URGENCIES:
        return f"'urgency' must be one of: {', '.join(URGENCIES)}", None
    return "", (case_id, facts_from_labels(domains, patterns, urgency))
