"""The lexicon and threshold files: a malformed row is refused with its line number."""

import pytest

from nlp.decision import Thresholds, decide, load_thresholds
from nlp.errors import LexiconError
from nlp.lexicon import load_lexicon, parse_lexicon


def test_packaged_lexicon_and_thresholds_load() -> None:
    assert load_lexicon()
    assert load_thresholds().domains["poverty"] > 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("poverty\t0.9\t-", "4 tab-separated columns"),
        ("wealth\t0.9\t-\t金", "unknown label"),
        ("poverty\tmany\t-\t金", "not a number"),
        ("poverty\t1.5\t-\t金", "outside"),
        ("poverty\t0.9\tx\t金", "flags"),
        ("poverty\t0.9\t-\t(金", "bad regular expression"),
        ("poverty\t0.9\t-\t金?", "empty string"),
    ],
)
def test_bad_lexicon_rows_are_refused(row: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message) as caught:
        parse_lexicon("# comment\n" + row, "test.tsv")
    assert "test.tsv:2" in str(caught.value)


def test_decision_applies_thresholds_implications_and_urgency_floor() -> None:
    thresholds = load_thresholds()
    scores = {"poverty": 0.49, "abuse_violence": 0.9, "young_carer": 0.9}
    domains, patterns, urgency = decide(scores, thresholds)
    assert patterns == ("young_carer",)
    # young_carer implies child_parenting; poverty stays below its threshold.
    assert set(domains) == {"child_parenting", "abuse_violence"}
    assert urgency == "urgent"


def test_thresholds_must_be_complete() -> None:
    with pytest.raises(LexiconError):
        Thresholds.from_dict({"domains": {}, "patterns": {}, "urgency": {}})
