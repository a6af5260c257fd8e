"""The cue lexicon: regular expressions with a label and a weight, read from data.

The lexicon lives in `nlp/data/lexicon.tsv` so an administrator can read (and a
developer can review) every cue the classifier uses. Loading validates every row
and fails with `LexiconError` naming the line, never half-loads.
"""

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nlp.errors import LexiconError
from nlp.labels import DOMAINS

# Labels a lexicon row may carry: the domains and the `urgent` level
# (household patterns come from nlp/household.py, emergencies from nlp/crisis.py).
LEXICON_LABELS: tuple[str, ...] = (*DOMAINS, "urgent")
_FLAGS = frozenset("n-")


@dataclass(frozen=True)
class Cue:
    label: str
    weight: float
    negatable: bool
    pattern: re.Pattern[str]
    line: int


def parse_lexicon(text: str, source: str = "lexicon") -> tuple[Cue, ...]:
    """Parse lexicon TSV text; raise LexiconError on the first bad row."""
    cues: list[Cue] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        columns = raw.split("\t")
        if len(columns) != 4:
            raise LexiconError(f"{source}:{number}: expected 4 tab-separated columns, got {len(columns)}")
        label, weight_text, flags, expression = columns
        if label not in LEXICON_LABELS:
            raise LexiconError(f"{source}:{number}: unknown label {label!r}")
        try:
            weight = float(weight_text)
        except ValueError:
            raise LexiconError(f"{source}:{number}: weight {weight_text!r} is not a number") from None
        if not 0.0 < weight <= 1.0:
            raise LexiconError(f"{source}:{number}: weight {weight} is outside (0, 1]")
        if not flags or set(flags) - _FLAGS:
            raise LexiconError(f"{source}:{number}: flags {flags!r} must be 'n' or '-'")
        try:
            pattern = re.compile(expression)
        except re.error as exc:
            raise LexiconError(f"{source}:{number}: bad regular expression: {exc}") from None
        if pattern.search(""):
            raise LexiconError(f"{source}:{number}: expression matches the empty string")
        cues.append(Cue(label, weight, "n" in flags, pattern, number))
    return tuple(cues)


def load_lexicon(path: Path | None = None) -> tuple[Cue, ...]:
    """The packaged lexicon, or the one at `path`."""
    if path is None:
        text = resources.files("nlp").joinpath("data/lexicon.tsv").read_text(encoding="utf-8")
        return parse_lexicon(text, "nlp/data/lexicon.tsv")
    return parse_lexicon(path.read_text(encoding="utf-8"), str(path))
