"""The decision step: scores in, labels out, by thresholds an administrator can read.

Thresholds live in `nlp/data/thresholds.json`; the classifier never decides a
label anywhere else.
"""

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from nlp.errors import LexiconError
from nlp.labels import DOMAINS, PATTERNS, URGENCIES
from nlp.learned_labels import LEARNED_LABELS


@dataclass(frozen=True)
class Thresholds:
    domains: dict[str, float]
    patterns: dict[str, float]
    emergency: float
    urgent: float
    pattern_implies: dict[str, tuple[str, ...]]
    # Lowest urgency a message with this domain gets (abuse is never "normal").
    domain_urgency: dict[str, str]
    # Per label, the learned probability that assigns it on its own (None: learned part off).
    learned: dict[str, float | None] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> "Thresholds":
        try:
            domains = {label: _threshold(data["domains"][label]) for label in DOMAINS}
            patterns = {label: _threshold(data["patterns"][label]) for label in PATTERNS}
            emergency = _threshold(data["urgency"]["emergency"])
            urgent = _threshold(data["urgency"]["urgent"])
            implies = {p: tuple(d) for p, d in data.get("pattern_implies", {}).items()}
            floors = dict(data.get("domain_urgency", {}))
            learned = {
                label: None if value is None else _threshold(value) for label, value in data.get("learned", {}).items()
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise LexiconError(f"thresholds: missing or malformed entry {exc}") from None
        for pattern, implied in implies.items():
            if pattern not in PATTERNS or set(implied) - set(DOMAINS):
                raise LexiconError(f"thresholds: pattern_implies {pattern!r} names an unknown label")
        for domain, urgency in floors.items():
            if domain not in DOMAINS or urgency not in URGENCIES:
                raise LexiconError(f"thresholds: domain_urgency {domain!r}: {urgency!r} names an unknown label")
        if set(learned) - set(LEARNED_LABELS):
            raise LexiconError(f"thresholds: learned names an unknown label {sorted(set(learned) - set(LEARNED_LABELS))}")
        return cls(domains, patterns, emergency, urgent, implies, floors, learned)

    def rule_threshold(self, label: str) -> float:
        if label in self.domains:
            return self.domains[label]
        if label in self.patterns:
            return self.patterns[label]
        return self.emergency if label == "emergency" else self.urgent


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


def rescale(probability: float, learned_threshold: float, rule_threshold: float) -> float:
    """A learned probability on the rule scale: its own threshold lands on the rule threshold."""
    if learned_threshold >= 1.0 or probability < learned_threshold:
        return round(rule_threshold * min(probability, learned_threshold) / learned_threshold, 4)
    return round(rule_threshold + (1.0 - rule_threshold) * (probability - learned_threshold) / (1.0 - learned_threshold), 4)


def combine(rule_scores: dict[str, float], learned: dict[str, float], thresholds: Thresholds) -> dict[str, float]:
    """Each label's score is the higher of the rule score and the rescaled learned probability.

    The learned part can only add a label (or raise urgency), never take away
    what a cue or the crisis detector found.
    """
    scores = dict(rule_scores)
    for label, probability in learned.items():
        learned_threshold = thresholds.learned.get(label)
        if learned_threshold is not None:
            lifted = rescale(probability, learned_threshold, thresholds.rule_threshold(label))
            scores[label] = max(scores.get(label, 0.0), lifted)
    return scores


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
