"""The model-free crisis detector: danger-to-life wording, and what must not fire."""

import subprocess
import sys

import pytest

from nlp.crisis import find_crisis_words, find_distress_words


@pytest.mark.parametrize(
    "text",
    [
        "これから死んできます。みんなごめん",
        "ロープも買ってきた。明日決行する",
        "彼がナイフを向けてくる",
        "給料が入らず、もう5日間まともに食べていない",
        "4日なにも食べてへん",
        "隣の家で3歳の子が一人で置き去りにされてる",
        "近所のおばあちゃんが倒れて動けないと言っている",
        "認知症の祖父が昨夜から帰ってこない",
        "子どもだけで留守番させてて、もう二日帰れてない",
        "5歳の子を置いて出て行ったきり連絡がない",
    ],
)
def test_danger_to_life_is_found(text: str) -> None:
    # Each of these must open the emergency branch.
    assert find_crisis_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "死ぬほど眠い",
        "死にたいわけじゃない。ただ疲れた",
        "昔は死にたいと思ったこともあったけど、今は元気です",
        "死にたいなんて思ってないよ",
        "死ぬかと思うくらい忙しかった",
        "探していた鍵が見つからない",
        "借金はありません",
        # だけで about money, and a child in another clause: no child is alone.
        "子どもが3人いて、夫の給料だけでは足りないので仕事を探しています",
        "子どもはもう独立して、今は母の介護だけです",
    ],
)
def test_figures_of_speech_and_denials_do_not_fire(text: str) -> None:
    # None of these is an emergency.
    assert find_crisis_words(text) == ()


def test_suicidal_thoughts_without_plan_are_distress_not_emergency() -> None:
    text = "もう何もかも嫌。消えたい"
    assert find_crisis_words(text) == ()
    (hit,) = find_distress_words(text)
    assert (hit.label, text[hit.start : hit.end]) == ("urgent", "消えたい")


def test_evidence_offsets_index_the_text() -> None:
    text = "こんにちは。今夜、橋から飛び降りるつもり"
    hits = find_crisis_words(text)
    assert hits
    for hit in hits:
        assert hit.label == "emergency"
        assert text[hit.start : hit.end] == hit.text


def test_overlapping_cues_are_cited_once() -> None:
    text = "今から死にます"
    hits = find_crisis_words(text)
    spans = [(h.start, h.end) for h in hits]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_importing_the_detector_loads_no_model() -> None:
    # The intake imports it on every message path: spaCy must stay unloaded.
    code = "import sys, nlp.crisis; print('spacy' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


def test_empty_text_has_no_crisis_words() -> None:
    assert find_crisis_words("") == ()
