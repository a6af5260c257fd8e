"""Fixtures for the classifier tests: the model is loaded once per session."""

import pytest

from nlp.classifier import Classifier, load_classifier


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return load_classifier()
