"""Cross-source validation: out-of-fold predictions by source file, and figures on them.

Each source file is held out in turn: the learned model is trained on the
other files and predicts the held-out one. These out-of-fold probabilities are
what the blend is fit on (nlp/stacking.py). For the figures the blend is
nested too: the held-out file is decided by a blend fit only on the other
files' out-of-fold predictions, so nothing about it was seen. The rules were
tuned on some of these files (nlp/README.md says which), so the corpus files
written after the rules were frozen are the honest check.
"""

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from nlp.classifier import Classifier
from nlp.decision import Thresholds
from nlp.evaluation import Example, evaluate
from nlp.result import Classification
from nlp.stacking import BlendConfig, Scored, classify_scored, fit_blend
from nlp.training import Sample, TrainConfig, train

# The samples of a fold worker, set once per process (not sent again with every fold).
_worker_samples: Sequence[Sample] = ()


def _keep_samples(samples: Sequence[Sample]) -> None:
    global _worker_samples
    _worker_samples = samples


def _held_out_probabilities(samples: Sequence[Sample], held_out: str, config: TrainConfig) -> dict[int, dict[str, float]]:
    """Train without `held_out` and predict its samples (by index)."""
    model = train([s for s in samples if s.source != held_out], config)
    return {i: model.probabilities(s.featured) for i, s in enumerate(samples) if s.source == held_out}


def _held_out_in_worker(held_out: str, config: TrainConfig) -> dict[int, dict[str, float]]:
    return _held_out_probabilities(_worker_samples, held_out, config)


def out_of_fold(
    rows: Sequence[tuple[str, Example]], samples: Sequence[Sample], config: TrainConfig, jobs: int = 1
) -> list[Scored]:
    """Rule scores and leave-one-source-out learned probabilities for every example (`samples` line up with `rows`).

    The folds are independent, so `jobs` processes train them side by side; each
    fold's model is the same whichever process trains it.
    """
    held_outs = list(dict.fromkeys(source for source, _ in rows))
    learned: dict[int, dict[str, float]] = {}
    if jobs <= 1:
        for held_out in held_outs:
            learned.update(_held_out_probabilities(samples, held_out, config))
    else:
        # spawn, not fork: a forked child can inherit a BLAS thread pool mid-operation and hang.
        with ProcessPoolExecutor(jobs, get_context("spawn"), _keep_samples, (samples,)) as pool:
            for found in pool.map(_held_out_in_worker, held_outs, [config] * len(held_outs)):
                learned.update(found)
    return [
        Scored(source, example, sample.rules, learned[i], len(example.text), sample.denied, sample.distressed)
        for i, ((source, example), sample) in enumerate(zip(rows, samples, strict=True))
    ]


def _nested_decisions(held_out: str, items: Sequence[Scored], thresholds: Thresholds, config: BlendConfig) -> dict[int, Classification]:
    """The held-out source's items (by index) decided by a blend fit only on the other sources."""
    blend = fit_blend([i for i in items if i.source != held_out], thresholds, config)
    return {k: classify_scored(i, thresholds, blend) for k, i in enumerate(items) if i.source == held_out}


def report_by_source(
    items: Sequence[Scored], classifier: Classifier, config: BlendConfig, jobs: int = 1
) -> dict[str, dict[str, dict]]:
    """Per held-out source (and all together): the report of the rules alone and of the nested blend."""
    thresholds = classifier.thresholds
    sources = list(dict.fromkeys(item.source for item in items))
    decided: dict[int, Classification] = {}
    if jobs <= 1:
        for source in sources:
            decided.update(_nested_decisions(source, items, thresholds, config))
    else:
        with ProcessPoolExecutor(jobs, get_context("spawn")) as pool:
            count = len(sources)
            for found in pool.map(_nested_decisions, sources, [items] * count, [thresholds] * count, [config] * count):
                decided.update(found)
    groups: dict[str, list[int]] = {"all": list(range(len(items)))}
    for k, item in enumerate(items):
        groups.setdefault(item.source, []).append(k)
    return {
        source: {
            "rules": evaluate([items[k].example for k in group], [classify_scored(items[k], thresholds, None) for k in group]),
            "blended": evaluate([items[k].example for k in group], [decided[k] for k in group]),
        }
        for source, group in groups.items()
    }
