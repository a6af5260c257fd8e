"""Each error family's mechanism, on sentences written for these tests (not from any eval set)."""

import pytest

from nlp.classifier import Classifier
from nlp.crisis import find_crisis_words, find_distress_words
from nlp.household import find_people, score_patterns
from nlp.negation import is_denied
from nlp.normalize import width_view


# Family 1: danger to life without a stock phrase must open the emergency branch.
@pytest.mark.parametrize(
    "text",
    [
        "さっき腕をかみそりで切った。血がとまらへん",
        "湖のほとりまで来ました。もう疲れた",
        "踏切に行ってくる。もう終わりにしたい",
        "今夜で全部終わりにする。今までありがとう",
        "父に首をしめられた。今は車の中に逃げてる",
        "母がさっき兄に突き飛ばされて起き上がれない",
        "寝たきりの父が家にひとりきりです。誰も行けない",
        "弟(4歳)と二人きりで、お母さんが帰ってこない",
        "もう一週間、パンの耳しか食べていない",
    ],
)
def test_emergencies_without_stock_phrases_are_found(text: str) -> None:
    assert find_crisis_words(text)


# ...and wording that only shares a fragment with those cues must not.
@pytest.mark.parametrize(
    "text",
    [
        "母が毎日探し物をしていて、物忘れが心配です",
        "2歳の子と二人きりの毎日で息が詰まる",
        "海に行くのが好きです。車いすで入れる浜辺はありますか",
        "家に帰っても誰もいないので寂しい",
        "この仕事は今日で終わりにして、来週から新しい職場です",
        "親が帰ってこない日がときどきあるみたいです",
    ],
)
def test_fragments_and_other_senses_are_not_emergencies(text: str) -> None:
    assert find_crisis_words(text) == ()


@pytest.mark.parametrize("text", ["死にたいとかじゃないです", "消えたいってほどじゃない"])
def test_denied_suicidal_wording_is_not_distress(text: str) -> None:
    assert find_distress_words(text) == ()


# Family 2: serious situations without a violence word or eviction word are urgent.
@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("娘がアルバイト先の店長に体を触られているそうです", "abuse_violence"),
        ("デイサービスの職員に乱暴に扱われると祖父が言います", "abuse_violence"),
        ("叔父が祖母の年金を全部とってしまう", "abuse_violence"),
        ("カードの支払い期限が明日です。払えるお金がない", "poverty"),
        ("今月中に部屋を出ないといけないと言われた", "housing"),
        ("認知症の母がコンロの火を消し忘れる。今週2回目", "elderly_care"),
    ],
)
def test_urgent_without_stock_words(classifier: Classifier, text: str, domain: str) -> None:
    result = classifier.classify(text)
    assert result.urgency == "urgent"
    assert domain in result.domains


# Family 3: denials in the forms residents use, after the cue or after the rest of its word.
@pytest.mark.parametrize(
    "after",
    ["とかじゃないです", "ってわけじゃない", "ではないです", "は大丈夫です", "の話じゃないんですけど", "とかではありません"],
)
def test_denial_forms(after: str) -> None:
    assert is_denied("借金" + after, 2)


def test_denial_is_read_after_the_whole_word(classifier: Classifier) -> None:
    # The cue 「ひきこも」 ends inside 「ひきこもり」; the denial follows the word.
    result = classifier.classify("ひきこもり…ってわけじゃないけど、運動不足です")
    assert "isolation" not in result.domains


def test_denial_is_seen_in_the_kanji_view_too(classifier: Classifier) -> None:
    result = classifier.classify("病気とかじゃないんですけど、書類の書き方を教えてください")
    assert "health" not in result.domains


def test_half_width_katakana_is_matched_full_width_and_cited_as_written(classifier: Classifier) -> None:
    # 「ﾃﾞ」 is two characters that read as one: the view joins them, the evidence cites both.
    text = "夫がﾊﾟﾁﾝｺで給料を使い込みます"
    view = width_view(text)
    assert view is not None and view.text == "夫がパチンコで給料を使い込みます"
    assert view.original_span(2, 3) == (2, 4)
    evidence = [e for e in classifier.score(text).evidence if e.label == "mental_health"]
    assert [(e.start, e.end, e.text) for e in evidence] == [(2, 7, "ﾊﾟﾁﾝｺ")]
    assert width_view("半角カナのない文") is None


def test_the_learned_part_reads_half_width_katakana_as_full_width_words(classifier: Classifier) -> None:
    # Sudachi cuts 「ｶﾞｽ代」 into pieces without word vectors; the full-width view's words are read instead,
    # placed on the characters the resident typed.
    text = "ｶﾞｽ代が払えない。ﾃﾞﾝｷもとめられた"
    tokens = classifier.score(text).tokens
    assert [t.norm_ for t in tokens[:2]] == ["ガス代", "が"]
    assert all(text[t.idx : t.idx + len(t.text)] == t.text for t in tokens)
    assert "".join(t.text for t in tokens) == text
    # A text without half-width katakana is read with its own tokens.
    assert [t.text for t in classifier.score("ガス代が払えない").tokens] == ["ガス代", "が", "払え", "ない"]


def test_wanting_to_quit_is_not_having_quit(classifier: Classifier) -> None:
    # 「やめたい」 is no denial of the addiction (only 「やめた」 is).
    assert "mental_health" in classifier.classify("パチスロやめたいけど、やめられない").domains


# Family 4: words used in another sense, and children merely mentioned.
@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("引っ越してきたばかりで、ごみの出し方がわかりません", "housing"),
        ("出産で入院する予定です。母子手帳のことを聞きたい", "health"),
        ("コロナで店の売り上げが落ちて、家賃が払えない", "health"),
        ("知的障害のある妹がグループホームに入りました", "elderly_care"),
        ("恋人に部屋に閉じ込められたことがある", "isolation"),
        ("子どもは二人とも社会人です。私の年金だけでは生活が苦しい", "child_parenting"),
    ],
)
def test_other_senses_do_not_tag(classifier: Classifier, text: str, absent: str) -> None:
    assert absent not in classifier.classify(text).domains


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("子どもたちはもう独立しています。母の介護で疲れています", False),
        ("子供たちはみんな結婚して家を出ました。一人で寂しいです", False),
        ("子どもたちが学校に行きたがらなくて困っています", True),
    ],
)
def test_grown_children_in_the_plural_are_no_child_cue(classifier: Classifier, text: str, cited: bool) -> None:
    # The plural once had an alternative of its own that skipped the grown-up exclusion.
    evidence = [e for e in classifier.score(text).evidence if e.label == "child_parenting"]
    assert bool(evidence) == cited


# Family 5: paraphrases, behaviour instead of diagnosis, dialect.
@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("貯金がどんどん減ってきて不安です", "poverty"),
        ("給料がもう2ヶ月払われていない", "poverty"),
        ("電気代を削ってしのいでいます", "poverty"),
        ("派遣を切られてしまいました", "employment"),
        ("地元は求人がほとんどない", "employment"),
        ("仕事でけがをしたのに労災にしてくれない", "employment"),
        ("朝から酒を飲んでしまう。止められない", "mental_health"),
        ("全部どうでもいい。何のために生きてるのか", "mental_health"),
        ("祖母が『家に帰る』と言って夜に出ていこうとする", "elderly_care"),
        ("母が『嫁が盗った』と言いふらす", "elderly_care"),
        ("うちの父ちゃん、咳がとまらんのに病院行かんのよ", "health"),
    ],
)
def test_paraphrases_are_recognised(classifier: Classifier, text: str, domain: str) -> None:
    assert domain in classifier.classify(text).domains


# Family 6: ages in many formats, the age bands, care described by acts, who the carer is.
@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("母83、弟52の二人暮らし", [83, 52]),
        ("78の父と48の私", [78, 48]),
        ("おかん(80)と兄貴(51)", [80, 51]),
        ("70代の両親と40代で無職の弟", [75, 45]),
        # Hiragana relations, kanji numerals, spaces between words.
        ("わたしは　八十二です。むすめは　五十一で", [82, 51]),
        # The writer's relation then the age; copulas and dialect after a bare number.
        ("父親です(79)。息子は55じゃけえ", [79, 55]),
        ("私(母・78)と、うちの娘、もう52やねん", [78, 52]),
        ("46になる息子と、親父も80越えで", [46, 80]),
        # A number with a counter is no age, and an age read before its relation is not also the previous one's.
        ("一人暮らしの母(74)", [74]),
        ("88歳の母です。53歳の息子のこと", [88, 53]),
        # School grades and care levels are no ages.
        ("祖母(要介護2)と私(高1)", [16]),
    ],
)
def test_age_formats(text: str, ages: list[int]) -> None:
    assert sorted(p.age for p in find_people(text)) == sorted(ages)


def test_8050_needs_the_age_bands() -> None:
    young = score_patterns("両親(60代)と、ひきこもりの弟(36)のことで相談です")[0]
    old = score_patterns("両親(80代)と、ひきこもりの弟(50)のことで相談です")[0]
    assert young["8050"] < 0.5 <= old["8050"]


def test_8050_literal_as_a_topic_and_denied_withdrawal_are_no_household() -> None:
    topic = score_patterns("ニュースで「8050問題」というのを見ました")[0]
    denied = score_patterns("兄(45)と母(76)の二人暮らし。兄はひきこもりとかではないです")[0]
    withdrawn = score_patterns("兄(45)と母(76)の二人暮らし。兄はひきこもりです")[0]
    assert topic["8050"] < 0.5
    assert denied["8050"] < withdrawn["8050"]


@pytest.mark.parametrize(
    "text",
    [
        "幼稚園の送り迎えのあと、実家で父のおむつ替え。毎日くたくた",
        "2歳の息子を育てながら、透析に通う義母の送迎もしています",
        "小学生2人と、パーキンソン病の父の世話をしています",
    ],
)
def test_double_care_by_acts_and_illness(text: str) -> None:
    scores, evidence = score_patterns(text)
    assert scores["double_care"] >= 0.5
    assert all(text[e.start : e.end] == e.text for e in evidence)


@pytest.mark.parametrize(
    ("text", "is_carer"),
    [
        ("大学2年です。父の通院の付き添いと家事は全部私です", True),
        ("高1。夜、祖父のトイレの介助で何回も起きる", True),
        ("高校生です。父が入院したけど叔母が来てくれるので家のことは大丈夫", False),
    ],
)
def test_young_carer_by_stage_and_undenied_care(text: str, is_carer: bool) -> None:
    assert (score_patterns(text)[0]["young_carer"] >= 0.5) is is_carer


def test_young_carer_is_the_young_person_caring() -> None:
    writer = score_patterns("13歳です。母が病気で、妹の保育園の送り迎えは私がしています")[0]
    small_child = score_patterns("5歳の息子が、介護している祖母を怖がります")[0]
    assert writer["young_carer"] >= 0.5
    assert small_child["young_carer"] < 0.5
