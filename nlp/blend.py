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


def _logistic(weights: tuple[float, ...], inputs: tuple[float, ...]) -> float:
    z = sum(w * x for w, x in zip(weights, inputs))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


# Inputs of the cardinality model, read off one message's blended domain scores (nlp/decision.py).
CARDINALITY_INPUTS: tuple[str, ...] = (
    "bias",
    "first",  # log-odds of the best domain over its threshold
    "second",
    "third",
    "passing",  # domains over their thresholds (up to 3)
    "fired",  # domains whose cues fired (up to 4)
    "several",  # the learned part's log-odds of two or more domains
    "short",
    "log_length",
    "pattern",  # a household pattern's rule fired
)
# The second-domain offset when P(two or more) is under drop_below: more than any second domain can clear.
KEEP_ONE = 99.0


def cardinality_inputs(
    over: list[float], fired: int, several: float, length: int, pattern: bool
) -> tuple[float, ...]:
    """The inputs of the cardinality model, in the order of CARDINALITY_INPUTS; `over` sorted high to low."""
    best = [max(-_LOGIT_LIMIT, min(_LOGIT_LIMIT, value)) for value in (*over[:3], *[-_LOGIT_LIMIT] * 3)][:3]
    passing = sum(value >= 0 for value in over)
    return (
        1.0,
        *best,
        float(min(passing, 3)),
        float(min(fired, 4)),
        logit(several),
        1.0 if length < SHORT_TEXT else 0.0,
        math.log1p(length),
        1.0 if pattern else 0.0,
    )


@dataclass(frozen=True)
class Cardinality:
    """P(two or more domains) of a message, and how it moves the message's second domain.

    Ten thresholds decided one by one add up to too many domains for a field
    mentioned in passing and too few for one implied; a logistic regression over
    how far the best domains are from their thresholds, the learned P(several
    domains) and the cues that fired reads the count better. When P >= add_above,
    the runner-up of a one-domain message joins if within `reach` log-odds of its
    threshold; when P < drop_below, a two-domain message keeps only its first.
    """

    weights: tuple[float, ...] = ()
    add_above: float = 1.1
    drop_below: float = 0.0
    reach: float = 0.0

    def probability(self, inputs: tuple[float, ...]) -> float:
        return _logistic(self.weights, inputs)

    def second_domain_offset(self, inputs: tuple[float, ...]) -> float:
        """The decision's second-domain offset (nlp/decision.py) for a message with these inputs."""
        if not self.weights:
            return 0.0
        several = self.probability(inputs)
        if several >= self.add_above:
            return -self.reach
        if several < self.drop_below:
            return KEEP_ONE
        return 0.0


NO_CARDINALITY = Cardinality()


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
    cardinality: Cardinality = NO_CARDINALITY

    def __post_init__(self) -> None:
        for label, weights in self.weights.items():
            if len(weights) != len(INPUTS) or label not in self.thresholds:
                raise ModelLoadError(f"blend: label {label!r} has malformed weights or no threshold")
            if any(weights[INPUTS.index(name)] < 0 for name in RULE_INPUTS):
                raise ModelLoadError(f"blend: label {label!r} has a negative weight on a rule input")
        if self.cardinality.weights and len(self.cardinality.weights) != len(CARDINALITY_INPUTS):
            raise ModelLoadError("blend: the cardinality model has malformed weights")

    def probability(self, label: str, inputs: tuple[float, ...]) -> float:
        return round(_logistic(self.weights[label], inputs), 4)

    def to_dict(self) -> dict:
        return {
            "inputs": list(INPUTS),
            "short_text": SHORT_TEXT,
            "weights": {label: [round(w, 6) for w in ws] for label, ws in self.weights.items()},
            "thresholds": self.thresholds,
            "extra_domain_margin": self.extra_domain_margin,
            "rule_floor": self.rule_floor,
            "cardinality_inputs": list(CARDINALITY_INPUTS),
            "cardinality": asdict(self.cardinality),
            "metadata": self.metadata,
        }


def save_blend(blend: Blend, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(blend.to_dict(), ensure_ascii=False, indent=1, sort_keys=True)
    (directory / BLEND_FILE).write_text(text + "\n", encoding="utf-8")


def load_blend(directory: Path) -> Blend:
    try:
        document = json.loads((directory / BLEND_FILE).read_text(encoding="utf-8"))
        if (
            tuple(document["inputs"]) != INPUTS
            or tuple(document["cardinality_inputs"]) != CARDINALITY_INPUTS
            or document["short_text"] != SHORT_TEXT
        ):
            raise ModelLoadError("blend: inputs differ from this version of nlp/blend.py; retrain")
        weights = {label: tuple(float(w) for w in ws) for label, ws in document["weights"].items()}
        thresholds = {label: float(t) for label, t in document["thresholds"].items()}
        margin, floor = float(document["extra_domain_margin"]), float(document["rule_floor"])
        count = document["cardinality"]
        cardinality = Cardinality(
            tuple(float(w) for w in count["weights"]), float(count["add_above"]), float(count["drop_below"]), float(count["reach"])
        )
        return Blend(weights, thresholds, dict(document.get("metadata", {})), margin, floor, cardinality)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"cannot load the blend in {directory}: {exc}") from None
