"""The blend: how far to trust the rules and the learned part, per label (stacking).

For each label a small logistic regression reads the rule score, whether a cue
fired, the learned probability, their agreement, and two things that make the
learned part over-confident (short texts, a denial in the message). It was fit
on out-of-fold learned probabilities (nlp/stacking.py), so it is calibrated on
messages the learned model never saw, and its decision thresholds were chosen
on those same out-of-fold predictions. Pure Python: the blend costs nothing at
run time and needs no NumPy.

Invariants (tests/nlp/test_blend.py): the weights of the rule inputs are never
negative, so a higher rule score never lowers a label's probability; the crisis
detector's emergency is a floor the blend cannot lower.
"""

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from nlp.errors import ModelLoadError

BLEND_FILE = "blend.json"
# A message this short (characters) gets its own trust in the learned part.
SHORT_TEXT = 40
_LOGIT_LIMIT = 8.0
INPUTS: tuple[str, ...] = ("bias", "rule", "fired", "agree", "logit", "short", "short_logit", "denied_logit")
# Inputs that rise with the rule score: their weights are kept >= 0 (monotone in the rule score).
RULE_INPUTS: tuple[str, ...] = ("rule", "fired", "agree")


def logit(probability: float) -> float:
    p = min(max(probability, 1e-6), 1.0 - 1e-6)
    return max(-_LOGIT_LIMIT, min(_LOGIT_LIMIT, math.log(p / (1.0 - p))))


def blend_inputs(rule: float, rule_threshold: float, learned: float, length: int, denied: bool) -> tuple[float, ...]:
    """The inputs of one label's blend, in the order of INPUTS."""
    fired = 1.0 if rule >= rule_threshold else 0.0
    short = 1.0 if length < SHORT_TEXT else 0.0
    z = logit(learned)
    return (1.0, rule, fired, fired * learned, z, short, short * z, (1.0 if denied else 0.0) * z)


@dataclass(frozen=True)
class CountGate:
    below: float = 0.0
    above: float = 1.0
    raise_by: float = 0.0
    lower_by: float = 0.0

    def second_domain_offset(self, several: float | None) -> float:
        """How far a second domain's threshold moves for a message with this P(two or more domains)."""
        if several is None:
            return 0.0
        if several < self.below:
            return self.raise_by
        if several > self.above:
            return -self.lower_by
        return 0.0


NO_GATE = CountGate()


@dataclass(frozen=True)
class Blend:
    """Per label: the blend weights (aligned with INPUTS) and the probability that assigns it."""

    weights: dict[str, tuple[float, ...]]
    thresholds: dict[str, float]
    metadata: dict
    # A third or fourth domain must beat its threshold by this much (cardinality-aware decision).
    extra_domain_margin: float = 0.0
    # A cue-based rule score at or above this assigns its label whatever the learned part says (> 1: off).
    rule_floor: float = 2.0
    # The count gate on the learned P(two or more domains): below `below`, a second domain must clear its
    # threshold by `raise_by`; above `above`, the runner-up domain is kept down to `lower_by` under its threshold
    # (offsets in log-odds).
    count_gate: CountGate = NO_GATE

    def __post_init__(self) -> None:
        for label, weights in self.weights.items():
            if len(weights) != len(INPUTS) or label not in self.thresholds:
                raise ModelLoadError(f"blend: label {label!r} has malformed weights or no threshold")
            if any(weights[INPUTS.index(name)] < 0 for name in RULE_INPUTS):
                raise ModelLoadError(f"blend: label {label!r} has a negative weight on a rule input")

    def probability(self, label: str, inputs: tuple[float, ...]) -> float:
        z = sum(w * x for w, x in zip(self.weights[label], inputs))
        return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 4)

    def to_dict(self) -> dict:
        return {
            "inputs": list(INPUTS),
            "short_text": SHORT_TEXT,
            "weights": {label: [round(w, 6) for w in ws] for label, ws in self.weights.items()},
            "thresholds": self.thresholds,
            "extra_domain_margin": self.extra_domain_margin,
            "rule_floor": self.rule_floor,
            "count_gate": asdict(self.count_gate),
            "metadata": self.metadata,
        }


def save_blend(blend: Blend, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(blend.to_dict(), ensure_ascii=False, indent=1, sort_keys=True)
    (directory / BLEND_FILE).write_text(text + "\n", encoding="utf-8")


def load_blend(directory: Path) -> Blend:
    try:
        document = json.loads((directory / BLEND_FILE).read_text(encoding="utf-8"))
        if tuple(document["inputs"]) != INPUTS or document["short_text"] != SHORT_TEXT:
            raise ModelLoadError("blend: inputs differ from this version of nlp/blend.py; retrain")
        weights = {label: tuple(float(w) for w in ws) for label, ws in document["weights"].items()}
        thresholds = {label: float(t) for label, t in document["thresholds"].items()}
        margin, floor = float(document["extra_domain_margin"]), float(document["rule_floor"])
        gate = CountGate(**{key: float(value) for key, value in document["count_gate"].items()})
        return Blend(weights, thresholds, dict(document.get("metadata", {})), margin, floor, gate)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"cannot load the blend in {directory}: {exc}") from None
