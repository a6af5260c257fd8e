"""The decision step: scores in, labels out, by thresholds an administrator can read.

The rule thresholds live in `nlp/data/thresholds.json` (when a cue counts as
fired, and the decision when there is no learned part); the blend's thresholds
on its calibrated probabilities live in `nlp/model/blend.json`, chosen by
cross-source validation. The classifier never decides a label anywhere else.
"""

import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from nlp.blend import Blend, blend_inputs, cardinality_inputs, logit
from nlp.errors import LexiconError
from nlp.labels import DOMAINS, PATTERNS, URGENCIES
from nlp.learned_labels import SEVERAL_DOMAINS


@dataclass(frozen=True)
class Thresholds:
    domains: dict[str, float]
    patterns: dict[str, float]
    emergency: float
    urgent: float
    pattern_implies: dict[str, tuple[str, ...]]
    # Lowest urgency a message with this domain gets (abuse is never "normal").
    domain_urgency: dict[str, str]
    # A domain beyond the second (by score) must clear its threshold by this much (set by the blend).
    extra_domain_margin: float = 0.0
    # Per message, from the blend's cardinality model, in log-odds (thresholds range from 0.15 to 0.55, so a
    # fixed probability offset would mean very different things): > 0, a second domain must clear its
    # threshold by this much; < 0, the runner-up of a single-domain message is kept down to this far below it.
    second_domain_offset: float = 0.0

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


# Safety first: a cue for abuse or violence that fired keeps its label whatever the learned part says.
SAFETY_LABELS: frozenset[str] = frozenset({"abuse_violence"})


def _cued(rule_scores: dict[str, float], *labels: str) -> bool:
    """Some undenied cue of one of these labels was found, however weak."""
    return any(rule_scores.get(label, 0.0) > 0.0 for label in labels)


def _fired(rule_scores: dict[str, float], thresholds: Thresholds, *labels: str) -> bool:
    return any(rule_scores.get(label, 0.0) >= thresholds.rule_threshold(label) for label in labels)


# A bag of features cannot tell who in a household needs what: out of fold, the blend alone gave double
# care to 「父の介護がつらい」 and 8050 to 「80歳の母と暮らしています。息子は東京で働いています」. So the
# blend decides these patterns only where the rules saw both generations (for 8050: the household rule
# found its people, or an elder beside a fired cue of dependence); elsewhere the household rule decides.
PATTERN_GATES = {
    "double_care": lambda rules, thresholds: _cued(rules, "child_parenting") and _cued(rules, "elderly_care", "disability"),
    "8050": lambda rules, thresholds: _cued(rules, "8050")
    or (_cued(rules, "elderly_care") and _fired(rules, thresholds, "isolation", "employment", "disability", "mental_health", "poverty")),
}


def gate_open(label: str, rule_scores: dict[str, float], thresholds: Thresholds) -> bool:
    """May the blend decide `label` for a message with these rule scores (PATTERN_GATES)?"""
    gate = PATTERN_GATES.get(label)
    return gate is None or gate(rule_scores, thresholds)


def blended(
    rule_scores: dict[str, float],
    learned: dict[str, float],
    thresholds: Thresholds,
    blend: Blend,
    length: int,
    denied: bool,
    distressed: bool = False,
) -> tuple[dict[str, float], Thresholds]:
    """Scores from the blend and the thresholds that decide on them.

    A label the blend does not cover (or without a learned probability, e.g. a
    text too long to tokenise, or a household pattern whose gate is closed)
    keeps its rule score and rule threshold. A
    crisis-detector emergency is a floor: its score never drops below the
    emergency threshold; so is urgent when the crisis module found suicidal
    thoughts (`distressed`), and a rule score at the blend's `rule_floor`.
    """
    scores = dict(rule_scores)
    cut = {label: thresholds.rule_threshold(label) for label in (*DOMAINS, *PATTERNS, "emergency", "urgent")}
    for label, weights in blend.weights.items():
        if label in learned and gate_open(label, rule_scores, thresholds):
            rule = rule_scores.get(label, 0.0)
            inputs = blend_inputs(rule, cut[label], learned[label], length, denied)
            scores[label] = blend.probability(label, inputs)
            cut[label] = blend.thresholds[label]
            if rule >= blend.rule_floor or (label in SAFETY_LABELS and rule >= thresholds.rule_threshold(label)):
                scores[label] = max(scores[label], cut[label])
    crisis = rule_scores.get("emergency", 0.0)
    if crisis >= thresholds.emergency:
        scores["emergency"] = max(scores["emergency"], crisis, cut["emergency"])
    if distressed:
        scores["urgent"] = max(scores["urgent"], cut["urgent"])
    decision = replace(
        thresholds,
        domains={d: cut[d] for d in DOMAINS},
        patterns={p: cut[p] for p in PATTERNS},
        emergency=cut["emergency"],
        urgent=cut["urgent"],
        extra_domain_margin=blend.extra_domain_margin,
    )
    if not blend.cardinality.weights:
        return scores, decision
    inputs = count_inputs(rule_scores, learned, scores, decision, thresholds, length)
    return scores, replace(decision, second_domain_offset=blend.cardinality.second_domain_offset(inputs))


def count_inputs(
    rule_scores: dict[str, float],
    learned: dict[str, float],
    scores: dict[str, float],
    decision: Thresholds,
    rule_thresholds: Thresholds,
    length: int,
) -> tuple[float, ...]:
    """The cardinality model's inputs (nlp/blend.py) for blended `scores` decided by `decision`."""
    over = sorted((logit(scores.get(d, 0.0)) - logit(decision.domains[d]) for d in DOMAINS), reverse=True)
    fired = sum(rule_scores.get(d, 0.0) >= rule_thresholds.domains[d] for d in DOMAINS)
    pattern = any(rule_scores.get(p, 0.0) >= rule_thresholds.patterns[p] for p in PATTERNS)
    return cardinality_inputs(over, fired, learned.get(SEVERAL_DOMAINS, 0.5), length, pattern)


def decide(scores: dict[str, float], thresholds: Thresholds) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(domains, patterns, urgency) for a set of scores."""
    patterns = tuple(p for p in PATTERNS if scores.get(p, 0.0) >= thresholds.patterns[p])
    implied = {d for p in patterns for d in thresholds.pattern_implies.get(p, ())}
    passing = sorted(
        (d for d in DOMAINS if scores.get(d, 0.0) >= thresholds.domains[d]), key=lambda d: -scores.get(d, 0.0)
    )
    kept = [d for rank, d in enumerate(passing) if rank < 2 or scores[d] >= thresholds.domains[d] + thresholds.extra_domain_margin]
    offset = thresholds.second_domain_offset

    def over(domain: str) -> float:
        return logit(scores.get(domain, 0.0)) - logit(thresholds.domains[domain])

    if offset > 0 and len(kept) == 2:
        # A second domain may be dropped, never a safety label: abuse counts as the first.
        first, second = sorted(kept, key=lambda d: d not in SAFETY_LABELS)
        if over(second) < offset:
            kept = [first]
    elif offset < 0 and len(kept) == 1:
        runner_up = max((d for d in DOMAINS if d not in kept), key=over)
        if over(runner_up) >= offset:
            kept.append(runner_up)
    domains = tuple(d for d in DOMAINS if d in kept or d in implied)
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
