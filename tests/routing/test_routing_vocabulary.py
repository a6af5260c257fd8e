"""routing keeps its own copy of the SCHEMA labels (it must not import nlp): both must agree."""

from nlp import labels
from routing import vocabulary


def test_label_tuples_match_nlp_labels():
    assert vocabulary.DOMAINS == labels.DOMAINS
    assert vocabulary.CORE_DOMAINS == labels.CORE_DOMAINS
    assert vocabulary.PATTERNS == labels.PATTERNS
    assert vocabulary.URGENCIES == labels.URGENCIES


def test_default_queues_are_the_schema_routes():
    assert set(vocabulary.SCHEMA_QUEUES) | {vocabulary.BOT_QUEUE} == set(labels.ROUTES)
    assert vocabulary.FALLBACK_QUEUE in vocabulary.SCHEMA_QUEUES
