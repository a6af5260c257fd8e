"""Household patterns from ages and relations: 8050, double_care, young_carer.

A pattern is about who lives with whom and who cares for whom, so it is scored
from people mentioned with an age or life stage (「80代の母」「50歳の息子」
「中学生の娘」「高校生の私」) together with what the household does (withdrawn,
jobless, caring, raising small children). Scores are in [0, 1]; thresholds.json
decides.
"""

import re
from dataclasses import dataclass

from nlp.result import Evidence

_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_RELATION = {
    "parent": r"母親|父親|両親|義母|義父|義理の(?:母|父)|姑|舅|お母さん|お父さん|おかあさん|おとうさん|母さん|父さん|おふくろ|お袋|親父|おやじ|おかん|おとん|母|父|親",
    "grandparent": r"祖母|祖父|おばあちゃん|おじいちゃん|ばあちゃん|じいちゃん|おばあさん|おじいさん|ばあば|じいじ",
    "child": r"息子|娘|長男|長女|次男|次女|三男|三女|子ども|子供|こども|わが子|我が子|孫|子",
    "sibling": r"兄|姉|弟|妹|きょうだい|兄弟|姉妹",
    "spouse": r"夫|妻|主人|旦那|嫁|家内",
    "self": r"私|わたし|わたくし|僕|ぼく|俺|おれ|自分|うち|本人",
    "pupil": r"生徒|児童|学生",
}
_REL = "|".join(f"(?P<{role}>{alternatives})" for role, alternatives in _RELATION.items())
_NUM = r"(?P<num>[0-9０-９]{1,3}|[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_UNIT = r"(?P<unit>代|歳|才)"

_AGE_THEN_RELATION = re.compile(
    _NUM + _UNIT + r"(?:前半|後半|半ば|過ぎ|近く|くらい|ぐらい)?(?:の|で|に|を|が|は|になる|になった|近い)?(?:男性|女性)?(?:の)?(?:" + _REL + ")"
)
_RELATION_THEN_AGE = re.compile(
    "(?:" + _REL + r")(?:は|が|も|、|，)?(?:今年|もう|現在|今|いま|すでに|既に)?(?:で)?" + _NUM + _UNIT
)
# 「50代の女性です」「40代男性」at the start of a message: the writer.
_WRITER_AGE = re.compile(r"^(?:はじめまして|初めまして|こんにちは)?[、。 ]?" + _NUM + _UNIT + r"(?:前半|後半)?(?:の)?(?:男性|女性|主婦|会社員|独身)")
_SCHOOL = re.compile(
    r"(?P<stage>小学(?:校)?(?:[1-6１-６一二三四五六]年)?生?|中学(?:校)?(?:[1-3１-３一二三]年)?生?|高校(?:[1-3１-３一二三]年)?生?|高専生|"
    r"(?<![0-9])[小中高][1-6１-６一二三四五六](?:年)?(?:生)?(?=の|で|に|が|は|です|、)|大学生|専門学生|専門学校生|短大生|学生)"
    r"(?:です|なんです|の|で)?(?:" + _REL + ")?"
)
_STAGE_AGES = {"小": 9, "中": 14, "高": 16, "大": 20, "専": 19, "短": 19, "学": 19}
_ELDER_WORDS = re.compile(
    r"(?:高齢|年老いた|年を取った|歳を取った|老いた|老齢|年金暮らしの|後期高齢者の)(?:の)?(?:" + _REL + ")"
)
_SUBJECT_AFTER = re.compile(r"^(?:は|が|も|です|なんです|で、|の(?:私|僕|自分|俺|わたし|ぼく))")

_LITERAL = {
    "8050": re.compile(r"8050|８０５０|9060|９０６０|7040|７０４０"),
    "double_care": re.compile(r"ダブルケア|ダブル介護"),
    "young_carer": re.compile(r"ヤングケアラー|ヤングケアラ|ヤンケア"),
}
_DEPENDENT = re.compile(
    r"ひきこも|引きこも|引き籠|閉じこも|部屋から(?:出|で)|働いて(?:い)?(?:ない|なく|ません|おらず)|働かな|働か(?:ず|ない)|"
    r"無職|仕事(?:を|も)?(?:して(?:い)?(?:ない|なく|ません)|せず|しない|に就いて(?:い)?な|が続かな|が長続き)|職に就|就職(?:でき|し)(?:ない|ず)|"
    r"(?:親|母|父|両親)の年金|年金(?:で|に|を)(?:頼|暮ら|生活|あて)|すねかじり|すねをかじ|自立(?:でき|し)(?:ない|ず|ていない)|"
    r"ずっと家に|家に(?:いる|こも)|生活費を(?:出|払|渡)|お金を(?:せび|要求|無心)|小遣い|暴れ|暴力|怒鳴|依存|昼夜逆転|ゲームばかり"
)
_RAISING = re.compile(
    r"子育て|こそだて|育児|ワンオペ|保育園|保育所|幼稚園|こども園|赤ちゃん|あかちゃん|赤ん坊|乳児|乳幼児|新生児|授乳|未就学|"
    r"(?:幼い|小さい|小さな|まだ小さい)(?:子|娘|息子)|子(?:ども|供)?(?:が|は|も)(?:まだ)?(?:小さ|幼)|"
    r"(?:子|子ども|子供|娘|息子)の(?:送り迎え|世話|面倒|お迎え|学校|宿題|習い事)|(?:子|子ども|子供)(?:が|は)(?:[0-9０-９一二三]人|ふたり|二人)"
)
_CARE_FOR_ELDER = re.compile(
    r"(?<!保育)介護(?!職|士|の仕事)|かいご(?!しょく)|認知症|にんちしょう|要介護|寝たきり|デイサービス|ケアマネ|老人ホーム|"
    r"(?:親|母|父|両親|義母|義父|義理の(?:母|父)|祖母|祖父|姑|舅|実家の(?:母|父|親))の(?:世話|せわ|面倒|介助|通院|付き添い|見守り|看病|介抱)|"
    r"障(?:害|がい)(?:の|が)?(?:ある)?(?:親|母|父|兄|姉|弟|妹|夫|妻)|(?:親|母|父)(?:が|も)(?:入院|倒れ|要介護)"
)
_YOUNG_CARE = re.compile(
    r"介護|かいご|世話|せわ|面倒を?(?:見|み)|家事|料理|(?:ご飯|ごはん|ご はん|食事|夕飯|夕食|弁当|お弁当)(?:を|の)?(?:作|つく|支度|準備|用意)|"
    r"洗濯|掃除|買い物|送り迎え|付き添|つきそ|通訳|見守|看病|お風呂(?:に入れ|の介助)|おむつ|薬の管理|(?:弟|妹|きょうだい|兄弟)(?:たち|達)?の(?:面倒|世話|お迎え)"
)
_SCHOOL_COST = re.compile(
    r"学校(?:を|に)?(?:休|遅刻|行けな|いけな|行く時間)|部活(?:を|も)?(?:やめ|辞め|休|できな|出来な|あきらめ|諦め)|"
    r"(?:勉強|宿題)(?:する|の)?(?:時間|ひま|暇)が(?:ない|とれ|取れ)|(?:勉強|宿題)(?:が|も)?(?:できな|出来な)|友達と遊べ|進学(?:を)?(?:あきらめ|諦め)"
)


@dataclass(frozen=True)
class Person:
    role: str
    age: int
    start: int
    end: int
    is_subject: bool


def _number(text: str) -> int:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    tens, _, units = text.partition("十")
    if "十" not in text:
        return _KANJI_DIGITS[text]
    return (_KANJI_DIGITS.get(tens, 1)) * 10 + _KANJI_DIGITS.get(units, 0)


def _role(match: re.Match[str]) -> str:
    for role in _RELATION:
        if match.groupdict().get(role):
            return role
    return "unknown"


def _age(match: re.Match[str]) -> int:
    value = _number(match.group("num"))
    return value + 5 if match.group("unit") == "代" else value


def _is_subject(text: str, end: int) -> bool:
    return bool(_SUBJECT_AFTER.match(text[end : end + 6]))


def find_people(text: str) -> tuple[Person, ...]:
    """People mentioned with an age or a life stage, in text order."""
    people: list[Person] = []
    for pattern in (_AGE_THEN_RELATION, _RELATION_THEN_AGE):
        for match in pattern.finditer(text):
            people.append(Person(_role(match), _age(match), *match.span(), _is_subject(text, match.end())))
    writer = _WRITER_AGE.match(text)
    if writer:
        people.append(Person("self", _age(writer), *writer.span(), True))
    for match in _SCHOOL.finditer(text):
        role = _role(match)
        age = _STAGE_AGES[match.group("stage")[0]]
        people.append(Person("pupil" if role == "unknown" else role, age, *match.span(), _is_subject(text, match.end())))
    for match in _ELDER_WORDS.finditer(text):
        people.append(Person(_role(match), 80, *match.span(), _is_subject(text, match.end())))
    return tuple(sorted(people, key=lambda person: person.start))


def _evidence(label: str, text: str, spans: list[tuple[int, int]]) -> list[Evidence]:
    return [Evidence(label, start, end, text[start:end]) for start, end in sorted(set(spans))]


def _score_8050(text: str, people: tuple[Person, ...]) -> tuple[float, list[tuple[int, int]]]:
    elders = [p for p in people if p.age >= 65 and p.role in ("parent", "grandparent", "self", "spouse")]
    adults = [p for p in people if 35 <= p.age <= 69 and p.role in ("child", "sibling", "self")]
    pairs = [(e, a) for e in elders for a in adults if e.age - a.age >= 18 and (e.role, a.role) != ("self", "self")]
    dependent = _DEPENDENT.search(text)
    if pairs and dependent:
        elder, adult = pairs[0]
        return 0.9, [(elder.start, elder.end), (adult.start, adult.end), dependent.span()]
    if pairs:
        elder, adult = pairs[0]
        return 0.45, [(elder.start, elder.end), (adult.start, adult.end)]
    return 0.0, []


def _young_carer_spans(text: str, people: tuple[Person, ...]) -> list[tuple[int, int]]:
    """A young person (under ~20, or a pupil) doing the care, with the care cue."""
    for person in people:
        if person.age > 19 or not person.is_subject:
            continue
        care = _YOUNG_CARE.search(text, person.end, person.end + 60)
        if care:
            return [(person.start, person.end), care.span()]
    return []


def score_patterns(text: str) -> tuple[dict[str, float], list[Evidence]]:
    """Scores for every pattern and the evidence behind the non-zero ones."""
    people = find_people(text)
    scores: dict[str, float] = {}
    evidence: list[Evidence] = []

    score, spans = _score_8050(text, people)
    scores["8050"] = score
    evidence += _evidence("8050", text, spans)

    young_spans = _young_carer_spans(text, people)
    school = _SCHOOL_COST.search(text)
    care = _YOUNG_CARE.search(text)
    if young_spans:
        scores["young_carer"] = 0.9
    elif school and care and any(p.age <= 19 for p in people):
        scores["young_carer"] = 0.75
        young_spans = [school.span(), care.span()]
    else:
        scores["young_carer"] = 0.0
    evidence += _evidence("young_carer", text, young_spans)

    raising = _RAISING.search(text)
    elder_care = _CARE_FOR_ELDER.search(text)
    if raising and elder_care:
        # A pupil caring for a grandparent is a young carer, not a parent's double care.
        scores["double_care"] = 0.4 if young_spans and not raising.group().startswith(("子育て", "育児")) else 0.85
        evidence += _evidence("double_care", text, [raising.span(), elder_care.span()])
    else:
        scores["double_care"] = 0.0

    for label, pattern in _LITERAL.items():
        match = pattern.search(text)
        if match:
            scores[label] = max(scores[label], 0.95)
            evidence += _evidence(label, text, [match.span()])
    return scores, evidence
