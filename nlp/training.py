"""Training the learned component (nlp/learned.py) on our own labelled JSONL.

Full-batch Adam on a weighted logistic loss with L2, from zero weights, over
the examples in file order: the same data gives the same weights, so
`marugoto nlp train` regenerates the committed model. Never give it
../shared/eval/dev.jsonl (evaluation only).
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nlp.errors import InputError
from nlp.evaluation import Example
from nlp.features import DENSE_WIDTH, Featured, featurise
from nlp.jsonl import read_examples
from nlp.learned import LearnedModel, sparse_values
from nlp.learned_labels import LEARNED_LABELS, SEVERAL_DOMAINS

if TYPE_CHECKING:
    from nlp.classifier import Scored

# Our own labelled files, in training order (see nlp/README.md for provenance).
TRAINING_FILES: tuple[str, ...] = (
    "examples.jsonl",
    "families.jsonl",
    "heldout1.jsonl",
    "corpus_a.jsonl",
    "corpus_b.jsonl",
    "corpus_c.jsonl",
    "corpus_d.jsonl",
    "corpus_e.jsonl",
    "corpus_f.jsonl",
    "corpus_g.jsonl",
    "corpus_h.jsonl",
    "chatter.jsonl",
    "corpus_i.jsonl",
    "corpus_j1.jsonl",
    "corpus_j2.jsonl",
    "corpus_j3.jsonl",
    "corpus_j4.jsonl",
    "corpus_j5.jsonl",
    "corpus_j6.jsonl",
    "corpus_j7.jsonl",
    "corpus_j8.jsonl",
    "corpus_k1.jsonl",
    "corpus_k2.jsonl",
    "corpus_k3.jsonl",
    "corpus_k4.jsonl",
    "corpus_k5.jsonl",
    "corpus_k6.jsonl",
    "corpus_k7.jsonl",
    "corpus_k8.jsonl",
    "corpus_l1.jsonl",
    "corpus_l2.jsonl",
    "corpus_l3.jsonl",
    "corpus_l4.jsonl",
    "corpus_l5.jsonl",
    "corpus_l6.jsonl",
    "corpus_l7.jsonl",
    "corpus_l8.jsonl",
)
_FORBIDDEN_NAME = "dev.jsonl"


@dataclass(frozen=True)
class TrainConfig:
    min_count: int = 2  # a feature key must occur in this many messages to be kept
    dense_scale: float = 1.0
    l2: float = 1e-4
    epochs: int = 250
    learning_rate: float = 0.05
    max_positive_weight: float = 4.0  # rare labels: positives weigh up to this much more

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Sample:
    """One featurised training message, its learned targets and what the rules made of it."""

    source: str
    featured: Featured
    targets: frozenset[str]
    rules: dict[str, float]  # rule scores, as the blend reads them (nlp/stacking.py)
    denied: bool  # a cue was denied (and masked from the learned part)
    distressed: bool


def targets_of(example: Example) -> frozenset[str]:
    labels = {*example.domains, *example.patterns}
    if len(example.domains) >= 2:
        labels.add(SEVERAL_DOMAINS)
    if example.urgency == "emergency":
        labels.add("emergency")
    if example.urgency in ("urgent", "emergency"):
        labels.add("urgent")
    return frozenset(labels)


def read_sources(paths: Sequence[Path]) -> list[tuple[str, Example]]:
    """(file name, example) for every line of the given files; refuses dev.jsonl."""
    rows = []
    for path in paths:
        if path.name == _FORBIDDEN_NAME:
            raise InputError(f"{path}: the evaluation set is never used for training")
        with path.open(encoding="utf-8") as lines:
            rows.extend((path.name, example) for example in read_examples(lines))
    return rows


def featurise_examples(rows: Iterable[tuple[str, Example]], score: Callable[[str], "Scored"]) -> list[Sample]:
    """Features as the classifier computes them at run time (denied cues masked), via its `score`."""
    samples = []
    for source, example in rows:
        scored = score(example.text)
        featured = featurise(example.text, scored.tokens, scored.masked)
        samples.append(Sample(source, featured, targets_of(example), scored.scores, bool(scored.masked), scored.distressed))
    return samples


def build_vocabulary(samples: Sequence[Sample], min_count: int) -> dict[str, int]:
    counts = Counter(key for sample in samples for key in sample.featured.keys)
    kept = sorted(key for key, count in counts.items() if count >= min_count)
    return {key: row for row, key in enumerate(kept)}


class Design:
    """The training matrix [sparse keys | dense pooled vectors | 1], same layout as LearnedModel.weights.

    The key part is over 99 % zeros, so it is kept as (row, column, value) entries and
    multiplied one label column at a time by `np.bincount`, which adds in entry order:
    the same sums every run, and a fraction of a dense product's time.
    """

    def __init__(self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray, keys: int, dense: np.ndarray) -> None:
        self.rows, self.columns, self.values = rows, columns, values
        self.keys = keys
        self.dense = dense  # (samples, DENSE_WIDTH + 1): pooled vectors, then the bias column
        self.width = keys + dense.shape[1]

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """design @ weights."""
        samples = self.dense.shape[0]
        sparse = np.ascontiguousarray(weights[: self.keys].T)
        keyed = [np.bincount(self.rows, sparse[j][self.columns] * self.values, samples) for j in range(weights.shape[1])]
        return np.stack(keyed, axis=1) + self.dense @ weights[self.keys :]

    def transposed_dot(self, gradient: np.ndarray) -> np.ndarray:
        """design.T @ gradient."""
        columns = np.ascontiguousarray(gradient.T)
        keyed = [np.bincount(self.columns, columns[j][self.rows] * self.values, self.keys) for j in range(gradient.shape[1])]
        return np.concatenate([np.stack(keyed, axis=1), self.dense.T @ gradient])


def design_matrix(samples: Sequence[Sample], vocabulary: dict[str, int], dense_scale: float) -> Design:
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    dense = np.zeros((len(samples), DENSE_WIDTH + 1), dtype=np.float64)
    for i, sample in enumerate(samples):
        present = sorted(vocabulary[k] for k in sample.featured.keys if k in vocabulary)
        rows.extend([i] * len(present))
        columns.extend(present)
        values.extend([sparse_values(len(present))] * len(present))
        dense[i, :DENSE_WIDTH] = sample.featured.dense * dense_scale
        dense[i, -1] = 1.0
    return Design(np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64), np.array(values), len(vocabulary), dense)


def target_matrix(samples: Sequence[Sample], labels: Sequence[str]) -> np.ndarray:
    return np.array([[label in s.targets for label in labels] for s in samples], dtype=np.float64)


def fit(matrix: Design, targets: np.ndarray, config: TrainConfig) -> np.ndarray:
    """Weights minimising the weighted logistic loss + L2 (bias not penalised), by full-batch Adam."""
    n, width = targets.shape[0], matrix.width
    positives = targets.sum(axis=0)
    positive_weight = np.clip((n - positives) / np.maximum(positives, 1.0), 1.0, config.max_positive_weight)
    sample_weight = np.where(targets > 0, positive_weight, 1.0) / n
    penalty = np.full((width, 1), config.l2)
    penalty[-1] = 0.0
    weights = np.zeros((width, targets.shape[1]))
    first = np.zeros_like(weights)
    second = np.zeros_like(weights)
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, config.epochs + 1):
        probabilities = 1.0 / (1.0 + np.exp(-matrix.dot(weights)))
        gradient = matrix.transposed_dot((probabilities - targets) * sample_weight) + penalty * weights
        first = beta1 * first + (1 - beta1) * gradient
        second = beta2 * second + (1 - beta2) * gradient**2
        corrected = first / (1 - beta1**step)
        weights -= config.learning_rate * corrected / (np.sqrt(second / (1 - beta2**step)) + epsilon)
    return weights


def train(samples: Sequence[Sample], config: TrainConfig, metadata: dict | None = None) -> LearnedModel:
    if not samples:
        raise InputError("no training examples")
    vocabulary = build_vocabulary(samples, config.min_count)
    matrix = design_matrix(samples, vocabulary, config.dense_scale)
    weights = fit(matrix, target_matrix(samples, LEARNED_LABELS), config)
    return LearnedModel(
        LEARNED_LABELS, vocabulary, weights.astype(np.float32), config.dense_scale, {"config": config.to_dict(), **(metadata or {})}
    )


def file_digests(paths: Sequence[Path]) -> dict[str, str]:
    """sha256 of each training file, recorded in the model for provenance."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
