"""Cross-source validation: how the rules + learned part do on a file the model never saw.

Each source file is held out in turn: the learned model is trained on the other
files, and the held-out file is classified with the cues, the crisis detector
and that model, combined by the packaged thresholds. The rules were tuned on
some of these files (nlp/README.md says which), so their figures there are
optimistic; the files written after the rules were frozen are the honest check.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nlp.classifier import Classifier
from nlp.decision import Thresholds, combine, decide
from nlp.evaluation import Example, evaluate
from nlp.learned_labels import LEARNED_LABELS
from nlp.result import Classification
from nlp.training import Sample, TrainConfig, train


@dataclass(frozen=True)
class Scored:
    """One held-out example: its rule scores and its out-of-fold learned probabilities."""

    source: str
    example: Example
    rules: dict[str, float]
    learned: dict[str, float]


def out_of_fold(
    classifier: Classifier, rows: Sequence[tuple[str, Example]], samples: Sequence[Sample], config: TrainConfig
) -> list[Scored]:
    """Rule scores and leave-one-source-out learned probabilities for every example."""
    learned: dict[int, dict[str, float]] = {}
    for held_out in dict.fromkeys(source for source, _ in rows):
        model = train([s for s in samples if s.source != held_out], config)
        for i, sample in enumerate(samples):
            if sample.source == held_out:
                learned[i] = model.probabilities(sample.featured)
    return [
        Scored(source, example, classifier.score(example.text).scores, learned[i])
        for i, (source, example) in enumerate(rows)
    ]


def classify_scored(item: Scored, thresholds: Thresholds, use_learned: bool = True) -> Classification:
    scores = combine(item.rules, item.learned, thresholds) if use_learned else item.rules
    domains, patterns, urgency = decide(scores, thresholds)
    return Classification(domains, patterns, urgency, scores)


def report_by_source(items: Sequence[Scored], thresholds: Thresholds, use_learned: bool = True) -> dict[str, dict]:
    """The evaluation report of each source file (and of all of them), rules alone or combined."""
    groups: dict[str, list[Scored]] = {"all": list(items)}
    for item in items:
        groups.setdefault(item.source, []).append(item)
    return {
        source: evaluate([i.example for i in group], [classify_scored(i, thresholds, use_learned) for i in group])
        for source, group in groups.items()
    }


def choose_thresholds(
    items: Sequence[Scored], thresholds: Thresholds, objective: Callable[[str, list[Scored], Thresholds], float]
) -> dict[str, float | None]:
    """Per label, the learned threshold (from a fixed grid, or off) that maximises `objective`."""
    grid: list[float | None] = [None, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    chosen = dict(thresholds.learned)
    for label in LEARNED_LABELS:
        best = None
        best_value = float("-inf")
        for candidate in grid:
            trial = Thresholds(**{**thresholds.__dict__, "learned": {**chosen, label: candidate}})
            value = objective(label, list(items), trial)
            if value > best_value + 1e-9:
                best, best_value = candidate, value
        chosen[label] = best
    return chosen


def label_objective(label: str, items: list[Scored], thresholds: Thresholds) -> float:
    """What a learned threshold is chosen for: F1 of the label; for emergency, recall at
    precision >= 0.75 (safety first); for urgent, urgency accuracy."""
    predictions = [classify_scored(i, thresholds) for i in items]
    if label in ("emergency", "urgent"):
        gold = [i.example.urgency for i in items]
        got = [p.urgency for p in predictions]
        if label == "urgent":
            return sum(g == p for g, p in zip(gold, got)) / max(len(items), 1)
        tp = sum(g == p == "emergency" for g, p in zip(gold, got))
        recall = tp / max(gold.count("emergency"), 1)
        precision = tp / max(got.count("emergency"), 1)
        return recall + 0.01 * precision if precision >= 0.75 else precision - 1.0
    gold_sets = [i.example.domains | i.example.patterns for i in items]
    got_sets = [set(p.domains) | set(p.patterns) for p in predictions]
    tp = sum(label in g and label in p for g, p in zip(gold_sets, got_sets))
    fp = sum(label not in g and label in p for g, p in zip(gold_sets, got_sets))
    fn = sum(label in g and label not in p for g, p in zip(gold_sets, got_sets))
    return 2 * tp / max(2 * tp + fp + fn, 1)
