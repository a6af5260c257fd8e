"""The classifier: resident text -> scores and evidence -> labels.

Scoring uses the cue lexicon (nlp/data/lexicon.tsv) on the text and on its
kanji view (nlp/normalize.py), the household rules (nlp/household.py) and the
crisis detector (nlp/crisis.py). Of ja_ginza only the Sudachi tokenizer is
loaded: it gives the normalised spellings the view needs, while the tagger and
parser cost most of the time and did not change the figures (see README).
A learned component (nlp/learned.py: logistic regression over character
n-grams, word forms and ja_ginza's static word vectors) adds what the cues miss;
a per-label blend (nlp/blend.py), fit on out-of-fold predictions, weighs the
two, and the decision step (nlp/decision.py) applies the visible thresholds.
A crisis-detector emergency is never lowered.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from nlp.crisis import (
    CRISIS_LABEL,
    DISTRESS_LABEL,
    find_crisis_words,
    find_distress_words,
    find_suicide_plan_words,
)
from nlp.blend import Blend
from nlp.decision import Thresholds, blended, decide, load_thresholds
from nlp.errors import ModelLoadError
from nlp.household import score_patterns
from nlp.labels import DOMAINS, PATTERNS
from nlp.learned import LearnedModel, load_blend_and_model
from nlp.lexicon import Cue, load_lexicon
from nlp.negation import denial_length
from nlp.normalize import TextView, kanji_view, tokens_on_original, width_view
from nlp.result import Classification, Evidence, fallback_classification

logger = logging.getLogger(__name__)

MODEL_NAME = "ja_ginza"
# Everything in ja_ginza except the tokenizer: tagging and parsing are not used.
EXCLUDED_PIPES: tuple[str, ...] = (
    "tok2vec",
    "parser",
    "ner",
    "morphologizer",
    "compound_splitter",
    "bunsetu_recognizer",
    "attribute_ruler",
)
# Sudachi rejects inputs above ~49 KB; longer texts are scored on the raw text only.
_MAX_TOKENIZED_BYTES = 40_000
# Confidence given to the crisis detector's hits, and the urgent weight of distress words.
EMERGENCY_SCORE = 0.95
DISTRESS_WEIGHT = 0.9
# Source id of hits from nlp/crisis.py (lexicon rows use their line number, which is > 0).
_CRISIS_SOURCE = 0

Tokenizer = Callable[[str], Iterable]


@dataclass(frozen=True)
class Hit:
    """One cue found in the text; `source` identifies the cue row it came from."""

    evidence: Evidence
    weight: float
    source: int


@dataclass(frozen=True)
class Scored:
    """What the classifier saw, before any threshold: rule scores, evidence, learned probabilities."""

    scores: dict[str, float]
    evidence: tuple[Evidence, ...]
    learned: dict[str, float] = field(default_factory=dict)
    # The tokens the learned part reads (nlp/features.py), on the original characters.
    tokens: tuple = ()
    # Denied cues with their denial (「借金はありません」): hidden from the learned part.
    masked: tuple[tuple[int, int], ...] = ()
    # Suicidal thoughts or self-harm found by nlp/crisis.py: urgent at least, whatever the learned part says.
    distressed: bool = False


def _noisy_or(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return round(1.0 - remaining, 4)


def _strongest_per_place(hits: list[Hit]) -> list[Hit]:
    """One hit per overlapping place and label: the heaviest, then the longest."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.evidence.label, -h.weight, -(h.evidence.end - h.evidence.start))):
        e = hit.evidence
        if not any(k.evidence.label == e.label and k.evidence.start < e.end and e.start < k.evidence.end for k in kept):
            kept.append(hit)
    return kept


def _label_score(hits: list[Hit], label: str) -> float:
    """Noisy-OR over the label's cue rows; a row repeated in the text counts once."""
    per_row: dict[int, float] = {}
    for hit in hits:
        if hit.evidence.label == label:
            per_row[hit.source] = max(per_row.get(hit.source, 0.0), hit.weight)
    return _noisy_or(per_row.values())


class Classifier:
    """Scores every label of a text and decides labels with `thresholds`."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        cues: tuple[Cue, ...],
        thresholds: Thresholds,
        learned: LearnedModel | None = None,
        blend: Blend | None = None,
    ) -> None:
        if (learned is None) != (blend is None):
            raise ModelLoadError("the learned model and its blend come together")
        self._tokenizer = tokenizer
        self._cues = cues
        self.thresholds = thresholds
        self.learned = learned
        self.blend = blend

    def _views(
        self, text: str, tokens: list, width: TextView | None
    ) -> tuple[list[tuple[str, TextView | None]], list[int]]:
        """The text, its kanji and full-width views, and for each character the end of the word it is in."""
        views: list[tuple[str, TextView | None]] = [(text, None)]
        word_end = list(range(1, len(text) + 1))
        for token in tokens:
            end = token.idx + len(token.text)
            word_end[token.idx : end] = [end] * len(token.text)
        for view in (kanji_view(text, tokens) if tokens else None, width):
            if view is not None:
                views.append((view.text, view))
        return views, word_end

    def score(self, text: str) -> Scored:
        hits: list[Hit] = []
        crisis: list[Evidence] = []
        masked: list[tuple[int, int]] = []
        distressed = False
        # Very long texts are scored by the cues on the raw text only (no tokens, no learned part).
        tokens = list(self._tokenizer(text)) if len(text.encode("utf-8")) <= _MAX_TOKENIZED_BYTES else []
        width = width_view(text)
        views, word_end = self._views(text, tokens, width)
        for view_text, view in views:
            def original(start: int, end: int) -> tuple[int, int]:
                return view.original_span(start, end) if view else (start, end)

            for cue in self._cues:
                for match in cue.pattern.finditer(view_text):
                    start, end = original(*match.span())
                    # The denial may follow the cue or the rest of its word (「ひきこも|り…ってわけじゃない」).
                    if cue.negatable:
                        denied = denial_length(view_text, match.end()) or denial_length(text, word_end[end - 1])
                        if denied:
                            # The learned part must not read 「借金はありません」 as debt either.
                            masked.append((start, min(len(text), word_end[end - 1] + denied)))
                            continue
                    hits.append(Hit(Evidence(cue.label, start, end, text[start:end]), cue.weight, cue.line))
            for found in find_crisis_words(view_text):
                start, end = original(found.start, found.end)
                crisis.append(Evidence(CRISIS_LABEL, start, end, text[start:end]))
            for found in find_distress_words(view_text):
                distressed = True
                start, end = original(found.start, found.end)
                for label in (DISTRESS_LABEL, "mental_health"):
                    hits.append(Hit(Evidence(label, start, end, text[start:end]), DISTRESS_WEIGHT, _CRISIS_SOURCE))
            for found in find_suicide_plan_words(view_text):
                start, end = original(found.start, found.end)
                hits.append(Hit(Evidence("mental_health", start, end, text[start:end]), DISTRESS_WEIGHT, _CRISIS_SOURCE))

        kept = _strongest_per_place(hits)
        scores = {label: _label_score(kept, label) for label in (*DOMAINS, "urgent")}
        pattern_scores, pattern_evidence = score_patterns(text)
        scores.update({label: pattern_scores[label] for label in PATTERNS})
        crisis_evidence = sorted(set(crisis), key=lambda e: (e.start, e.end))
        scores[CRISIS_LABEL] = EMERGENCY_SCORE if crisis_evidence else 0.0
        evidence = sorted(
            {*(hit.evidence for hit in kept), *pattern_evidence, *crisis_evidence}, key=lambda e: (e.start, e.end, e.label)
        )
        read = self._learned_tokens(text, tokens, width)
        learned = self.learned.predict(text, read, masked) if self.learned is not None and read else {}
        return Scored(scores, tuple(evidence), learned, read, tuple(masked), distressed)

    def _learned_tokens(self, text: str, tokens: list, width: TextView | None) -> tuple:
        """What the learned part reads: the tokens, or those of the full-width view for half-width katakana."""
        if width is None or not tokens:
            return tuple(tokens)
        return tokens_on_original(text, width, self._tokenizer(width.text))

    def classify(self, text: str) -> Classification:
        scored = self.score(text)
        scores, decision = scored.scores, self.thresholds
        if scored.learned and self.blend is not None:
            scores, decision = blended(
                scored.scores, scored.learned, self.thresholds, self.blend, len(text), bool(scored.masked), scored.distressed
            )
        domains, patterns, urgency = decide(scores, decision)
        assigned = {*domains, *patterns, urgency}
        evidence = [e for e in scored.evidence if e.label in assigned]
        # A label assigned without any cue of its own cites the sentence the learned part scores highest.
        cited = {e.label for e in evidence}
        learned_only = [label for label in (*domains, *patterns, urgency) if label not in cited and label in scored.learned]
        if learned_only and self.learned is not None:
            evidence.extend(self.learned.evidence(text, scored.tokens, learned_only, scored.masked))
        evidence.sort(key=lambda e: (e.start, e.end, e.label))
        return Classification(domains, patterns, urgency, scores, tuple(evidence))


def load_tokenizer() -> Tokenizer:
    """ja_ginza with only its Sudachi tokenizer, from the installed package."""
    try:
        import spacy

        return spacy.load(MODEL_NAME, exclude=list(EXCLUDED_PIPES))
    except (OSError, ImportError, ValueError) as exc:
        raise ModelLoadError(f"cannot load {MODEL_NAME}: {exc}") from exc


@cache
def load_classifier() -> Classifier:
    """The process-wide classifier (loaded on first call, then reused)."""
    started = time.perf_counter()
    classifier = Classifier(load_tokenizer(), load_lexicon(), load_thresholds(), *load_blend_and_model())
    logger.info("classifier loaded in %.2f s", time.perf_counter() - started)
    return classifier


def rules_only_classifier() -> Classifier:
    """The cues, household rules and crisis detector without the learned part (for training it)."""
    return Classifier(load_tokenizer(), load_lexicon(), load_thresholds())


def classify_or_fallback(classifier: Classifier | None, text: str) -> Classification:
    """Classify `text`; on any failure return the urgent fallback so a person reads it."""
    try:
        if classifier is None:
            classifier = load_classifier()
        return classifier.classify(text)
    except Exception as exc:  # noqa: BLE001 - any failure must degrade to a human reading the message
        # Only the exception type: its message or traceback could quote the resident's text.
        logger.error("classifier failed (%s); message falls back to urgent review", type(exc).__name__)
        return fallback_classification()
