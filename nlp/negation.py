"""Denials right after a cue: 「借金はありません」, 「虐待ではない」, 「介護は必要ない」.

Only the words directly after the cue count (a particle, an optional adverb, then
the negative), so 「認知症の母が何も食べない」 keeps 認知症: its negative belongs to
another predicate. The classifier checks the denial after the cue and after the
end of the word the cue ends in (「ひきこもり…ってわけじゃない」 is matched on
「ひきこも」), and on the resident's own spelling as well as the kanji view
(where 「ない」 reads 「無い」).
"""

import re


def _any_spelling(expression: str) -> str:
    """Accept the kana and the kanji-view spelling of あり/ない."""
    return expression.replace("あり", "(?:あ|有)り").replace("ない", "(?:な|無)い").replace("なく", "(?:な|無)く")


_DENIAL = re.compile(
    _any_spelling(
        r"^(?:は|も|が|とか|なんて|など|の(?:心配|問題|必要|話|件|相談)|(?:の)?(?:こと|事)|で)?(?:は|も)?"
        r"(?:全然|まったく|全く|特に|一切|別に|もう|今は|今のところ|いまのところ|絶対(?:に)?|決して)?"
        r"(?:ありません|ありませんでした|ないです|なかった|ない(?!か)|なし|無し|ゼロ|大丈夫|解決(?:し|済)"
        r"|(?:やめ|止め|辞め)(?:ました|た(?![いく])|ている|てる|られて)"
        r"|いません|いない(?![かとので])|してい?ない|していません|しておらず|必要(?:が)?ない|必要ありません"
        r"|じゃない|ではない|ではありません|じゃありません|でもない|ではなく|じゃなく)"
    )
)
# 「〜ってわけじゃない」「〜というわけではない」「〜…ってわけでもない」
_NOT_REALLY = re.compile(_any_spelling(r"^(?:…|‥|\.{2,}|、)?(?:って|という|っていう|とかいう)?(?:わけ|訳)(?:じゃ|では|でも)(?:な|あり)"))
# 「DVについての研修」: the word names a topic, not the resident's situation.
_TOPIC = re.compile(r"^(?:について|に関する|に関して|の(?:講演|研修|講座|勉強会|啓発|パンフ|資料|ポスター))")


def denial_length(text: str, end: int) -> int:
    """How many characters after a cue ending at `end` deny it (0: not denied)."""
    after = text[end : end + 20]
    match = _DENIAL.match(after) or _NOT_REALLY.match(after) or _TOPIC.match(after)
    return match.end() if match else 0


def is_denied(text: str, end: int) -> bool:
    """True when a cue ending at `end` is negated by the words right after it."""
    return denial_length(text, end) > 0
