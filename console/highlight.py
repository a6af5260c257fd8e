"""Mark the classifier's evidence in the resident's messages.

The worker stores evidence as `{label, message_id, start, end}`: offsets within one
message of the case, never the words themselves (they stay encrypted in the message).
The words are cut from the decrypted message when the page is shown. Evidence that
names no message of this case, or offsets outside its text, is dropped rather than
placed on the wrong words.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Span:
    label: str
    message_id: int
    start: int
    end: int


def evidence_spans(texts: Mapping[int, str], evidence: Iterable[Mapping]) -> list[Span]:
    """The well-formed evidence items that fall inside a message of `texts` (message id -> text)."""
    spans = []
    for item in evidence:
        label, message_id, start, end = (item.get(k) for k in ("label", "message_id", "start", "end"))
        if not isinstance(label, str) or not all(type(v) is int for v in (message_id, start, end)):
            continue
        text = texts.get(message_id)
        if text is not None and 0 <= start < end <= len(text):
            spans.append(Span(label, message_id, start, end))
    return spans


def highlight(texts: Mapping[int, str], evidence: Iterable[Mapping]) -> dict[int, list[Segment]]:
    """For each message id in `texts`, its segments in order; a segment with labels is evidence for them."""
    spans = evidence_spans(texts, evidence)
    return {
        message_id: _segments(text, [(s.start, s.end, s.label) for s in spans if s.message_id == message_id])
        for message_id, text in texts.items()
    }


def evidence_words(texts: Mapping[int, str], evidence: Iterable[Mapping]) -> dict[str, list[str]]:
    """Each label's distinct evidence words, in the order found."""
    words: dict[str, list[str]] = {}
    for span in evidence_spans(texts, evidence):
        found = words.setdefault(span.label, [])
        word = texts[span.message_id][span.start : span.end]
        if word not in found:
            found.append(word)
    return words


def _segments(text: str, spans: list[tuple[int, int, str]]) -> list[Segment]:
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        labels = tuple(sorted({label for s, e, label in spans if s <= start and end <= e}))
        if segments and segments[-1].labels == labels:
            segments[-1] = Segment(segments[-1].text + text[start:end], labels)
        else:
            segments.append(Segment(text[start:end], labels))
    return segments or [Segment(text)]
