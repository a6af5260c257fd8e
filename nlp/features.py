"""Features of the learned component: what generalises beyond the cue lexicon.

Three views of a message, all computed from the tokens the classifier already has:
* character 1-3-grams of the NFKC-folded text (typos, dialect endings, kana spellings),
* Sudachi normalised word forms and their bigrams (「しにたい」 and 「死にたい」 meet),
* the mean and the max of ja_ginza's 300-d static word vectors (paraphrases:
  words used in similar contexts sit near each other).
A sentence can be featurised on its own, so the learned part can cite the
sentence that contributed most as its evidence.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

VECTOR_WIDTH = 300
DENSE_WIDTH = 2 * VECTOR_WIDTH
CHAR_NGRAMS = (1, 2, 3)
# Sentence and clause ends; the learned evidence is one such piece of the text.
_SENTENCE_END = re.compile(r"[。．！？!?\n]+|[…‥]{1,}|(?<=[^\s])\s{2,}")
_SKIP_WORD = re.compile(r"^[\s\W_]+$")
Span = tuple[int, int]


class VectorToken(Protocol):
    """The parts of a spaCy token the features need."""

    idx: int
    text: str
    norm_: str
    has_vector: bool
    vector: np.ndarray


@dataclass(frozen=True)
class Featured:
    """Sparse feature keys (each present once) and the dense pooled vector of one text."""

    keys: frozenset[str]
    dense: np.ndarray


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def char_ngrams(text: str) -> set[str]:
    folded = re.sub(r"\s+", " ", _fold(text)).strip()
    grams: set[str] = set()
    for n in CHAR_NGRAMS:
        grams.update("c:" + folded[i : i + n] for i in range(len(folded) - n + 1))
    return grams


def word_keys(tokens: Sequence[VectorToken]) -> set[str]:
    norms = [_fold(t.norm_ or t.text) for t in tokens if not _SKIP_WORD.match(t.text)]
    keys = {"w:" + norm for norm in norms}
    keys.update(f"b:{a}|{b}" for a, b in zip(norms, norms[1:]))
    return keys


def pooled_vectors(tokens: Iterable[VectorToken]) -> np.ndarray:
    """[mean ; max] of the word vectors (zeros when no word has one), unit length each half."""
    rows = [t.vector for t in tokens if t.has_vector and not _SKIP_WORD.match(t.text)]
    if not rows:
        return np.zeros(DENSE_WIDTH, dtype=np.float32)
    matrix = np.asarray(rows, dtype=np.float32)
    halves = []
    for half in (matrix.mean(axis=0), matrix.max(axis=0)):
        norm = float(np.linalg.norm(half))
        halves.append(half / norm if norm > 0 else half)
    return np.concatenate(halves).astype(np.float32)


def featurise(text: str, tokens: Sequence[VectorToken], masked: Sequence[Span] = (), offset: int = 0) -> Featured:
    """Features of `text` (which starts at `offset` of the message) without the `masked` spans."""
    if masked:
        chars = list(text)
        for start, end in masked:
            chars[max(start - offset, 0) : max(end - offset, 0)] = " " * len(chars[max(start - offset, 0) : max(end - offset, 0)])
        text = "".join(chars)
        tokens = [t for t in tokens if not any(s < t.idx + len(t.text) and t.idx < e for s, e in masked)]
    return Featured(frozenset(char_ngrams(text) | word_keys(tokens)), pooled_vectors(tokens))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence or clause, without surrounding whitespace."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped:
            offset = begin + piece.index(stripped)
            trimmed.append((offset, offset + len(stripped)))
    return trimmed


def featurise_sentences(
    text: str, tokens: Sequence[VectorToken], masked: Sequence[Span] = ()
) -> list[tuple[Span, Featured]]:
    """Each sentence of `text` with the features of its own characters and tokens."""
    pieces = []
    for start, end in sentence_spans(text):
        inside = [t for t in tokens if start <= t.idx < end]
        pieces.append(((start, end), featurise(text[start:end], inside, masked, start)))
    return pieces
