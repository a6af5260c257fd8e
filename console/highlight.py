"""Mark the classifier's evidence in the resident's messages.

Evidence offsets point into the resident's concern messages joined with "\\n"
in order. When an offset does not match its text (the messages changed, or the
classifier saw a different join), the evidence text is searched for instead, so
a highlight is never placed on the wrong words and never lost when findable.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    labels: tuple[str, ...] = ()


def highlight(texts: Sequence[str], evidence: Iterable[Mapping]) -> list[list[Segment]]:
    """For each text, its segments in order; a segment with labels is evidence for them."""
    joined = "\n".join(texts)
    bounds, position = [], 0
    for text in texts:
        bounds.append((position, position + len(text)))
        position += len(text) + 1
    spans: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    for item in evidence:
        label, start, end, wanted = item.get("label"), item.get("start"), item.get("end"), item.get("text")
        if not isinstance(label, str) or not isinstance(wanted, str) or not wanted:
            continue
        if (
            isinstance(start, int)
            and isinstance(end, int)
            and 0 <= start < end <= len(joined)
            and joined[start:end] == wanted
        ):
            for index, (first, last) in enumerate(bounds):
                lo, hi = max(start, first), min(end, last)
                if lo < hi:
                    spans[index].append((lo - first, hi - first, label))
            continue
        for index, text in enumerate(texts):
            found = text.find(wanted)
            if found >= 0:
                spans[index].append((found, found + len(wanted), label))
                break
    return [_segments(text, found) for text, found in zip(texts, spans, strict=True)]


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
