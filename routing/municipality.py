"""A municipality's configuration: districts, queues, the agencies behind them,
opening hours, holidays and emergency contacts. Read it with
`routing.municipality_file.load_municipality`.

A queue is a kind of work (e.g. 高齢・介護); agencies staff it (e.g. three
地域包括支援センター, each for its own districts).
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from routing.errors import RoutingError

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class NaiveTimeError(RoutingError):
    code = "naive_time"


@dataclass(frozen=True)
class OpeningPeriod:
    days: tuple[str, ...]  # from WEEKDAYS
    opens: time
    closes: time


@dataclass(frozen=True)
class OpeningHours:
    periods: tuple[OpeningPeriod, ...]
    # Closed on the municipality's holidays (祝日・年末年始) unless this is False.
    closed_on_holidays: bool = True

    def is_open(self, at: datetime, holidays: frozenset[date]) -> bool:
        """Whether `at` (timezone-aware) falls in these hours, read in Asia/Tokyo."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise NaiveTimeError("office hours need a timezone-aware time")
        local = at.astimezone(TOKYO)
        if self.closed_on_holidays and local.date() in holidays:
            return False
        day = WEEKDAYS[local.weekday()]
        now = local.time().replace(tzinfo=None)
        return any(day in p.days and p.opens <= now < p.closes for p in self.periods)


@dataclass(frozen=True)
class District:
    key: str
    name: str
    area: str  # 日常生活圏域, e.g. 北部


@dataclass(frozen=True)
class Queue:
    key: str
    name: str
    field: str  # a SCHEMA domain, or "all"
    target_reply_hours: int
    description: str = ""


@dataclass(frozen=True)
class Agency:
    key: str
    name: str
    queue: str
    operator: str  # 運営主体, e.g. 市直営 / 社会福祉協議会（委託）
    phone: str
    address: str
    office_hours: OpeningHours
    # Districts it serves; empty means the whole municipality.
    districts: tuple[str, ...] = ()

    def serves(self, district: str | None) -> bool:
        return not self.districts or district is None or district in self.districts


@dataclass(frozen=True)
class EmergencyContact:
    key: str
    name: str
    number: str
    hours: str
    use_for: str  # when a resident should call, in plain Japanese


@dataclass(frozen=True)
class Municipality:
    name: str
    office_hours: OpeningHours  # 開庁時間 of the city hall
    districts: tuple[District, ...]
    queues: tuple[Queue, ...]
    agencies: tuple[Agency, ...]
    emergency_contacts: tuple[EmergencyContact, ...]
    holidays: frozenset[date]
    # Where residents find general information (総合窓口, website): told when no field applies.
    general_info: str = ""

    @property
    def queue_keys(self) -> frozenset[str]:
        return frozenset(q.key for q in self.queues)

    @property
    def district_keys(self) -> frozenset[str]:
        return frozenset(d.key for d in self.districts)

    def queue(self, key: str) -> Queue:
        for queue in self.queues:
            if queue.key == key:
                return queue
        raise KeyError(key)

    def agencies_for(self, queue: str, district: str | None) -> tuple[Agency, ...]:
        """The agencies of `queue` that serve `district` (all of them when it is unknown)."""
        return tuple(a for a in self.agencies if a.queue == queue and a.serves(district))

    def is_office_hours(self, at: datetime) -> bool:
        """Routing's `office_hours` fact: is the city hall open at `at`?"""
        return self.office_hours.is_open(at, self.holidays)
