"""The learned component: one logistic regression per label over nlp/features.py.

The weights live in `nlp/model/` (written by `marugoto nlp train`, see
nlp/training.py): `learned.json` holds the label order, the feature vocabulary
and how the model was trained; `weights.npy` holds one column per label with a
row per vocabulary key, then the dense rows, then the bias. Both are plain
files in the package, so the model loads offline.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from nlp.blend import Blend, load_blend
from nlp.errors import ModelLoadError
from nlp.features import DENSE_WIDTH, Featured, Span, VectorToken, featurise, featurise_sentences
from nlp.learned_labels import LEARNED_LABELS
from nlp.result import Evidence

MODEL_FILE = "learned.json"
WEIGHTS_FILE = "weights.npy"


def sparse_values(count: int) -> float:
    """The value of each present key: texts of any length weigh the same (unit L2 norm)."""
    return 1.0 / np.sqrt(count) if count else 0.0


@dataclass(frozen=True)
class LearnedModel:
    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    weights: np.ndarray  # (len(vocabulary) + DENSE_WIDTH + 1, len(labels))
    dense_scale: float
    metadata: dict

    def __post_init__(self) -> None:
        expected = (len(self.vocabulary) + DENSE_WIDTH + 1, len(self.labels))
        if self.weights.shape != expected:
            raise ModelLoadError(f"learned model: weights have shape {self.weights.shape}, expected {expected}")

    def logits(self, featured: Featured) -> np.ndarray:
        # Sorted: a frozenset's order changes with PYTHONHASHSEED, and so would the float sum.
        rows = sorted(self.vocabulary[k] for k in featured.keys if k in self.vocabulary)
        sparse = self.weights[rows].sum(axis=0) * sparse_values(len(rows)) if rows else 0.0
        start = len(self.vocabulary)
        dense = (featured.dense * self.dense_scale) @ self.weights[start : start + DENSE_WIDTH]
        return sparse + dense + self.weights[-1]

    def probabilities(self, featured: Featured) -> dict[str, float]:
        values = 1.0 / (1.0 + np.exp(-self.logits(featured)))
        return {label: round(float(v), 4) for label, v in zip(self.labels, values)}

    def predict(self, text: str, tokens: Sequence[VectorToken], masked: Sequence[Span] = ()) -> dict[str, float]:
        return self.probabilities(featurise(text, tokens, masked))

    def evidence(
        self, text: str, tokens: Sequence[VectorToken], labels: Sequence[str], masked: Sequence[Span] = ()
    ) -> list[Evidence]:
        """For each label, the sentence the model scores highest for it, with exact offsets."""
        sentences = featurise_sentences(text, tokens, masked)
        if not sentences or not labels:
            return []
        columns = [self.labels.index(label) for label in labels]
        logits = np.array([self.logits(featured)[columns] for _, featured in sentences])
        found = []
        for position, label in enumerate(labels):
            start, end = sentences[int(np.argmax(logits[:, position]))][0]
            found.append(Evidence(label, start, end, text[start:end]))
        return found


def model_directory() -> Path:
    return Path(str(resources.files("nlp").joinpath("model")))


def save_model(model: LearnedModel, directory: Path) -> None:
    """Write the two model files; the same model always gives the same bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    ordered = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    document = {
        "labels": list(model.labels),
        "dense_scale": model.dense_scale,
        "metadata": model.metadata,
        "vocabulary": ordered,
    }
    (directory / MODEL_FILE).write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    np.save(directory / WEIGHTS_FILE, model.weights.astype(np.float32), allow_pickle=False)


def load_model(directory: Path | None = None) -> LearnedModel:
    """The packaged learned model, or the one in `directory`; ModelLoadError if missing or malformed."""
    directory = directory or model_directory()
    try:
        document = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        weights = np.load(directory / WEIGHTS_FILE, allow_pickle=False)
        labels = tuple(document["labels"])
        vocabulary = {key: row for row, key in enumerate(document["vocabulary"])}
        dense_scale = float(document["dense_scale"])
        metadata = dict(document.get("metadata", {}))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"cannot load the learned model in {directory}: {exc}") from None
    if set(labels) - set(LEARNED_LABELS):
        raise ModelLoadError("learned model: unknown label in learned.json")
    return LearnedModel(labels, vocabulary, weights, dense_scale, metadata)


def load_blend_and_model(directory: Path | None = None) -> tuple[LearnedModel, Blend]:
    """The learned model and the blend fit on its out-of-fold predictions (one directory, one training run)."""
    directory = directory or model_directory()
    return load_model(directory), load_blend(directory)
