"""The classifier as the worker uses it: loaded once per process, run with a time limit,
and the model-free crisis check that runs on every text.

A failure or a timeout yields the fallback classification (urgent, for a person to
read), so a resident's concern is never lost to the model.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from nlp.classifier import classify_or_fallback, load_classifier
from nlp.crisis import find_crisis_words, find_distress_words
from nlp.result import Classification, fallback_classification

log = logging.getLogger(__name__)

CLASSIFY_TIMEOUT_SECONDS = 20.0


def _classify_with_model(text: str) -> Classification:
    return classify_or_fallback(None, text)


class ClassifierRunner:
    def __init__(
        self,
        classify: Callable[[str], Classification] = _classify_with_model,
        *,
        timeout_seconds: float = CLASSIFY_TIMEOUT_SECONDS,
    ):
        self._classify = classify
        self._timeout = timeout_seconds
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="marugoto-classifier")

    def warm_up(self) -> None:
        """Load the model in the background, so the first resident does not wait for it."""
        self._pool.submit(_load_quietly)

    def classify(self, text: str) -> Classification:
        future = self._pool.submit(self._classify, text)
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout:
            log.error("classifier took over %.0f s; the message falls back to urgent review", self._timeout)
        except Exception as exc:  # noqa: BLE001 - whatever fails, a person reads the message
            log.error("classifier failed (%s); the message falls back to urgent review", type(exc).__name__)
        return fallback_classification()

    @staticmethod
    def crisis(text: str) -> bool:
        """Danger to life now, or suicidal thoughts: either way the resident sees the
        emergency numbers in the very next reply and a person is alerted."""
        return bool(find_crisis_words(text) or find_distress_words(text))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _load_quietly() -> None:
    try:
        load_classifier()
    except Exception as exc:  # noqa: BLE001 - classify() falls back; this only warms up
        log.error("classifier could not be loaded (%s); messages fall back to urgent review", type(exc).__name__)
