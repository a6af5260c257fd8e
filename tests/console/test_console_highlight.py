"""Evidence highlighting: offsets into the joined concern text, with a text search as fallback."""

from console.highlight import Segment, highlight


def test_offsets_into_the_joined_text_mark_the_right_message():
    texts = ["母が入院中", "お金がありません"]
    [first, second] = highlight(texts, [{"label": "poverty", "start": 6, "end": 8, "text": "お金"}])
    assert first == [Segment("母が入院中")]
    assert second == [Segment("お金", ("poverty",)), Segment("がありません")]


def test_a_span_across_the_join_is_marked_in_both_messages():
    [a, b] = highlight(["助けて", "ください"], [{"label": "emergency", "start": 1, "end": 6, "text": "けて\nくだ"}])
    assert a == [Segment("助"), Segment("けて", ("emergency",))]
    assert b == [Segment("くだ", ("emergency",)), Segment("さい")]


def test_overlapping_evidence_keeps_both_labels():
    [segments] = highlight(
        ["借金で眠れない"],
        [
            {"label": "poverty", "start": 0, "end": 2, "text": "借金"},
            {"label": "mental_health", "start": 0, "end": 7, "text": "借金で眠れない"},
        ],
    )
    assert segments == [Segment("借金", ("mental_health", "poverty")), Segment("で眠れない", ("mental_health",))]


def test_wrong_offsets_fall_back_to_the_text_and_unfindable_evidence_is_dropped():
    texts = ["はじめまして", "仕事を失いました"]
    [first, second] = highlight(
        texts,
        [
            {"label": "employment", "start": 0, "end": 2, "text": "仕事"},
            {"label": "housing", "start": 3, "end": 5, "text": "家賃"},
            {"label": "broken", "start": "x", "end": None, "text": ""},
        ],
    )
    assert first == [Segment("はじめまして")]
    assert second == [Segment("仕事", ("employment",)), Segment("を失いました")]


def test_no_messages_and_no_evidence():
    assert highlight([], [{"label": "poverty", "start": 0, "end": 1, "text": "x"}]) == []
    assert highlight(["そのまま"], []) == [[Segment("そのまま")]]
