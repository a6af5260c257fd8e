"""The decision step: scores in, labels out, by thresholds an administrator can read.

Thresholds live in `nlp/data/thresholds.json`; the classifier never decides a
label anywhere else.
"""

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nlp.errors import LexiconError
from nlp.labels import DOMAINS, PATTERNS, URGENCIES


@dataclass(frozen=True)
class Thresholds:
    domains: dict[str, float]
    patterns: dict[str, float]
    emergency: float
    urgent: float
    pattern_implies: dict[str, tuple[str, ...]]
    # Lowest urgency a message with this domain gets (abuse is never "normal").
    domain_urgency: dict[str, str]

    @classmethod
    def from_dict(cls, data: dict) -> "Thresholds":
        try:
            domains = {label: _threshold(data["domains"][label]) for label in DOMAINS}
            patterns = {label: _threshold(data["patterns"][label]) for label in PATTERNS}
            emergency = _threshold(data["urgency"]["emergency"])
            urgent = _threshold(data["urgency"]["urgent"])
            implies = {p: tuple(d) for p, d in data.get("pattern_implies", {}).items()}
            floors = dict(data.get("domain_urgency", {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise LexiconError(f"thresholds: missing or malformed entry {exc}") from None
        for pattern, implied in implies.items():
            if pattern not in PATTERNS or set(implied) - set(DOMAINS):
                raise LexiconError(f"thresholds: pattern_implies {pattern!r} names an unknown label")
        for domain, urgency in floors.items():
            if domain not in DOMAINS or urgency not in URGENCIES:
                raise LexiconError(f"thresholds: domain_urgency {domain!r}: {urgency!r} names an unknown label")
        return cls(domains, patterns, emergency, urgent, implies, floors)


def _threshold(value: object) -> float:
    if not isinstance(value, (int, float)) or not 0.0 < value <= 1.0:
        raise LexiconError(f"thresholds: {value!r} is not a number in (0, 1]")
    return float(value)


def load_thresholds(path: Path | None = None) -> Thresholds:
    """The packaged thresholds, or the ones at `path`."""
    if path is None:
        text = resources.files("nlp").joinpath("data/thresholds.json").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    try:
        return Thresholds.from_dict(json.loads(text))
    except json.JSONDecodeError as exc:
        raise LexiconError(f"thresholds: not valid JSON: {exc}") from None


def decide(scores: dict[str, float], thresholds: Thresholds) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(domains, patterns, urgency) for a set of scores."""
    patterns = tuple(p for p in PATTERNS if scores.get(p, 0.0) >= thresholds.patterns[p])
    implied = {d for p in patterns for d in thresholds.pattern_implies.get(p, ())}
    domains = tuple(d for d in DOMAINS if scores.get(d, 0.0) >= thresholds.domains[d] or d in implied)
    if scores.get("emergency", 0.0) >= thresholds.emergency:
        urgency = "emergency"
    elif scores.get("urgent", 0.0) >= thresholds.urgent:
        urgency = "urgent"
    else:
        urgency = "normal"
    for domain in domains:
        floor = thresholds.domain_urgency.get(domain, "normal")
        if URGENCIES.index(floor) > URGENCIES.index(urgency):
            urgency = floor
    return domains, patterns, urgency
