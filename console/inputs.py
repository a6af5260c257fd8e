"""Form fields or a JSON object, read the same way by the forms and the API."""

from collections.abc import Mapping
from datetime import date

from console.errors import InvalidInput


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
        if not value.isdigit() or len(value) > 12:
            raise InvalidInput("選択肢から選んでください。")
        return int(value)

    def integers(self, name: str) -> list[int]:
        values = self.getlist(name)
        if any(not v.isdigit() or len(v) > 12 for v in values):
            raise InvalidInput("選択肢から選んでください。")
        return [int(v) for v in values]

    def day(self, name: str, *, optional: bool = False) -> date | None:
        value = self.get(name)
        if not value and optional:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput("日付を YYYY-MM-DD の形で入力してください。") from None
