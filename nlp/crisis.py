"""Danger-to-life wording, found without any model.

The intake conversation calls `find_crisis_words` on every resident text so the
emergency branch still works when the classifier cannot load or fails; it must
stay pure Python (stdlib `re` only), fast, and import nothing heavy.

Each cue is a regular expression over the original text, so evidence offsets
index the text exactly. A hit is dropped when the words around it turn it into
a figure of speech (「死ぬほど眠い」), a denial (「死にたいわけじゃない」) or the
past (「昔は死にたいと思った」).
"""

import re

from nlp.result import Evidence

CRISIS_LABEL = "emergency"
DISTRESS_LABEL = "urgent"

# 「日」 as a count of days, never inside 毎日/今日/昨日/休日 (「毎日探して」 is no missing person).
_DAYS = r"(?<![毎今昨明先翌前後休平祝曜当本半終])日"

# Danger to life now. One group per kind of danger; kinds only name the cue for readers.
_CUES: dict[str, tuple[str, ...]] = {
    "suicide_plan": (
        r"(?:今から|いまから|これから|今夜|今晩|今日|明日)[^。\n]{0,12}(?:死|し)(?:にます|ぬ(?!ほど)|のう|んでき)",
        r"(?:死|し)(?:にます|ぬね|ぬから|んできます|のうと思(?:う|います|って))|死ぬ(?:つもり|覚悟|方法|場所)",
        r"(?:今まで|いままで|これまで)(?:本当に)?ありがと|さようなら|さよなら|お世話になりました",
        r"(?:睡眠薬|薬|くすり|ロープ|練炭|縄)[^。\n]{0,10}(?:集め|あつめ|ため|溜め|用意|買っ|準備)|(?<!の)準備(?:は|が|も)?(?:できて|できた|整)",
        r"(?:海|山|線路|踏切|ビル|屋上|橋|崖|ホーム)[^。\n]{0,8}(?:から飛|に飛|で飛|そのまま)|(?:その|この)まま(?:…|\.\.|消え|死|楽に)",
        # 「このまま入ってしまおうかな」「このまま飛んだら」: going into water, off a height, under a train.
        r"(?:この|その)まま[^。\n]{0,4}(?:入って|はいって|飛び|飛んで|とんで|落ち|沈|終わ|おわ|行ってしま|いってしま)",
        r"自殺(?:する|します|しよう|しに|の準備|の方法|を図|未遂)|首(?:を)?(?:吊|つ)(?:る|ろう|った)|首吊り|飛び降り(?:る|よう|たい|ます)|飛び込(?:む|もう|みたい)|練炭|遺書|命を(?:絶|断)",
        r"(?:全部|ぜんぶ|まとめて|大量に|ありったけ|たくさん)[^。\n]{0,6}(?:薬|くすり)|(?:薬|くすり)[^。\n]{0,6}(?:全部|ぜんぶ|まとめて|大量に)(?:飲|の)|オーバードーズ|(?<![A-Za-z])OD(?![A-Za-z])",
        # Self-harm that has just happened or is bleeding now.
        r"(?:手首|腕|うで)(?:を)?[^。\n]{0,6}?(?:切っ|きっ|切りすぎ|深く切)|血が(?:止ま|とま)(?:らない|らん|らへん|らね|りません|んない)",
        # A threat to carry it out: 「次は本気でやる」.
        r"(?:次|今度)(?:は|こそ)本気で(?:やる|殺|やっ)",
    ),
    "violence_now": (
        r"殺(?:される|されそう|すぞ|してやる|すと言|すって言|そうと)",
        r"(?:包丁|ナイフ|刃物)(?:を|で|が|振り|持|向け)",
        r"(?:さっき|さきほど|たった今|今さっき)[^。\n]{0,12}(?:殴|なぐ|叩|たた|蹴|け(?:られ|った)|投げ|突き飛ば)|(?:今|いま)?[^。\n]{0,10}(?:隠れ|かくれ)て(?:い)?(?:る|ます)",
        r"首(?:を)?(?:絞め|締め|しめ)(?:られ|て|た|よう|る)",
        # Confined now: 「部屋に閉じ込められて外に出られない」.
        r"(?:閉じ込め|とじこめ|監禁)(?:られ|され)(?:て|てる|ている|た)",
        r"(?:今|いま)(?:も|まさに|、)?[^。\n]{0,12}(?:殴|なぐ|叩|たた|蹴|暴れ|あばれ|怒鳴|どな|叫)",
        r"(?:殴|なぐ|叩|蹴)られて(?:血|骨|意識|動けな)|「(?:やめて|助けて|ごめんなさい)",
        r"^.{0,10}(?:助けて|たすけて)|(?:助けて|たすけて)(?:ください)?[!！]",
        r"命の危険|身の危険|(?:今|いま)(?:、)?(?:家|うち|玄関|部屋|アパート)の(?:前|外)",
        r"(?:家|うち)(?:の外)?(?:から|に)?(?:逃げ|出)てきた|逃げてきた|逃げ(?:出し|だし)(?:た|ました|てきた)|(?:外|そと|車|コンビニ|公園)に逃げ(?:とる|てる|ている|ています|た|ました)|(?:今|いま)(?:は)?[^。\n]{0,6}(?:コンビニ|公園|駅|外|車の中)に(?:いる|います|いて)",
    ),
    "left_alone_now": (
        # Within one clause, and not 「子どもが3人いて、夫の給料だけで足りない」 (だけで about money, not the child).
        r"(?:子ども|子供|こども|赤ちゃん|赤ん坊|乳児|幼児|小さい子|幼い子|[0-9０-９一二三四五]歳の(?:子|娘|息子))[^。、\n]{0,20}"
        r"(?:だけで(?!(?:は)?(?:足り|たり|生活|暮ら|くら|やって|なんとか|精一杯|手一杯))|一人で|ひとりで|置き去り|置いて)",
        r"置き去り|(?:妹|弟)(?:[(（][^)）]{0,6}[)）])?と(?:二人|ふたり)(?:きり|だけ)",
        r"(?:一人|ひとり|独り)(?:きり|だけ)?で(?:夜|一晩|ひと晩|朝まで)[^。\n]{0,4}(?:越|過ご|明か|すご)",
        r"(?:出かけた|出て(?:いっ|行っ)た|出ていった|いなくなった)(?:きり|まま)|(?:裸足|はだし|パジャマ)[^。\n]{0,10}(?:外|歩い|出て|いなくな)",
        r"(?:親|母親|父親|ママ|パパ)(?:は|が|も)?[^。\n]{0,8}(?:帰ってこない|帰って来ない|帰ってきて(?:い)?ない|戻らない|帰らない)(?!日|こと|時)",
        r"(?:ママ|パパ|母|父|お母さん|お父さん|おかあさん|おとうさん)[^。\n]{0,8}(?:起きない|おきない|目を覚まさない|動かない|返事がない)",
        r"倒れて(?:いる|る|動けない|動かない)|倒れ[^。\n]{0,15}(?:起き上がれ|動けな|意識)|起き上がれない|意識が(?:ない|無い|もうろう)|息をしていない|呼吸が(?:おかしい|苦しそう)",
        r"(?:まま|から|昨日|昨夜|今朝|時間|夜)[^。\n]{0,10}(?:戻|帰)(?:って)?(?:こない|来ない|きません|来ません|りません|らない)|家出し[^。\n]{0,6}(?:戻|帰|連絡)",
        r"(?:[0-9０-９一二三四五]日|数日|何日|昨日|しばらく)[^。\n]{0,4}姿を(?:見|みかけ|見かけ)(?:て(?:い)?)?(?:ない|ません)|呼んでも(?:出てこな|返事が(?:ない|無い)|応答)",
        r"行方(?:不明|が分からない|がわからない)|(?:時間|昨日|昨夜|朝|夜|" + _DAYS + r")[^。\n]{0,8}探して",
        r"(?:[0-9０-９一二三四五]日|数日|何日|昨日|昨夜|今朝|朝から|先週)[^。\n]{0,6}(?:連絡|電話)(?:が|に)?(?:取れ|とれ|つか|出|通じ)(?:ない|ず|ません|らん|らへん|ん|へん)|(?:応答|反応)が(?:ない|無い|ありません)",
    ),
    "no_food_days": (
        # 「もう4日、パンの耳しか」「5日、水だけ」: days, then only scraps or nothing.
        r"(?:[2-9２-９二三四五六七]日|数日|何日|[1-3１-３一二三]週間)(?:間|ほど|くらい|も)?[^。\n]{0,14}(?:しか(?:食べ|たべ|口に|ない)|パンの耳|水だけ|水しか|(?:何も|なにも|なんも)(?:食べ|たべ))",
        r"(?:何日|なんにち|数日|[2-9２-９二三四五六七]日|[1-9１-９一二三]週間)(?:間|ほど|くらい|も)?[^。\n]{0,6}(?:食べて|たべて|食べられて|食べれて|食事(?:を)?(?:して|とって|取って))(?:い)?(?:な|ません|へん|ねえ|ねぇ)",
        r"(?:今日|きょう|昨日|きのう|朝|昨日の朝)(?:から|も)[^。\n]{0,4}(?:何も|なにも)(?:食べ|たべ)(?:て|れ)",
        r"(?:食べる(?:もの|物)|食べ物|食料|米|お米)(?:が|も)(?:もう)?(?:何も)?(?:ない|無い|ありません|尽き|底をつ)",
        r"(?:所持金|財布|手持ち)[^。\n]{0,6}(?:[0-9０-９]{1,3}円|ゼロ|0円|０円|空っぽ|からっぽ)|水しか(?:飲んで|口にして)",
    ),
}
# Suicidal thoughts and self-harm without a plan or a time: urgent, a person reads it within days.
_DISTRESS_CUES: tuple[str, ...] = (
    r"(?:死|し|氏)(?:にたい|にたく(?:て|なる|なった|なって))|死ぬしかない|死んでしまいたい|死んだ(?:ほう|方)が",
    r"(?:消|き)え(?:たい|たく(?:て|なる|なった|なって)|てしまいたい|てなくなりたい)",
    r"いなくなりたい|いなくなった(?:方|ほう)が|居なくなりたい|生まれてこなければ",
    r"生きて(?:い)?(?:たくない|いたくない|る意味|いる意味|いく自信がない)|生きる(?:意味|気力)が(?:ない|無い|ありません|わから)",
    r"自殺|自死|希死念慮|死ぬこと(?:ばかり|を)考え|終わりにしたい|楽になりたい",
    r"リスカ|リストカット|手首を切|腕を切|自傷",
    r"一緒に(?:死|し)(?:のう|にたい|ぬ)|心中",
)

# Wording that is a danger to life only when the message also says who is at risk or why:
# (cue, context anywhere in the message). 「川まで来た」 is a walk unless despair is written too.
_DESPAIR = (
    r"死|しに|消え|きえ|終わ[りらるれ]|おわ[りらるれ]|飛んだら|飛べば|楽に|らくに|もう無理|もうむり|もう疲れ|もうつかれ|生きて|限界|遺書|ありがと|さよなら|"
    r"帰る(?:とこ|ところ|場所|家)も?(?:ない|無い)|飛び|入ってしま|このまま|そのまま"
)
_DEPENDENT = (
    r"認知症|寝たきり|ねたきり|動けな|自分で(?:は)?(?:水|ご飯|ごはん|食事|トイレ)|要介護|"
    r"(?<![0-9０-９])[0-9０-９一二三四五六七八九]歳|[小][1-6１-６一二三四五六]|赤ちゃん|乳児|幼児|小さい子|幼い子|娘|息子|子ども|子供|こども"
)
_CONTEXT_CUES: dict[str, tuple[tuple[str, str], ...]] = {
    "suicide_plan": (
        (r"(?:川|かわ|海|うみ|橋|はし|線路|踏切|ふみきり|ビル|屋上|崖|がけ|ホーム|ダム|湖|樹海|土手)(?:の[^。\n]{0,4})?(?:まで|に|へ|の上に)(?:来|き)(?:た|ました|てる|ています)|(?:海|線路|踏切|橋|屋上|崖|樹海)[^。\n]{0,4}(?:に|へ)(?:行|い)(?:く|って|きます)", _DESPAIR),
        (r"(?:終わり|おわり)に(?:します|する|しよう)|(?:終わら|おわら)せ(?:る|ます|よう)|(?:場所|方法|日にち|日)(?:も|は)?(?:もう)?決め(?:た|てる|ている|ました)", _DESPAIR),
    ),
    "left_alone_now": (
        (r"(?:家|うち|部屋)に(?:は)?(?:誰も|だれも)(?:いな|おら|居な)", _DEPENDENT),
        (r"(?:一人|ひとり|独り)きり(?:です|で|に|。|$)|(?:一人|ひとり)で(?:家|留守番)", _DEPENDENT),
    ),
}

_CRISIS_BY_KIND = {kind: tuple(re.compile(p) for p in patterns) for kind, patterns in _CUES.items()}
_CRISIS = tuple(pattern for patterns in _CRISIS_BY_KIND.values() for pattern in patterns)
_CONTEXT_BY_KIND = {
    kind: tuple((re.compile(cue), re.compile(context)) for cue, context in pairs) for kind, pairs in _CONTEXT_CUES.items()
}
_CONTEXT = tuple(pair for pairs in _CONTEXT_BY_KIND.values() for pair in pairs)
_DISTRESS = tuple(re.compile(pattern) for pattern in _DISTRESS_CUES)

# Right after the cue: the cue is denied or only a figure of speech.
_DENIAL_AFTER = re.compile(
    r"^.{0,3}?(?:わけ|訳)(?:じゃ|では|でも)(?:な|無|あり)"
    r"|^(?:とか|なんて|って)?(?:の)?(?:じゃ|では)(?:な|無|あり)"
    r"|^(?:と|って)?(?:か|とか|なんて)?(?:は|まで(?:は)?)?(?:もう)?(?:思(?:って)?(?:い)?(?:ない|無い|ません)|言(?:って)?(?:い)?(?:ない|無い|ません))"
    r"|^(?:って|と|とか)?(?:いう)?(?:ほど|くらい|ぐらい)(?:じゃ|では|でも)(?:な|無|あり)"
    r"|^(?:ほど|くらい|ぐらい)(?:の)?(?:眠|ねむ|忙|いそが|暑|あつ|寒|疲|つか|痛|いた|恥ずかし|笑|美味|おいし|うま|楽し|好き|嬉し|かわい|可愛)"
    r"|^(?:ドラマ|映画|ゲーム|漫画|マンガ|小説|アニメ)"
)
# Right before the cue: a figure of speech, a joke, the past, or another sense.
_DENIAL_BEFORE = re.compile(
    r"(?:昔|むかし|以前|若い頃|学生の頃|子どもの頃|子供の頃)(?:は|に)?[^。！？!?\n]{0,12}$"
    r"|(?:死ぬほど|しぬほど)[^。！？!?\n]{0,2}$"
    r"|(?:ドラマ|映画|ゲーム|漫画|マンガ|小説|アニメ|ニュース)(?:で|の|では)[^。！？!?\n]{0,10}$"
)
# Hyperbole starting at the cue itself (「死ぬほど疲れた」「死ぬかと思った」).
_FIGURE_OF_SPEECH = re.compile(r"(?:死ぬ|しぬ)ほど|死ぬかと思った|死にそうな(?:ほど|くらい)")


def _is_denied(text: str, start: int, end: int) -> bool:
    after = text[end : end + 16]
    before = text[max(0, start - 20) : start]
    if _DENIAL_AFTER.search(after) or _DENIAL_BEFORE.search(before):
        return True
    return bool(_FIGURE_OF_SPEECH.match(text, start))


def _find(
    text: str,
    patterns: tuple[re.Pattern[str], ...],
    label: str,
    contextual: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (),
) -> tuple[Evidence, ...]:
    """Undenied hits, overlapping ones merged so each place in the text is cited once."""
    if not text:
        return ()
    spans: list[tuple[int, int]] = []
    found = [match for pattern in patterns for match in pattern.finditer(text)]
    found += [match for cue, context in contextual if context.search(text) for match in cue.finditer(text)]
    for match in found:
        start, end = match.span()
        if end > start and not _is_denied(text, start, end):
            spans.append((start, end))
    spans.sort(key=lambda span: (span[0], -span[1]))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(Evidence(label, start, end, text[start:end]) for start, end in merged)


def find_crisis_words(text: str) -> tuple[Evidence, ...]:
    """Spans of `text` saying a life is at risk now (label "emergency"), in text order.

    Suicidal intent with a plan or a time, violence happening or imminent, a child
    or elder without care now, no food for days. Call it on every resident text:
    a non-empty result means the emergency branch.
    """
    return _find(text, _CRISIS, CRISIS_LABEL, _CONTEXT)


def find_suicide_plan_words(text: str) -> tuple[Evidence, ...]:
    """The suicidal-plan part of `find_crisis_words` (also a mental-health cue)."""
    return _find(text, _CRISIS_BY_KIND["suicide_plan"], CRISIS_LABEL, _CONTEXT_BY_KIND["suicide_plan"])


def find_distress_words(text: str) -> tuple[Evidence, ...]:
    """Suicidal thoughts or self-harm without a plan or time (label "urgent"), in text order.

    Not an emergency by the label set, but a person must read the message within
    days; the intake may still show crisis hotlines when this is non-empty.
    """
    return _find(text, _DISTRESS, DISTRESS_LABEL)
