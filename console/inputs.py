"""Form fields or a JSON object, read the same way by the forms and the API."""

from collections.abc import Mapping
from datetime import date

from console.errors import InvalidInput

# The largest id an integer column holds on PostgreSQL (larger ones are no row, not an error).
MAX_ID = 2**31 - 1
# The longest YAML document an editor page accepts (rules, municipality settings).
MAX_DOCUMENT = 200_000


def whole_number(value: str, *, maximum: int = MAX_ID) -> int | None:
    """ASCII digits for 0..maximum, else None (str.isdigit also accepts ², ١ and ４)."""
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


class Inputs:
    """Form fields or a JSON object, read the same way (all values as text)."""

    def __init__(self, source: Mapping):
        self._source = source

    def get(self, name: str) -> str:
        value = self._source.get(name)
        if isinstance(value, bool):
            return "1" if value else ""
        return "" if value is None or isinstance(value, list | dict) else str(value).strip()

    def getlist(self, name: str) -> list[str]:
        if hasattr(self._source, "getlist"):
            return [v.strip() for v in self._source.getlist(name) if v.strip()]
        value = self._source.get(name)
        values = value if isinstance(value, list) else [] if value in (None, "") else [value]
        return [str(v).strip() for v in values if not isinstance(v, list | dict) and str(v).strip()]

    def flag(self, name: str) -> bool:
        return self.get(name).lower() in ("1", "true", "on", "yes")

    def integer(self, name: str, *, optional: bool = False) -> int | None:
        value = self.get(name)
        if not value and optional:
            return None
        number = whole_number(value)
        if number is None:
            raise InvalidInput("選択肢から選んでください。")
        return number

    def integers(self, name: str) -> list[int]:
        numbers = [whole_number(v) for v in self.getlist(name)]
        if None in numbers:
            raise InvalidInput("選択肢から選んでください。")
        return numbers

    def day(self, name: str, *, optional: bool = False) -> date | None:
        value = self.get(name)
        if not value and optional:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput("日付を YYYY-MM-DD の形で入力してください。") from None
