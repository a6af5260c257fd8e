"""What the flow needs from outside: the municipality's configuration (loaded once)
and, per step, the reference a new case would get and the queue targets."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from intake.catalogue import Catalogue
from intake.errors import InvalidConfig
from intake.office_hours import OfficeHours
from routing.facts import CHANNELS, Facts
from routing.municipality import Municipality

MAX_DISTRICTS = 12  # 13 quick replies minus 「わからない」
MAX_LABEL_CHARS = 20

# Nationwide numbers; a municipality replaces or extends them in its config.
DEFAULT_EMERGENCY_CONTACTS: tuple[tuple[str, str], ...] = (
    ("警察", "110"),
    ("救急・消防", "119"),
    ("いのちの電話", "0570-783-556"),
    ("よりそいホットライン", "0120-279-338"),
    ("子どもの虐待（児童相談所）", "189"),
    ("DV相談ナビ", "#8008"),
)


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    number: str


@dataclass(frozen=True)
class MunicipalityConfig:
    name: str
    office_hours: OfficeHours
    districts: tuple[str, ...]
    emergency_contacts: tuple[EmergencyContact, ...]
    general_info: str  # where general information lives: URL, 総合窓口 phone
    catalogue: Catalogue

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidConfig("municipality name is empty")
        if len(self.districts) > MAX_DISTRICTS:
            raise InvalidConfig(f"at most {MAX_DISTRICTS} districts fit in LINE quick replies")
        if len(set(self.districts)) != len(self.districts):
            raise InvalidConfig("district names repeat")
        for district in self.districts:
            if not district.strip() or len(district) > MAX_LABEL_CHARS:
                raise InvalidConfig(f"district name {district!r} is empty or longer than {MAX_LABEL_CHARS}")
        if not self.emergency_contacts:
            raise InvalidConfig("at least one emergency contact is required")
        for contact in self.emergency_contacts:
            if not contact.name.strip() or not contact.number.strip():
                raise InvalidConfig("an emergency contact needs a name and a number")
        if not self.general_info.strip():
            raise InvalidConfig("general_info is empty")

    @classmethod
    def from_dict(cls, data: Mapping) -> "MunicipalityConfig":
        """From JSON/YAML: name, office_hours, districts, emergency_contacts
        ([{name, number}], default nationwide), general_info, messages (catalogue overrides)."""
        try:
            contacts_raw = data.get("emergency_contacts") or [
                {"name": name, "number": number} for name, number in DEFAULT_EMERGENCY_CONTACTS
            ]
            return cls(
                name=str(data["name"]),
                office_hours=OfficeHours.from_config(data["office_hours"]),
                districts=tuple(str(d) for d in data.get("districts", ())),
                emergency_contacts=tuple(
                    EmergencyContact(str(c["name"]), str(c["number"])) for c in contacts_raw
                ),
                general_info=str(data["general_info"]),
                catalogue=Catalogue(data.get("messages")),
            )
        except KeyError as exc:
            raise InvalidConfig(f"missing config field {exc}") from exc
        except TypeError as exc:
            raise InvalidConfig(f"malformed config: {exc}") from exc


def config_from_municipality(municipality: Municipality, messages: Mapping | None = None) -> MunicipalityConfig:
    """The flow's view of the administrator's municipality document (the one source of truth)."""
    weekly: dict[str, list[str]] = {}
    for period in municipality.office_hours.periods:
        span = f"{period.opens:%H:%M}-{period.closes:%H:%M}"
        for day in period.days:
            weekly.setdefault(day, []).append(span)
    return MunicipalityConfig.from_dict(
        {
            "name": municipality.name,
            "office_hours": {
                "weekly": weekly,
                "holidays": [d.isoformat() for d in sorted(municipality.holidays)]
                if municipality.office_hours.closed_on_holidays
                else [],
            },
            "districts": [d.name for d in municipality.districts],
            "emergency_contacts": [{"name": c.name, "number": c.number} for c in municipality.emergency_contacts],
            "general_info": municipality.general_info or f"{municipality.name}の総合窓口",
            "messages": dict(messages or {}),
        }
    )


@dataclass(frozen=True)
class IntakeContext:
    config: MunicipalityConfig
    # Target reply time, in office hours, of the queue routing picks for these facts
    # (the service closes over routing.evaluate and the queue table).
    target_hours_for: Callable[[Facts], float]
    # The reference a case opened by this step will carry (unused otherwise).
    new_case_ref: str
    channel: str = "line"

    def __post_init__(self) -> None:
        if not self.new_case_ref:
            raise InvalidConfig("new_case_ref is empty")
        if self.channel not in CHANNELS:
            raise InvalidConfig(f"unknown channel {self.channel!r}")
