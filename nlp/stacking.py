"""Fitting the blend (nlp/blend.py) on out-of-fold predictions, and choosing its thresholds.

The learned probabilities the blend reads must come from models that never
saw the message (k-fold by source file, nlp/validation.py): on its own
training data the learned part is near-certain, and a blend fit there would
trust it blindly. Thresholds are chosen on the same out-of-fold predictions:
F1 per domain and pattern; for emergency, the lowest threshold whose precision
stays >= EMERGENCY_PRECISION (recall matters most); for urgent, urgency accuracy.
Then the margin a third domain needs and the cardinality model (nlp/blend.py),
each maximising domain micro-F1 + complex accuracy + route accuracy.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from nlp.blend import INPUTS, NO_CARDINALITY, RULE_INPUTS, Blend, Cardinality, blend_inputs
from nlp.decision import Thresholds, blended, count_inputs, decide, gate_open
from nlp.evaluation import Example
from nlp.labels import DOMAINS, PATTERNS, default_route
from nlp.learned_labels import LEARNED_LABELS, SEVERAL_DOMAINS
from nlp.result import Classification

# The precision target for emergency: recall matters more, so the threshold goes as low as this allows.
EMERGENCY_PRECISION = 0.75
_GRID = tuple(round(0.05 * i, 2) for i in range(2, 19))
_FINE_GRID = tuple(round(0.02 * i, 2) for i in range(3, 48))
_RULE_FLOORS = (0.7, 0.8, 0.9, 0.95, 2.0)
_MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 1.0)
# When the cardinality model adds a runner-up (P(two or more) at least; 1.1: never), keeps only the first
# domain (P below; 0: never), and how far under its threshold a runner-up may be (log-odds).
_ADD_ABOVE = (0.5, 0.6, 0.7, 0.8, 1.1)
_DROP_BELOW = (0.0, 0.2, 0.3, 0.4, 0.5)
_REACH = (0.5, 1.0, 2.0, 3.0, 5.0)
_CARDINALITY_STEPS = 2000


@dataclass(frozen=True)
class BlendConfig:
    l2: float = 1e-3
    steps: int = 400
    learning_rate: float = 0.05
    cardinality: bool = True  # choose a margin for third and fourth domains, and fit the cardinality model
    # Labels left to the rules alone (none: the household patterns are blended behind their gates,
    # nlp/decision.py PATTERN_GATES, which did better out of fold than the rules alone; nlp/README.md).
    rules_only: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"l2": self.l2, "steps": self.steps, "learning_rate": self.learning_rate, "cardinality": self.cardinality, "rules_only": list(self.rules_only)}


@dataclass(frozen=True)
class Scored:
    """One message with its rule scores and out-of-fold learned probabilities."""

    source: str
    example: Example
    rules: dict[str, float]
    learned: dict[str, float]
    length: int
    denied: bool
    distressed: bool = False


def gold_has(example: Example, label: str) -> bool:
    if label == "emergency":
        return example.urgency == "emergency"
    if label == "urgent":
        return example.urgency in ("urgent", "emergency")
    return label in example.domains or label in example.patterns


def _fit_logistic(inputs: np.ndarray, targets: np.ndarray, config: BlendConfig, steps: int, monotone: Sequence[int] = ()) -> np.ndarray:
    """Logistic regression by projected full-batch Adam: the `monotone` inputs' weights stay >= 0."""
    weights = np.zeros(inputs.shape[1])
    first = np.zeros_like(weights)
    second = np.zeros_like(weights)
    penalty = np.full_like(weights, config.l2)
    penalty[0] = 0.0
    monotone = list(monotone)
    for step in range(1, steps + 1):
        probabilities = 1.0 / (1.0 + np.exp(-(inputs @ weights)))
        gradient = inputs.T @ (probabilities - targets) / len(targets) + penalty * weights
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        weights -= config.learning_rate * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        weights[monotone] = np.maximum(weights[monotone], 0.0)
    return weights


def fit_blend(items: Sequence[Scored], thresholds: Thresholds, config: BlendConfig = BlendConfig()) -> Blend:
    """Blend weights for every learned label, then its thresholds, from out-of-fold `items`."""
    weights = {}
    for label in (label for label in LEARNED_LABELS if label not in (*config.rules_only, SEVERAL_DOMAINS)):
        cut = thresholds.rule_threshold(label)
        # A gated pattern's blend only ever decides messages whose gate is open: fit it on those.
        fitted_on = [i for i in items if gate_open(label, i.rules, thresholds)]
        if not fitted_on:
            continue
        inputs = np.array(
            [blend_inputs(i.rules.get(label, 0.0), cut, i.learned[label], i.length, i.denied) for i in fitted_on]
        )
        targets = np.array([gold_has(i.example, label) for i in fitted_on], dtype=np.float64)
        fitted = _fit_logistic(inputs, targets, config, config.steps, [INPUTS.index(name) for name in RULE_INPUTS])
        weights[label] = tuple(round(float(w), 6) for w in fitted)
    provisional = Blend(weights, {label: 0.5 for label in weights}, {})
    chosen = Blend(weights, choose_thresholds(items, thresholds, provisional), {})
    floor = choose_rule_floor(items, thresholds, chosen)
    chosen = Blend(weights, chosen.thresholds, {}, 0.0, floor)
    margin = choose_margin(items, thresholds, chosen) if config.cardinality else 0.0
    chosen = Blend(weights, chosen.thresholds, {}, margin, floor)
    cardinality = fit_cardinality(items, thresholds, chosen, config) if config.cardinality else NO_CARDINALITY
    return Blend(weights, chosen.thresholds, {"config": config.to_dict(), "examples": len(items)}, margin, floor, cardinality)


def _label_micro_f1(items: Sequence[Scored], predictions: Sequence[Classification]) -> float:
    """Micro-F1 over domains and patterns together."""
    gold = [i.example.domains | i.example.patterns for i in items]
    got = [set(p.domains) | set(p.patterns) for p in predictions]
    tp = sum(len(g & p) for g, p in zip(gold, got))
    return _f1(tp, sum(len(p - g) for g, p in zip(gold, got)), sum(len(g - p) for g, p in zip(gold, got)))


def choose_rule_floor(items: Sequence[Scored], thresholds: Thresholds, blend: Blend) -> float:
    """The rule score above which a cue keeps its label against the learned part (2.0: never)."""

    def objective(floor: float) -> float:
        trial = Blend(blend.weights, blend.thresholds, {}, 0.0, floor)
        return round(_label_micro_f1(items, [classify_scored(i, thresholds, trial) for i in items]), 4)

    return max(_RULE_FLOORS, key=lambda floor: (objective(floor), floor))


def choose_margin(items: Sequence[Scored], thresholds: Thresholds, blend: Blend) -> float:
    """The extra margin a third domain needs, maximising domain micro-F1 + complex + route accuracy."""

    def objective(margin: float) -> float:
        trial = Blend(blend.weights, blend.thresholds, {}, margin, blend.rule_floor)
        return _cardinality_objective(items, [classify_scored(i, thresholds, trial) for i in items])

    return max(_MARGINS, key=lambda margin: (objective(margin), -margin))


def fit_cardinality(items: Sequence[Scored], thresholds: Thresholds, blend: Blend, config: BlendConfig) -> Cardinality:
    """The cardinality model fit on the items' blended scores, then when it adds or drops a second domain.

    Those three settings maximise the same objective as the margin; ties go to moving fewer domains.
    """
    decided = [_blend_item(i, thresholds, blend) for i in items]
    inputs = [count_inputs(i.rules, i.learned, scores, decision, thresholds, i.length) for i, (scores, decision) in zip(items, decided)]
    targets = np.array([len(i.example.domains) >= 2 for i in items], dtype=np.float64)
    weights = tuple(round(float(w), 6) for w in _fit_logistic(np.array(inputs), targets, config, _CARDINALITY_STEPS))

    def objective(cardinality: Cardinality) -> float:
        predictions = []
        for (scores, decision), row in zip(decided, inputs):
            offset = cardinality.second_domain_offset(row)
            predictions.append(Classification(*decide(scores, replace(decision, second_domain_offset=offset)), scores))
        return _cardinality_objective(items, predictions)

    settings = [Cardinality(weights, add, drop, reach) for add in _ADD_ABOVE for drop in _DROP_BELOW for reach in _REACH]
    return max(settings, key=lambda c: (objective(c), c.add_above, -c.drop_below, -c.reach))


def _cardinality_objective(items: Sequence[Scored], predictions: Sequence[Classification]) -> float:
    """Domain micro-F1 + complex accuracy + route accuracy."""
    tp = sum(len(set(p.domains) & i.example.domains) for p, i in zip(predictions, items))
    fp = sum(len(set(p.domains) - i.example.domains) for p, i in zip(predictions, items))
    fn = sum(len(i.example.domains - set(p.domains)) for p, i in zip(predictions, items))
    complex_ok = sum(p.complex == (len(i.example.domains) >= 2) for p, i in zip(predictions, items))
    route_ok = sum(
        p.route == default_route(i.example.domains, i.example.patterns, i.example.urgency)
        for p, i in zip(predictions, items)
    )
    return round(_f1(tp, fp, fn) + (complex_ok + route_ok) / len(items), 4)


def _blend_item(item: Scored, thresholds: Thresholds, blend: Blend) -> tuple[dict[str, float], Thresholds]:
    return blended(item.rules, item.learned, thresholds, blend, item.length, item.denied, item.distressed)


def classify_scored(item: Scored, thresholds: Thresholds, blend: Blend | None) -> Classification:
    if blend is None:
        scores, decision = item.rules, thresholds
    else:
        scores, decision = _blend_item(item, thresholds, blend)
    return Classification(*decide(scores, decision), scores)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(2 * tp + fp + fn, 1)


def choose_thresholds(items: Sequence[Scored], thresholds: Thresholds, blend: Blend) -> dict[str, float]:
    """Per label on its own blend probability: see the module docstring for the objectives."""
    blended_scores = [_blend_item(i, thresholds, blend)[0] for i in items]
    # Where a pattern's gate is closed its rule decides whatever the cut: 1 or 0 stands for that decision.
    probabilities = {
        label: [
            scores[label] if gate_open(label, i.rules, thresholds) else float(i.rules.get(label, 0.0) >= thresholds.rule_threshold(label))
            for i, scores in zip(items, blended_scores)
        ]
        for label in blend.weights
    }
    chosen = {}
    for label in (label for label in (*DOMAINS, *PATTERNS) if label in blend.weights):
        gold = [gold_has(i.example, label) for i in items]

        def f1_at(cut: float, label_gold: list[bool] = gold, values: list[float] = probabilities[label]) -> float:
            tp = sum(g and v >= cut for g, v in zip(label_gold, values))
            fp = sum(not g and v >= cut for g, v in zip(label_gold, values))
            return _f1(tp, fp, sum(label_gold) - tp)

        # Ties go to the threshold nearest 0.5 (the calibrated even odds).
        chosen[label] = max(_GRID, key=lambda cut: (round(f1_at(cut), 4), -abs(cut - 0.5)))
    crisis = [i.rules.get("emergency", 0.0) >= thresholds.emergency for i in items]
    gold = [i.example.urgency == "emergency" for i in items]
    chosen["emergency"] = _FINE_GRID[-1]
    for cut in _FINE_GRID:
        flagged = [c or v >= cut for c, v in zip(crisis, probabilities["emergency"])]
        tp = sum(f and g for f, g in zip(flagged, gold))
        if tp and tp / sum(flagged) >= EMERGENCY_PRECISION:
            chosen["emergency"] = cut
            break
    trial = Blend(blend.weights, {**blend.thresholds, **chosen, "urgent": 0.5}, {})

    def urgency_accuracy(cut: float) -> float:
        candidate = Blend(trial.weights, {**trial.thresholds, "urgent": cut}, {})
        return sum(classify_scored(i, thresholds, candidate).urgency == i.example.urgency for i in items) / len(items)

    chosen["urgent"] = max(_GRID, key=lambda cut: (round(urgency_accuracy(cut), 4), -abs(cut - 0.5)))
    return chosen
