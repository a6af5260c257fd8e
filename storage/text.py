"""What text columns and documents may hold: no control characters.

PostgreSQL refuses NUL in text outright; the other control characters (escape,
bell, form feed…) are garbage on a screen or in a LINE message. Invisible
format characters are refused too: a right-to-left override or a zero-width
space makes a staff or queue name look like another one. The zero-width joiner
and variation selectors stay allowed: emoji need them.
"""

import re

# Invisible format characters: zero-width space and non-joiner, direction marks, embeddings,
# overrides and isolates, line/paragraph separators, word joiner and invisible operators, BOM.
_INVISIBLE = "\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# Unicode category Cc (C0 controls, DEL, C1 controls) and the invisible characters above.
_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_CONTROL_BUT_LINE_BREAKS_AND_TABS = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_INVISIBLE}]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True if `text` holds a control or invisible format character; line breaks and tabs pass when `multiline`."""
    return bool((_CONTROL_BUT_LINE_BREAKS_AND_TABS if multiline else _CONTROL).search(text))
