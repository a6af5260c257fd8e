"""Office hours of a municipality: when a person reads messages, and when to expect a reply.

Hours are Asia/Tokyo wall-clock times; every datetime in or out is timezone-aware
and results are returned in UTC. Queue targets count office time only, so a
message written on Friday night is honestly expected on Monday (or later after
a holiday), not "within 8 hours".
"""

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from intake.errors import InvalidConfig

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_JA: tuple[str, ...] = ("月", "火", "水", "木", "金", "土", "日")
# Far enough to cross any run of holidays; a calendar that never opens is a config error.
_SEARCH_DAYS = 400

Span = tuple[time, time]


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidConfig("office hours need a timezone-aware datetime")


def _parse_clock(text: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise InvalidConfig(f"bad clock time {text!r}, expected HH:MM") from exc


def _parse_span(text: str) -> Span:
    start, sep, end = str(text).partition("-")
    if not sep:
        raise InvalidConfig(f"bad opening span {text!r}, expected HH:MM-HH:MM")
    return _parse_clock(start), _parse_clock(end)


def _clock(t: time) -> str:
    return f"{t.hour}:{t.minute:02d}"


@dataclass(frozen=True)
class OfficeHours:
    # weekday (0 = Monday) -> opening spans that day, e.g. ((08:30, 12:00), (13:00, 17:15))
    weekly: Mapping[int, tuple[Span, ...]]
    # dated closures: national holidays, 振替休日, one-off closures
    holidays: frozenset[date] = frozenset()
    # (month, day) closed every year, e.g. the 年末年始 12/29–1/3
    annual_closures: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not any(self.weekly.get(day) for day in range(7)):
            raise InvalidConfig("office hours never open")
        for day, spans in self.weekly.items():
            if day not in range(7):
                raise InvalidConfig(f"weekday {day} is not 0..6")
            previous_end = time(0, 0)
            for start, end in spans:
                if not start < end:
                    raise InvalidConfig(f"opening span {_clock(start)}-{_clock(end)} ends before it starts")
                if start < previous_end:
                    raise InvalidConfig(f"opening spans on {WEEKDAY_KEYS[day]} overlap or are unsorted")
                previous_end = end
        for month, day in self.annual_closures:
            try:
                date(2024, month, day)  # a leap year, so 02-29 is accepted
            except ValueError as exc:
                raise InvalidConfig(f"bad annual closure {month:02d}-{day:02d}") from exc

    @classmethod
    def from_config(cls, data: Mapping) -> "OfficeHours":
        """Build from {"weekly": {"mon": ["08:30-17:15"], ...}, "holidays": ["2025-01-13"],
        "annual_closures": ["12-29", ...]}."""
        weekly_raw = data.get("weekly")
        if not isinstance(weekly_raw, Mapping):
            raise InvalidConfig("office_hours.weekly must map weekday names to spans")
        unknown = set(weekly_raw) - set(WEEKDAY_KEYS)
        if unknown:
            raise InvalidConfig(f"unknown weekday names: {sorted(unknown)}")
        weekly = {
            WEEKDAY_KEYS.index(name): tuple(_parse_span(s) for s in spans)
            for name, spans in weekly_raw.items()
        }
        try:
            holidays = frozenset(date.fromisoformat(str(d)) for d in data.get("holidays", ()))
            closures = frozenset(
                (int(m), int(d)) for m, d in (str(x).split("-") for x in data.get("annual_closures", ()))
            )
        except ValueError as exc:
            raise InvalidConfig(f"bad holiday or closure date: {exc}") from exc
        return cls(weekly=weekly, holidays=holidays, annual_closures=closures)

    def is_closed_day(self, day: date) -> bool:
        return day in self.holidays or (day.month, day.day) in self.annual_closures

    def _spans_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if self.is_closed_day(day):
            return []
        return [
            (datetime.combine(day, start, TOKYO), datetime.combine(day, end, TOKYO))
            for start, end in self.weekly.get(day.weekday(), ())
        ]

    def _spans_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Opening spans that end after `moment`, in order, clipped to start no earlier."""
        local = moment.astimezone(TOKYO)
        for offset in range(_SEARCH_DAYS):
            for start, end in self._spans_on(local.date() + timedelta(days=offset)):
                if end > local:
                    yield max(start, local), end
        raise InvalidConfig(f"office hours do not open within {_SEARCH_DAYS} days")

    def is_open(self, now: datetime) -> bool:
        _require_aware(now)
        local = now.astimezone(TOKYO)
        return any(start <= local < end for start, end in self._spans_on(local.date()))

    def next_opening(self, now: datetime) -> datetime:
        """`now` when open, else the start of the next opening span (UTC)."""
        _require_aware(now)
        start, _ = next(self._spans_from(now))
        return start.astimezone(UTC)

    def expected_reply_by(self, now: datetime, target_hours: float) -> datetime:
        """When `target_hours` of office time will have passed since `now` (UTC)."""
        _require_aware(now)
        if not math.isfinite(target_hours) or target_hours < 0:
            raise InvalidConfig(f"target hours must be a finite number >= 0, got {target_hours!r}")
        remaining = timedelta(hours=target_hours)
        for start, end in self._spans_from(now):
            if remaining <= end - start:
                return (start + remaining).astimezone(UTC)
            remaining -= end - start
        raise AssertionError("unreachable: _spans_from raises when exhausted")

    def display_reply_by(self, moment: datetime) -> str:
        """A resident-facing time: rounded up to the hour, never past that span's closing."""
        _require_aware(moment)
        local = moment.astimezone(TOKYO)
        rounded = local if local.minute == local.second == local.microsecond == 0 else (
            local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        )
        for start, end in self._spans_on(local.date()):
            if start <= local <= end:
                rounded = min(rounded, end)
        return format_moment(rounded)

    def describe(self) -> str:
        """E.g. 「月〜金 8:30〜17:15（祝日・年末年始を除く）」; consecutive equal days are grouped."""
        groups: list[tuple[int, int, tuple[Span, ...]]] = []
        for day in range(7):
            spans = tuple(self.weekly.get(day, ()))
            if not spans:
                continue
            if groups and groups[-1][1] == day - 1 and groups[-1][2] == spans:
                groups[-1] = (groups[-1][0], day, spans)
            else:
                groups.append((day, day, spans))
        parts = []
        for first, last, spans in groups:
            days = WEEKDAY_JA[first] if first == last else f"{WEEKDAY_JA[first]}〜{WEEKDAY_JA[last]}"
            parts.append(days + " " + "、".join(f"{_clock(s)}〜{_clock(e)}" for s, e in spans))
        closed = []
        if self.holidays:
            closed.append("祝日")
        if self.annual_closures:
            closed.append("年末年始")
        suffix = f"（{'・'.join(closed)}を除く）" if closed else ""
        return " / ".join(parts) + suffix


def format_moment(moment: datetime) -> str:
    """「6月2日（月）10時30分」 in Asia/Tokyo."""
    _require_aware(moment)
    local = moment.astimezone(TOKYO)
    clock = f"{local.hour}時" + (f"{local.minute}分" if local.minute else "")
    return f"{local.month}月{local.day}日（{WEEKDAY_JA[local.weekday()]}）{clock}"
