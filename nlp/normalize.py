"""Other spellings of the text the lexicon is matched on, mapped back to the original characters.

Residents often write in hiragana (「しにたい」「たべてない」「よっぱらって」). Sudachi
(the GiNZA tokenizer) knows each word's normalised spelling, so the lexicon can be
matched once more on a view where such words are spelt in kanji. Every character
of the view remembers which original characters it came from, so evidence still
cites the resident's own words. Half-width katakana (old phones, some PCs) get a
full-width view for the same reason.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

_KANA_ONLY = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]+")
_HAS_KANJI = re.compile(r"[\u4e00-\u9fff]")
_HALF_WIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
_VOICED_MARKS = "\uff9e\uff9f"


class TokenLike(Protocol):
    """The parts of a spaCy token the view needs."""

    idx: int
    text: str
    lemma_: str
    norm_: str
    tag_: str


@dataclass(frozen=True)
class PlacedToken:
    """A token of a view, placed on the original characters it stands for (what nlp/features.py reads)."""

    idx: int
    text: str
    norm_: str
    has_vector: bool
    vector: object


@dataclass(frozen=True)
class TextView:
    """`text` plus, per character, the span [start, end) of the original it stands for."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def _kanji_spelling(token: TokenLike) -> str | None:
    """The token's surface with its kana stem replaced by the normalised kanji stem."""
    surface, lemma, norm = token.text, token.lemma_, token.norm_
    # Prefixes (お→御) only make the kanji view harder to match.
    if token.tag_.startswith("接頭辞") or not _KANA_ONLY.fullmatch(surface) or not _HAS_KANJI.search(norm) or norm == surface:
        return None
    shared = 0
    while shared < min(len(lemma), len(norm)) and lemma[-1 - shared] == norm[-1 - shared]:
        shared += 1
    lemma_stem = lemma[: len(lemma) - shared]
    norm_stem = norm[: len(norm) - shared]
    if not lemma_stem or not norm_stem or not surface.startswith(lemma_stem):
        return None
    return norm_stem + surface[len(lemma_stem) :]


def kanji_view(text: str, tokens: Iterable[TokenLike]) -> TextView | None:
    """The kanji view of `text` given its tokens, or None when no word changes."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    changed = False
    position = 0
    for token in tokens:
        # Characters between tokens (whitespace) are kept as they were.
        pieces.append(text[position : token.idx])
        starts.extend(range(position, token.idx))
        ends.extend(range(position + 1, token.idx + 1))
        spelling = _kanji_spelling(token)
        if spelling is None:
            pieces.append(token.text)
            starts.extend(range(token.idx, token.idx + len(token.text)))
            ends.extend(range(token.idx + 1, token.idx + len(token.text) + 1))
        else:
            changed = True
            pieces.append(spelling)
            starts.extend([token.idx] * len(spelling))
            ends.extend([token.idx + len(token.text)] * len(spelling))
        position = token.idx + len(token.text)
    pieces.append(text[position:])
    starts.extend(range(position, len(text)))
    ends.extend(range(position + 1, len(text) + 1))
    if not changed:
        return None
    return TextView("".join(pieces), tuple(starts), tuple(ends))


def width_view(text: str) -> TextView | None:
    """Half-width katakana (「ｵｶﾈｶﾞﾅｲ」) spelt full-width, voiced marks joined to their letter, or None."""
    if not _HALF_WIDTH_KANA.search(text):
        return None
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, char in enumerate(text):
        if char in _VOICED_MARKS and pieces:
            joined = unicodedata.normalize("NFKC", pieces[-1] + char)
            if len(joined) == 1:
                pieces[-1], ends[-1] = joined, i + 1
                continue
        pieces.append(unicodedata.normalize("NFKC", char) if _HALF_WIDTH_KANA.match(char) else char)
        starts.append(i)
        ends.append(i + 1)
    return TextView("".join(pieces), tuple(starts), tuple(ends))


def tokens_on_original(text: str, view: TextView, view_tokens: Iterable) -> tuple[PlacedToken, ...]:
    """Tokens of `view` placed back on `text`: their forms and vectors, the original characters.

    Sudachi splits half-width katakana into odd pieces without word vectors, so the
    learned part reads the full-width view's tokens instead, cited as written.
    """
    placed = []
    for token in view_tokens:
        start, end = view.original_span(token.idx, token.idx + len(token.text))
        placed.append(PlacedToken(start, text[start:end], token.norm_, token.has_vector, token.vector))
    return tuple(placed)
