"""Reading and checking a municipality file (YAML), e.g. demo_municipality.yaml.

Every problem is collected and raised together as MunicipalityFileError, each
with its line. Besides the shape of each entry it checks that keys are unique,
agencies name existing queues and districts, the comprehensive queue exists
(the fallback of every decision), every staffed queue has an agency for every
district, and `none` (the bot) is not configured as a queue.
"""

import re
from datetime import date, time
from importlib import resources

from yaml.nodes import Node

from routing.errors import MunicipalityFileError
from routing.municipality import (
    WEEKDAYS,
    Agency,
    District,
    EmergencyContact,
    Municipality,
    OpeningHours,
    OpeningPeriod,
    Queue,
)
from routing.vocabulary import BOT_QUEUE, DOMAINS, FALLBACK_QUEUE
from routing.yaml_reader import ANY_NAME, YamlReader
from storage.models import MAX_QUEUE_NAME

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
QUEUE_FIELDS: tuple[str, ...] = (*DOMAINS, "all")
MAX_REPLY_HOURS = 24 * 30


def load_municipality(text: str | bytes, *, source: str = "municipality") -> Municipality:
    reader = YamlReader(text)
    root = reader.root()
    result = _MunicipalityParser(reader).municipality(root) if root is not None else None
    if reader.problems or result is None:
        raise MunicipalityFileError(source, reader.problems)
    return result


def demo_municipality_source() -> str:
    return (resources.files("routing") / "demo_municipality.yaml").read_text(encoding="utf-8")


def load_demo_municipality() -> Municipality:
    """すずかぜ市, the fictional city shipped for demos and tests."""
    return load_municipality(demo_municipality_source(), source="demo_municipality.yaml")


class _MunicipalityParser:
    def __init__(self, reader: YamlReader) -> None:
        self.r = reader

    def municipality(self, root: Node) -> Municipality | None:
        sections = ("name", "office_hours", "districts", "queues", "agencies", "emergency_contacts", "holidays")
        top = self.r.mapping(
            root, "the municipality file", allowed=(*sections, "general_info"), required=sections
        )
        if top is None or not all(key in top for key in sections):
            return None
        name = self.r.text(top["name"], "name")
        general_info = self.r.text(top["general_info"], "general_info") if "general_info" in top else ""
        office_hours = self.hours(top["office_hours"], "office_hours")
        districts = self.entries(top["districts"], "districts", self.district)
        queues = self.entries(top["queues"], "queues", self.queue)
        agencies = self.entries(top["agencies"], "agencies", self.agency)
        contacts = self.entries(top["emergency_contacts"], "emergency_contacts", self.contact)
        holidays = self.holidays(top["holidays"])
        if None in (name, general_info, office_hours, districts, queues, agencies, contacts, holidays):
            return None
        self.check_links(top, districts, queues, agencies)
        if self.r.problems:
            return None
        return Municipality(name, office_hours, districts, queues, agencies, contacts, holidays, general_info)

    def entries(self, node: Node, what: str, read) -> tuple | None:
        """A non-empty list of entries, each with a unique `key`."""
        items = self.r.sequence(node, what)
        if items is None:
            return None
        if not items:
            self.r.problem(node, "empty_list", f"{what} must not be empty")
            return None
        values = [read(item) for item in items]
        seen: set[str] = set()
        for item, value in zip(items, values, strict=True):
            if value is not None and value.key in seen:
                self.r.problem(item, "duplicate_key", f"key '{value.key}' appears twice in {what}")
            elif value is not None:
                seen.add(value.key)
        return None if None in values else tuple(values)

    def key(self, fields: dict[str, Node], what: str) -> str | None:
        key = self.r.text(fields["key"], f"key of {what}") if "key" in fields else None
        if key is not None and not _KEY.fullmatch(key):
            self.r.problem(fields["key"], "bad_key", f"key '{key}' may use only a-z, 0-9, _ and -")
            return None
        return key

    def district(self, node: Node) -> District | None:
        f = self.r.mapping(node, "a district", allowed=("key", "name", "area"), required=("key", "name", "area"))
        if f is None or len(f) < 3:
            return None
        values = (self.key(f, "a district"), self.r.text(f["name"], "district name"), self.r.text(f["area"], "area"))
        return None if None in values else District(*values)

    def queue(self, node: Node) -> Queue | None:
        keys = ("key", "name", "field", "target_reply_hours")
        f = self.r.mapping(node, "a queue", allowed=(*keys, "description"), required=keys)
        if f is None or not all(k in f for k in keys):
            return None
        key = self.key(f, "a queue")
        if key == BOT_QUEUE:
            self.r.problem(f["key"], "reserved_queue", f"'{BOT_QUEUE}' is the bot's own answer, not a staffed queue")
            key = None
        values = (
            key,
            self.r.text(f["name"], "queue name", max_length=MAX_QUEUE_NAME),
            self.r.choice(f["field"], "queue field", QUEUE_FIELDS),
            self.r.integer(f["target_reply_hours"], "target_reply_hours", minimum=1, maximum=MAX_REPLY_HOURS),
            self.r.text(f["description"], "queue description") if "description" in f else "",
        )
        return None if None in values else Queue(*values)

    def agency(self, node: Node) -> Agency | None:
        keys = ("key", "name", "queue", "operator", "phone", "address", "office_hours")
        f = self.r.mapping(node, "an agency", allowed=(*keys, "districts"), required=keys)
        if f is None or not all(k in f for k in keys):
            return None
        districts = self.r.choices(f["districts"], "agency districts", ANY_NAME) if "districts" in f else ()
        values = (
            self.key(f, "an agency"),
            self.r.text(f["name"], "agency name", max_length=MAX_QUEUE_NAME),
            self.r.text(f["queue"], "agency queue"),
            self.r.text(f["operator"], "agency operator"),
            self.r.text(f["phone"], "agency phone"),
            self.r.text(f["address"], "agency address"),
            self.hours(f["office_hours"], "agency office_hours"),
            districts,
        )
        return None if None in values else Agency(*values)

    def contact(self, node: Node) -> EmergencyContact | None:
        keys = ("key", "name", "number", "hours", "use_for")
        f = self.r.mapping(node, "an emergency contact", allowed=keys, required=keys)
        if f is None or len(f) < len(keys):
            return None
        values = (self.key(f, "an emergency contact"), *(self.r.text(f[k], f"contact {k}") for k in keys[1:]))
        return None if None in values else EmergencyContact(*values)

    def hours(self, node: Node, what: str) -> OpeningHours | None:
        f = self.r.mapping(node, what, allowed=("periods", "closed_on_holidays"), required=("periods",))
        if f is None or "periods" not in f:
            return None
        closed = self.r.boolean(f["closed_on_holidays"], "closed_on_holidays") if "closed_on_holidays" in f else True
        items = self.r.sequence(f["periods"], f"periods of {what}")
        if items is None:
            return None
        periods = [self.period(item, what) for item in items]
        if closed is None or None in periods:
            return None
        return OpeningHours(tuple(periods), closed)

    def period(self, node: Node, what: str) -> OpeningPeriod | None:
        f = self.r.mapping(
            node, f"a period of {what}", allowed=("days", "open", "close"), required=("days", "open", "close")
        )
        if f is None or len(f) < 3:
            return None
        days = self.r.choices(f["days"], "days", WEEKDAYS)
        opens, closes = self.clock(f["open"]), self.clock(f["close"], end=True)
        if opens is not None and closes is not None and opens >= closes:
            self.r.problem(node, "bad_period", f"a period must open before it closes ({opens:%H:%M} - {closes:%H:%M})")
            return None
        return None if None in (days, opens, closes) else OpeningPeriod(days, opens, closes)

    def clock(self, node: Node, *, end: bool = False) -> time | None:
        """HH:MM; a closing time may be 24:00, the end of the day."""
        value = self.r.text(node, "time")
        if end and value == "24:00":
            return time.max
        match = _CLOCK.fullmatch(value) if value is not None else None
        if value is not None and match is None:
            self.r.problem(node, "bad_time", f"time '{value}' must be HH:MM (24-hour), e.g. \"08:30\"")
        return time(int(match[1]), int(match[2])) if match else None

    def holidays(self, node: Node) -> frozenset[date] | None:
        items = self.r.sequence(node, "holidays")
        if items is None:
            return None
        days: set[date] = set()
        for item in items:
            value = self.r.text(item, "holiday")
            try:
                days.add(date.fromisoformat(value or ""))
            except ValueError:
                self.r.problem(item, "bad_date", f"holiday '{value}' must be a date like 2027-01-01")
        return frozenset(days)

    def check_links(self, top: dict[str, Node], districts, queues, agencies) -> None:
        queue_keys = {q.key for q in queues}
        district_keys = {d.key for d in districts}
        if FALLBACK_QUEUE not in queue_keys:
            self.r.problem(top["queues"], "missing_queue", f"the '{FALLBACK_QUEUE}' queue is required (the fallback)")
        agency_nodes = dict(zip((a.key for a in agencies), top["agencies"].value, strict=True))
        for agency in agencies:
            if agency.queue not in queue_keys:
                self.r.problem(
                    agency_nodes[agency.key],
                    "unknown_queue",
                    f"agency '{agency.key}' names unknown queue '{agency.queue}'",
                )
            for district in agency.districts:
                if district not in district_keys:
                    self.r.problem(
                        agency_nodes[agency.key],
                        "unknown_district",
                        f"agency '{agency.key}' names unknown district '{district}'",
                    )
        queue_nodes = dict(zip((q.key for q in queues), top["queues"].value, strict=True))
        for queue in queues:
            staff = [a for a in agencies if a.queue == queue.key]
            uncovered = sorted(d for d in district_keys if not any(a.serves(d) for a in staff))
            if not staff:
                self.r.problem(queue_nodes[queue.key], "queue_without_agency", f"no agency staffs queue '{queue.key}'")
            elif uncovered:
                self.r.problem(
                    queue_nodes[queue.key],
                    "district_not_covered",
                    f"no agency of queue '{queue.key}' serves: {', '.join(uncovered)}",
                )
