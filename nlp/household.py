"""Household patterns from ages and relations: 8050, double_care, young_carer.

A pattern is about who lives with whom and who cares for whom, so it is scored
from people mentioned with an age or life stage (「80代の母」「50歳の息子」
「中学生の娘」「高校生の私」) together with what the household does (withdrawn,
jobless, caring, raising small children). Scores are in [0, 1]; thresholds.json
decides.
"""

import re
from dataclasses import dataclass

from nlp.negation import denial_length
from nlp.result import Evidence

_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_RELATION = {
    "parent": r"母親|父親|両親|叔母|伯母|叔父|伯父|義母|義父|義理の(?:母|父)|姑|舅|お母さん|お父さん|おかあさん|おとうさん|母さん|父さん|おふくろ|お袋|親父|おやじ|おかん|おとん|実母|実父|母|父|親",
    "grandparent": r"祖母|祖父|祖父母|おばあちゃん|おじいちゃん|ばあちゃん|じいちゃん|おばあさん|おじいさん|ばあば|じいじ",
    "child": r"男の子|女の子|息子|むすこ|娘|むすめ|せがれ|倅|従兄弟|従姉妹|従兄|従姉|従弟|従妹|いとこ|長男|長女|次男|次女|三男|三女|子ども|子供|こども|わが子|我が子|孫|双子|子",
    "sibling": r"兄貴|姉貴|あにき|兄ちゃん|姉ちゃん|兄|姉|弟|妹|きょうだい|兄弟|姉妹|義弟|義妹|義兄|義姉",
    "spouse": r"夫|妻|主人|旦那|嫁|家内",
    "self": r"私たち夫婦|私達夫婦|私たち|夫婦|私|わたし|わたくし|あたし|僕|ぼく|俺|おれ|わし|おら|ワイ|自分|本人",
    "client": r"利用者|男性|女性|男|女|方",
    "pupil": r"生徒|児童|学生",
}
_REL = "|".join(f"(?P<{role}>{alternatives})" for role, alternatives in _RELATION.items())
_NUM = r"(?P<num>[0-9０-９]{1,3}|[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
# A number followed by a counter is no age (「一人暮らしの母」「3年前の父」「2回目の」).
_NOT_GRADE = r"(?<![小中高])(?<!介護)(?<!支援)"
_NOT_COUNTER = r"(?!人|つ|個|回|度|番|日|月|年|週|時|分|階|部|件|円|万|千|百|割|%|％|キロ|kg|cm|ヶ|か月|カ月)"
_UNIT = r"(?P<unit>代|歳|才)"
# Without 歳/代 a bare number is an age only when punctuation, a particle or a copula follows
# (「私はもう80で」「親父も80越えで」「52やねん」「81じゃけえ」), never a counter (「母は3回」).
_AGE = _NOT_GRADE + _NUM + r"(?:" + _UNIT + r"|(?=[)）で、。，,・と近過のがにをもや\s　]|です|だ|じゃ|超え|越え|半ば|前半|後半|な(?:ん|の)|$))"

# 「80代の母」「40代でひきこもりの弟」「80の母と50の俺」「50過ぎの従兄」「90近いおばあさん」
_AGE_THEN_RELATION = re.compile(
    r"(?<![0-9０-９])" + _NOT_GRADE + _NUM + _NOT_COUNTER + r"(?:" + _UNIT + r"(?:前半|後半|半ば|過ぎ|近く|くらい|ぐらい)?(?:の|で|に|を|が|は|になる|になった|近い)?|(?:になる|になった|にもなる)|(?:過ぎ|近く|近い|手前)?の?)"
    r"(?:[^、。\n\d]{1,6}の)?(?:ご|お)?(?:" + _REL + ")"
)
_RELATION_THEN_AGE = re.compile(
    "(?:" + _REL + r")(?:さん|くん|ちゃん)?(?:です)?(?:[(（](?:[^)）\d]{1,4}?[・、,]?)?|[\s　]*(?:は|が|も|、|，|。)?[\s　]*(?:今年|もう|現在|今|いま|すでに|既に)?(?:で)?)" + _AGE
)
# 「50代の女性です」「40代男性」at the start of a message: the writer.
_WRITER_AGE = re.compile(
    r"^(?:はじめまして|初めまして|こんにちは)?[、。 ]?" + _NUM + r"(?:" + _UNIT + r"(?:前半|後半)?(?:の)?(?:男性|女性|主婦|会社員|独身|無職|ニート|フリーター)|(?:歳|才|さい)?(?=です|。|、|\s|$))"
)
# 「…もらってる50代です」: an age followed by です anywhere is the writer's own.
_WRITER_AGE_LATER = re.compile(r"(?<![0-9０-９])" + _NUM + _UNIT + r"(?:前半|後半)?(?:の(?:男|女|無職|独身)[^。\n]{0,3})?です")
_SCHOOL = re.compile(
    r"(?P<stage>小学(?:校)?(?:[1-6１-６一二三四五六]年)?生?|中学(?:校)?(?:[1-3１-３一二三]年)?生?|高校(?:[1-3１-３一二三]年)?生?|高専生|"
    r"(?<![0-9])[小中高][1-6１-６一二三四五六](?:年)?(?:生)?(?=の|で|に|が|は|と|です|だ|ば|さ|、|。|[)）\s]|$)|"
    r"大学(?:[1-6１-６一二三四]年)?生?|専門(?:学校)?(?:の)?(?:[1-3１-３一二三]年)?生?|短大生|学生|生徒|児童)"
    r"(?:の(?:" + _REL + "))?"
)
_STAGE_AGES = {"小": 9, "中": 14, "高": 16, "大": 19, "専": 19, "短": 19, "学": 19, "生": 15, "児": 10}
_ELDER_WORDS = re.compile(
    r"(?:高齢|年老いた|年を取った|歳を取った|老いた|老齢|年金暮らしの|後期高齢者の)(?:の)?(?:" + _REL + ")"
)
# 「中年の息子さん」「アラフィフの娘」: a middle-aged person without a number.
_MIDDLE_AGED_WORDS = re.compile(r"(?:中年|中高年|アラフォー|アラフィフ)(?:の)?(?:" + _REL + ")")
# 「小学生の息子がいます。」 only says who is in the household: the care told after it is not the son's.
_SUBJECT_AFTER = re.compile(r"^[)）]?(?:は|が|も)(?!(?:います|いる|おります)(?:。|\n|$))")
_WRITER_BEFORE = re.compile(r"(?:^|[。\n！!？?]|(?:私|わたし|僕|ぼく|俺|うち)は)\s*$")
_WRITER_AFTER = re.compile(r"^[)）]?(?:です|なんです|で[、,]|で|。|！|!|\s|$)")

_LITERAL = {
    "8050": re.compile(r"8050|８０５０|9060|９０６０|7040|７０４０"),
    "double_care": re.compile(r"ダブルケア|ダブル介護"),
    "young_carer": re.compile(r"ヤングケアラー|ヤングケアラ|ヤンケア"),
}
# The literal word in a question about the topic (「ヤングケアラーとは何ですか」) is no household.
_TOPIC_AFTER = re.compile(r"^(?:問題)?」?(?:って何|とは|について|という|っていう|をテーマ|の(?:特集|実態|調査)|に関する|の(?:講座|研修|勉強会|制度|啓発|講演|資料|パンフ))")
_DEPENDENT = re.compile(
    r"ひきこも|引きこも|引き籠|閉じこも|部屋から(?:出|で)|(?:家|いえ)から(?:出|で)(?:て(?:い)?な|な|られ)|外に(?:は)?(?:一歩も)?出|"
    r"働いて(?:い)?(?:ない|なく|ません|おらず)|働け(?:ない|なく|て(?:い)?ない)|働か(?:ず|ない)|"
    r"無職|失業|仕事(?:を|も)?(?:して(?:い)?(?:ない|なく|ません)|せず|しない|に就いて(?:い)?な|が続かな|が長続き)|職に就|就職(?:でき|し)(?:ない|ず)|"
    r"(?:親|母|父|両親|私)の年金|年金(?:だけ|のみ)?(?:で|に|を)(?:頼|暮ら|生活|あて)|すねかじり|すねをかじ|自立(?:でき|し)(?:ない|ず|ていない)|"
    r"(?:ずっと|ずーっと)(?:家|部屋)に|家に(?:いる|います|おる|こも)|働いた(?:こと|事)(?:が)?(?:ない|ねえ|ありません)|生活費(?:を)?もら|(?:年金|仕送り)(?:に|を)?頼|生活費を(?:出|払|渡)|お金を(?:せび|要求|無心)|小遣い|肩代わり|使い込|"
    r"外に出(?:ない|ん|られ)|(?:2階|二階)から|暴れ|暴力|怒鳴|突き飛ば|大声|依存|酒|アルコール|ギャンブル|昼夜逆転|ゲームばかり|精神科|障(?:害|がい)|入退院|退院|通院"
)
_RAISING = re.compile(
    r"子育て|こそだて|育児|ワンオペ|保育園|保育所|幼稚園|こども園|赤ちゃん|あかちゃん|赤ん坊|乳児|乳幼児|新生児|授乳|未就学|"
    r"生まれた(?:ばかり|ばっかり)|産まれた(?:ばかり|ばっかり)|産後|特別支援学校|支援学級|"
    r"(?:幼い|小さい|小さな|まだ小さい)(?:子|娘|息子)|子(?:ども|供)?(?:が|は|も)(?:まだ)?(?:小さ|幼)|(?:子|子ども|子供|娘|息子|双子)(?:を|も)?育て|"
    r"(?:子|子ども|子供|娘|息子)の(?:送り迎え|世話|面倒|お迎え|学校|宿題|習い事|不登校|発達|受験|反抗期)|"
    r"(?:子|子ども|子供)(?:が|は|も)?(?:[0-9０-９一二三四]人|ふたり|二人|三人)|(?:小学生|幼稚園児|保育園児|中学生|高校生)(?:の(?:子|娘|息子)|が?[0-9０-９一二三二]人|が二人|が(?:いて|いる))|"
    r"妊娠|出産|不登校|登校しぶり|双子|上の子|下の子|受験を控えた|中学受験|孫(?:を|の)[^。\n]{0,8}(?:あずか|預か|世話|面倒)"
)
_CARE_FOR_ELDER = re.compile(
    r"(?<!保育)介護(?!職|士|の仕事)|かいご(?!しょく)|認知症|にんちしょう|要介護|要支援|寝たきり|(?<!放課後等)(?<!放課後)デイサービス|ケアマネ|老人ホーム|"
    r"(?:親|母|父|両親|義母|義父|義理の(?:母|父)|祖母|祖父|姑|舅|実母|実父|実家の(?:母|父|親))(?:の)?(?:[(（][^)）]{0,8}[)）])?(?:の)?(?:世話|せわ|面倒|介助|通院|付き添い|見守り|看病|介抱)|"
    r"障(?:害|がい)(?:の|が)?(?:ある)?(?:親|母|父|兄|姉|弟|妹|夫|妻|義弟|義妹|義兄|義姉)|(?:親|母|父)(?:が|も)(?:入院|倒れ|要介護)|"
    # Care described by its acts or by the illness: 「母のオムツ替え」「義父の透析の送り迎え」「パーキンソン病の母」.
    r"(?:親|母|父|義母|義父|祖母|祖父|兄|姉|弟|妹|夫|妻)(?:の)?[^。\n]{0,6}(?:オムツ|おむつ|透析|送り迎え|送迎|入浴|介助|面倒|世話)|"
    r"(?:パーキンソン|脳梗塞|がん|癌|透析|半身まひ|半身麻痺)(?:病)?(?:の|で)[^。\n]{0,6}(?:親|母|父|義母|義父|祖母|祖父)|"
    r"(?:親|母|父|義母|義父|祖母|祖父)(?:が|は)[^。\n]{0,8}(?:在宅療養|寝たきり|がん|癌|脳梗塞|パーキンソン)|(?<!放課後)(?<!放課後等)デイ(?:の|に|へ|を)"
)
_YOUNG_CARE = re.compile(
    r"(?<!要)介護|介助|服薬|吸引|排せつ|排泄|トイレ|寝かしつけ|見張|家のこと|代わりに|かわりに|(?:保育園|幼稚園|学校)に送|(?:一緒|いっしょ)に起き|かいご|世話|せわ|面倒を?(?:見|み)|家事|料理|(?:ご飯|ごはん|御飯|食事|夕飯|夕食|弁当|お弁当)(?:を|の|は|も)?[^。\n]{0,5}(?:作|つく|支度|準備|用意)|"
    r"洗濯|せんたく|掃除|そうじ|買い物|送り迎え|付き添|つきそ|ついて(?:いっ|行っ|いく|行く)|連れて(?:いっ|行っ)|通訳|見守|看病|お風呂(?:に入れ|の介助)|おむつ|オムツ|薬の管理|着替え|着がえ|きがえ|手伝|てつだ|"
    r"(?:祖母|祖父|祖父母|母|父|親|弟|妹|きょうだい|おばあちゃん|おじいちゃん)(?:を|の)(?:みて|見て|みる|見る|みてる|見てる)"
)
_SCHOOL_COST = re.compile(
    r"学校(?:を|に|も)?(?:休|遅刻|早退|行けな|いけな|行く時間)|遅刻|ちこく|早退|欠席|部活(?:を|も)?(?:やめ|辞め|休|できな|出来な|あきらめ|諦め)|"
    r"学校で寝|授業中に寝|居眠り|休みがち|(?:勉強|宿題)(?:する|の)?(?:時間|ひま|暇)が(?:ない|とれ|取れ)|(?:勉強|宿題)(?:が|も)?(?:できな|出来な)|友達と遊|進学(?:を)?(?:あきらめ|諦め)|講義|授業|単位"
)
# A family member's illness or disability: with a young writer missing school, that is care.
_FAMILY_NEEDS = re.compile(r"認知症|寝たきり|うつ|鬱|病気|障(?:害|がい)|アル中|依存症|脳梗塞|入院|不自由|車いす|車椅子")
# 「5年以上部屋から出ない」: a long withdrawal marks an adult child even without an age.
_LONG_WITHDRAWAL = re.compile(
    r"(?:[0-9０-９]{1,2}|何十|十数|数十|長)年(?:くらい|ぐらい|以上|近く|間)?(?:も)?(?:ずっと)?(?:の)?(?:ひきこも|引きこも|部屋から|家から|無職|働いて)"
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


def _is_subject(text: str, end: int, role: str) -> bool:
    # 「中学生の私と妹で父をみている」: 「と」 joins the writer to the carers.
    after = text[end : end + 6]
    return bool(_SUBJECT_AFTER.match(after) or (role == "self" and after.startswith("と")))


def find_people(text: str) -> tuple[Person, ...]:
    """People mentioned with an age or a life stage, in text order."""
    people: list[Person] = []
    claimed: list[tuple[int, int]] = []
    for pattern in (_AGE_THEN_RELATION, _RELATION_THEN_AGE):
        for match in pattern.finditer(text):
            # 「母です。53歳の息子」: an age already read with the relation after it is not the one before.
            if any(start <= match.start("num") < end for start, end in claimed):
                continue
            if pattern is _AGE_THEN_RELATION:
                claimed.append(match.span())
            role = _role(match)
            # 「60歳男です」: a bare person word followed by です is the writer.
            if role == "client" and text.startswith("です", match.end()):
                role = "self"
            people.append(Person(role, _age(match), *match.span(), _is_subject(text, match.end(), role)))
    writer = _WRITER_AGE.match(text)
    if writer:
        people.append(Person("self", _age(writer), *writer.span(), True))
    for match in _WRITER_AGE_LATER.finditer(text):
        if not writer or match.start() >= writer.end():
            people.append(Person("self", _age(match), *match.span(), True))
    for match in _SCHOOL.finditer(text):
        role = _role(match)
        age = _STAGE_AGES[match.group("stage")[0]]
        role = "pupil" if role == "unknown" else role
        people.append(Person(role, age, *match.span(), _is_subject(text, match.end(), role)))
    for words, age in ((_ELDER_WORDS, 80), (_MIDDLE_AGED_WORDS, 50)):
        for match in words.finditer(text):
            role = _role(match)
            people.append(Person(role, age, *match.span(), _is_subject(text, match.end(), role)))
    return tuple(sorted(people, key=lambda person: person.start))


def _undenied(pattern: re.Pattern[str], text: str, start: int = 0) -> re.Match[str] | None:
    """The first match not denied right after its word (「ひきこもりとかではない」「家のことは大丈夫」)."""
    for match in pattern.finditer(text, start):
        word = re.match(r"[ぁ-ゖ]{0,3}", text[match.end() :]).end()
        if not any(denial_length(text, match.end() + k) for k in range(word + 1)):
            return match
    return None


def _evidence(label: str, text: str, spans: list[tuple[int, int]]) -> list[Evidence]:
    return [Evidence(label, start, end, text[start:end]) for start, end in sorted(set(spans))]


def _score_8050(text: str, people: tuple[Person, ...]) -> tuple[float, list[tuple[int, int]]]:
    # SCHEMA: an ageing parent (about 70s-90s) and a middle-aged child (about 40s-60s).
    elders = [p for p in people if p.age >= 68 and p.role in ("parent", "grandparent", "self", "spouse", "client")]
    adults = [p for p in people if 39 <= p.age <= 67 and p.role in ("child", "sibling", "self")]
    pairs = [(e, a) for e in elders for a in adults if e.age - a.age >= 18 and (e.role, a.role) != ("self", "self")]
    dependent = _undenied(_DEPENDENT, text)
    if pairs:
        elder, adult = pairs[0]
        spans = [(elder.start, elder.end), (adult.start, adult.end)]
        if dependent:
            return 0.9, [*spans, dependent.span()]
        # Both ages but only the parent's care named: a child caring for a parent, not 8050.
        return (0.3 if _CARE_FOR_ELDER.search(text) else 0.55), spans
    withdrawal = _LONG_WITHDRAWAL.search(text)
    if elders and withdrawal:
        return 0.75, [(elders[0].start, elders[0].end), withdrawal.span()]
    return 0.0, []


def _is_writer(text: str, person: Person) -> bool:
    """「中3です。」「高校生の私が」「私は高1で」: the young person is the one writing."""
    if person.role == "self":
        return True
    if person.role != "pupil":
        return False
    after = text[person.end : person.end + 6]
    # 「…の中学生です」 describes the writer wherever it stands.
    if re.match(r"^[)）]?(?:です|なんです)", after):
        return True
    return bool(_WRITER_BEFORE.search(text[max(0, person.start - 6) : person.start]) and _WRITER_AFTER.match(after))


def _young_carer_spans(text: str, people: tuple[Person, ...]) -> list[tuple[int, int]]:
    """A young person (under ~20, or a pupil) doing the care, with the care cue."""
    for person in people:
        # A carer is a young person, not a small child (「4歳の息子が怖がっている」).
        if person.age > 19 or person.age < 8:
            continue
        if _is_writer(text, person):
            care = _undenied(_YOUNG_CARE, text)
        elif person.is_subject:
            care = _undenied(_YOUNG_CARE, text[: person.end + 60], person.end)
        else:
            continue
        if care:
            return [(person.start, person.end), care.span()]
    return []


def _literal(label: str, text: str) -> re.Match[str] | None:
    for match in _LITERAL[label].finditer(text):
        if not _TOPIC_AFTER.match(text[match.end() : match.end() + 8]):
            return match
    return None


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
    elif school and (need := care or _FAMILY_NEEDS.search(text)) and any(p.age <= 19 and p.role in ("self", "pupil") for p in people):
        scores["young_carer"] = 0.75
        young_spans = [school.span(), need.span()]
    else:
        scores["young_carer"] = 0.0
    evidence += _evidence("young_carer", text, young_spans)

    raising = _RAISING.search(text)
    young_children = [p for p in people if p.age <= 12 and p.role == "child"]
    elder_care = _CARE_FOR_ELDER.search(text)
    if (raising or young_children) and elder_care:
        raising_span = raising.span() if raising else (young_children[0].start, young_children[0].end)
        # A pupil caring for a grandparent is a young carer, not a parent's double care.
        scores["double_care"] = 0.4 if young_spans and not (raising and raising.group() in ("子育て", "育児")) else 0.85
        evidence += _evidence("double_care", text, [raising_span, elder_care.span()])
    else:
        scores["double_care"] = 0.0

    for label in _LITERAL:
        match = _literal(label, text)
        if match:
            scores[label] = max(scores[label], 0.95)
            evidence += _evidence(label, text, [match.span()])
    return scores, evidence
