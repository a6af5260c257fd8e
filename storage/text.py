"""What text columns and documents may hold: no control characters.

PostgreSQL refuses NUL in text outright; the other control characters (escape,
bell, form feed…) are garbage on a screen or in a LINE message.
"""

import re

# Unicode category Cc: C0 controls, DEL and C1 controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS_AND_TABS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True if `text` holds a control character; line breaks and tabs pass when `multiline`."""
    return bool((_CONTROL_BUT_LINE_BREAKS_AND_TABS if multiline else _CONTROL).search(text))
