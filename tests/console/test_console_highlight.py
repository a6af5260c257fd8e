"""Evidence highlighting from the worker's stored form: offsets within one message, no words at rest."""

from console.highlight import Segment, evidence_words, highlight


def test_offsets_within_a_message_mark_that_message_only():
    texts = {7: "母が入院中", 9: "お金がありません"}
    marked = highlight(texts, [{"label": "poverty", "message_id": 9, "start": 0, "end": 2}])
    assert marked == {7: [Segment("母が入院中")], 9: [Segment("お金", ("poverty",)), Segment("がありません")]}


def test_overlapping_evidence_keeps_both_labels():
    marked = highlight(
        {1: "借金で眠れない"},
        [
            {"label": "poverty", "message_id": 1, "start": 0, "end": 2},
            {"label": "mental_health", "message_id": 1, "start": 0, "end": 7},
        ],
    )
    assert marked[1] == [Segment("借金", ("mental_health", "poverty")), Segment("で眠れない", ("mental_health",))]


def test_evidence_outside_the_messages_or_malformed_is_dropped_not_misplaced():
    texts = {3: "仕事を失いました"}
    evidence = [
        {"label": "employment", "message_id": 3, "start": 0, "end": 2},
        {"label": "housing", "message_id": 4, "start": 0, "end": 2},  # another case's message
        {"label": "health", "message_id": 3, "start": 5, "end": 40},  # past the end of the text
        {"label": "broken", "message_id": "3", "start": "x", "end": None},
        {"label": "legacy", "start": 0, "end": 2, "text": "仕事"},  # no message id
        {"label": "empty", "message_id": 3, "start": 2, "end": 2},
    ]
    assert highlight(texts, evidence) == {3: [Segment("仕事", ("employment",)), Segment("を失いました")]}
    assert evidence_words(texts, evidence) == {"employment": ["仕事"]}


def test_words_are_cut_from_the_decrypted_messages_once_per_label():
    texts = {1: "お金がない。お金が心配", 2: "介護もある"}
    evidence = [
        {"label": "poverty", "message_id": 1, "start": 0, "end": 2},
        {"label": "poverty", "message_id": 1, "start": 6, "end": 8},
        {"label": "elderly_care", "message_id": 2, "start": 0, "end": 2},
    ]
    assert evidence_words(texts, evidence) == {"poverty": ["お金"], "elderly_care": ["介護"]}


def test_no_messages_and_no_evidence():
    assert highlight({}, [{"label": "poverty", "message_id": 1, "start": 0, "end": 1}]) == {}
    assert highlight({1: "そのまま"}, []) == {1: [Segment("そのまま")]}
