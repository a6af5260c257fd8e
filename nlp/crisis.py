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

# One alternation per kind of danger; kinds only name the cue for readers.
_CUES: dict[str, tuple[str, ...]] = {
    "suicidal": (
        r"(?:死|し|氏|市)(?:にたい|にたく(?:て|なる|なった|なって))",
        r"死んで(?:しまい|しまおう|やる|楽にな)|死のう(?:と|か)|しのう(?:と|か)|死ぬ(?:しかない|つもり|気|覚悟|方法)",
        r"(?:消|き)え(?:たい|たく(?:て|なる|なった|なって)|てしまいたい|てなくなりたい)",
        r"いなくなりたい|いなくなった(?:方|ほう)が|居なくなりたい",
        r"生きて(?:い)?(?:たくない|いたくない|る意味|いる意味|いく自信がない|いけない気)|生きる(?:意味|気力)が(?:ない|無い|ありません)",
        r"自殺|自死|首(?:を|つり|吊)|首吊|飛び降り|とびおり|飛び込(?:もう|みたい)|線路に|練炭|遺書|命を(?:絶|断)",
        r"(?:全部|まとめて|大量に|ありったけ).{0,6}(?:薬|くすり)|(?:薬|くすり).{0,6}(?:全部|まとめて|大量に)飲|オーバードーズ|(?<![A-Za-z])OD(?![A-Za-z])",
        r"リスカ|リストカット|手首を切|腕を切|自傷",
        r"終わりにしたい|楽になりたい|この世から|もう限界.{0,6}(?:死|消え)",
        r"希死念慮|死ぬこと(?:ばかり|を)考え",
    ),
    "violence_now": (
        r"殺(?:される|されそう|すぞ|してやる|すと言|すって言|そうと)",
        r"(?:包丁|ナイフ|刃物)(?:を|で|が|振り|持|向け)",
        r"首を(?:絞め|締め)",
        r"(?:今|いま)(?:も|まさに|、)?.{0,10}(?:殴られ|なぐられ|叩かれ|蹴られ|暴れて|暴力を)",
        r"(?:殴|なぐ|叩|蹴)られて(?:血|骨|意識|動けな)",
        r"助けて|たすけて",
        r"命の危険|身の危険|逃げ(?:てきた|出してきた)|(?:家|うち)に帰れない",
    ),
    "left_alone_now": (
        r"(?:子ども|子供|こども|赤ちゃん|赤ん坊|乳児|幼児|小さい子|幼い子|(?:[0-9０-９一二三四五]|[1１][0-2０-２]?)(?:歳|才)の(?:子|娘|息子)).{0,20}(?:だけで|一人で|ひとりで|置き去り|放置|置いて)",
        r"(?:置き去り|放置され)",
        r"(?:親|母親|父親|ママ|パパ)が.{0,8}(?:帰ってこない|帰って来ない|戻らない|帰らない)",
        r"ずっと泣いて(?:いる|る)",
        r"倒れて(?:いる|る|動けない|動かない)|意識が(?:ない|無い|もうろう)|息をしていない|呼吸が(?:おかしい|苦しそう)",
        r"(?:新聞|郵便).{0,8}(?:たま|溜ま)って|(?:連絡|電話)が(?:つかない|取れない|とれない|通じない).{0,12}(?:一人暮らし|独り暮らし|高齢|父|母)",
        r"徘徊して.{0,10}(?:帰ってこない|いなくな|見つからない|行方)|行方(?:不明|が分からない)",
    ),
    "no_food_days": (
        r"(?:何日|なんにち|数日|[2-9２-９二三四五六七]日|[1-9１-９一二三]週間).{0,8}(?:何も|なにも|まともに|ろくに)?(?:食べて(?:い)?な|食べられて(?:い)?な|たべて(?:い)?な|食べれてな|食事(?:を)?(?:して|とって|取って)(?:い)?な)",
        r"(?:食べる(?:もの|物)|食べ物|食料|米|お米)が(?:もう)?(?:何も)?(?:ない|無い|ありません|尽き|底をつ)",
        r"(?:所持金|財布|手持ち).{0,6}(?:[0-9０-９]{1,3}円|ゼロ|0円|０円|空っぽ|からっぽ)|水しか(?:飲んで|口にして)",
    ),
}

_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, patterns in _CUES.items() for pattern in patterns
)

# Right after the cue: the cue is denied or only a figure of speech.
_DENIAL_AFTER = re.compile(
    r"^.{0,3}?(?:わけ|訳)(?:じゃ|では|でも)(?:な|あり)"
    r"|^(?:と|って)?(?:は|まで(?:は)?)?(?:思(?:って)?(?:い)?(?:ない|ません)|言(?:って)?(?:い)?(?:ない|ません))"
    r"|^(?:ほど|くらい|ぐらい)(?:じゃ|では)(?:な|あり)"
    r"|^(?:ほど|くらい|ぐらい)(?:の)?(?:眠|ねむ|忙|いそが|暑|あつ|寒|疲|つか|痛|いた|恥ずかし|笑|美味|おいし|うま|楽し|好き|嬉し|かわい|可愛)"
    r"|^(?:ドラマ|映画|ゲーム|漫画|マンガ|小説|アニメ)"
)
# Right before the cue: a figure of speech, a joke, the past, or another sense.
_DENIAL_BEFORE = re.compile(
    r"(?:昔|むかし|以前|若い頃|学生の頃|子どもの頃|子供の頃)(?:は|に)?[^。！？!?\n]{0,12}$"
    r"|(?:死ぬほど|しぬほど)[^。！？!?\n]{0,2}$"
    r"|(?:ドラマ|映画|ゲーム|漫画|マンガ|小説|アニメ|ニュース)(?:で|の|では)[^。！？!?\n]{0,10}$"
    r"|(?:電気|火|灯り|明かり|画面|データ|文字|記録|痛み|かゆみ|不安|悩み|借金|疑い)が$"
)
# The sentence is a question about others or a general topic, not a situation.
_FIGURE_OF_SPEECH = re.compile(r"(?:死ぬ|しぬ)ほど|死ぬかと思った|死にそうな(?:ほど|くらい)")


def _is_denied(text: str, start: int, end: int) -> bool:
    after = text[end : end + 16]
    before = text[max(0, start - 20) : start]
    if _DENIAL_AFTER.search(after) or _DENIAL_BEFORE.search(before):
        return True
    return bool(_FIGURE_OF_SPEECH.match(text, start))


def find_crisis_words(text: str) -> tuple[Evidence, ...]:
    """Spans of `text` that say a life may be at risk now, in text order.

    Overlapping hits are merged into the earliest, longest span so each place in
    the text is cited once.
    """
    if not text:
        return ()
    spans: list[tuple[int, int]] = []
    for _kind, pattern in _COMPILED:
        for match in pattern.finditer(text):
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
    return tuple(Evidence(CRISIS_LABEL, start, end, text[start:end]) for start, end in merged)
