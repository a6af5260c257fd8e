"""The demo city loads, resolves agencies by district, and knows its office hours; bad files are rejected."""

from datetime import UTC, datetime, timedelta, timezone
from importlib import resources

import pytest

from routing.errors import MunicipalityFileError
from routing.municipality import NaiveTimeError
from routing.municipality_file import load_municipality
from routing.vocabulary import SCHEMA_QUEUES

JST = timezone(timedelta(hours=9))
DEMO_TEXT = (resources.files("routing") / "demo_municipality.yaml").read_text(encoding="utf-8")


def test_demo_city_staffs_every_default_queue(demo_city):
    assert demo_city.queue_keys == set(SCHEMA_QUEUES)
    for queue in demo_city.queues:
        for district in demo_city.district_keys:
            assert demo_city.agencies_for(queue.key, district), (queue.key, district)


def test_three_area_centres_split_the_districts(demo_city):
    centres = demo_city.agencies_for("elderly_care", None)
    assert len(centres) == 3
    served = [d for centre in centres for d in centre.districts]
    # Each district has exactly one 地域包括支援センター.
    assert sorted(served) == sorted(demo_city.district_keys)
    (south,) = demo_city.agencies_for("elderly_care", "hamada")
    assert south.name == "すずかぜ市南部地域包括支援センター"


def test_emergency_contacts_carry_the_national_numbers(demo_city):
    numbers = {c.key: c.number for c in demo_city.emergency_contacts}
    assert numbers["police"] == "110" and numbers["fire-ambulance"] == "119"
    assert numbers["child-abuse"] == "189" and numbers["dv-navi"] == "#8008"
    assert numbers["yorisoi"] == "0120-279-338"


@pytest.mark.parametrize(
    ("local", "open_"),
    [
        (datetime(2026, 11, 24, 8, 30, tzinfo=JST), True),  # Tuesday, opening time
        (datetime(2026, 11, 24, 17, 15, tzinfo=JST), False),  # closing time
        (datetime(2026, 11, 23, 10, 0, tzinfo=JST), False),  # 勤労感謝の日
        (datetime(2026, 11, 28, 10, 0, tzinfo=JST), False),  # Saturday
        (datetime(2026, 12, 30, 10, 0, tzinfo=JST), False),  # 年末年始
    ],
)
def test_office_hours_are_read_in_tokyo_time(demo_city, local, open_):
    assert demo_city.is_office_hours(local.astimezone(UTC)) is open_


def test_emergency_desk_is_open_at_any_hour(demo_city):
    (desk,) = demo_city.agencies_for("emergency", None)
    late_on_new_year = datetime(2027, 1, 1, 23, 59, 30, tzinfo=JST)
    assert desk.office_hours.is_open(late_on_new_year, demo_city.holidays)


def test_office_hours_refuse_naive_times(demo_city):
    with pytest.raises(NaiveTimeError):
        demo_city.is_office_hours(datetime(2026, 11, 24, 10, 0))


def broken(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(MunicipalityFileError) as caught:
        load_municipality(text)
    return [(p.line, p.code) for p in caught.value.problems]


def _line(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_agency_naming_an_unknown_queue_and_district():
    text = DEMO_TEXT.replace("    queue: disability\n", "    queue: disabilty\n").replace(
        "districts: [hamada, minamigaoka]", "districts: [hamada, minamigaoka, atlantis]"
    )
    found = broken(text)
    assert (_line(text, "  - key: kikan-soudan"), "unknown_queue") in found
    assert (_line(text, "  - key: hokatsu-south"), "unknown_district") in found
    # The disability queue is now unstaffed, and that is reported too.
    assert (_line(text, "  - key: disability"), "queue_without_agency") in found


def test_district_left_without_a_centre():
    text = DEMO_TEXT.replace("districts: [hamada, minamigaoka]", "districts: [hamada]")
    assert broken(text) == [(_line(text, "  - key: elderly_care"), "district_not_covered")]


def test_comprehensive_queue_is_required():
    text = DEMO_TEXT.replace("  - key: comprehensive\n", "  - key: soudan\n").replace(
        "    queue: comprehensive\n", "    queue: soudan\n"
    )
    assert broken(text) == [(_line(text, "queues:") + 1, "missing_queue")]


def test_none_is_the_bot_not_a_queue():
    text = DEMO_TEXT.replace("  - key: comprehensive\n", "  - key: none\n")
    assert (_line(text, "  - key: none"), "reserved_queue") in broken(text)


def test_bad_times_and_dates():
    text = DEMO_TEXT.replace('open: "09:00", close: "17:00"', 'open: "9時", close: "17:00"').replace(
        "  - 2027-02-23", "  - 2027-02-30"
    )
    found = broken(text)
    assert (_line(text, "  - 2027-02-30"), "bad_date") in found
    assert any(code == "bad_time" for _, code in found)


def test_queue_names_fit_their_rows_and_hold_no_control_characters():
    text = DEMO_TEXT.replace("    name: 緊急対応\n", f"    name: {'長' * 129}\n").replace(
        "    name: すずかぜ市基幹相談支援センター\n", '    name: "基幹\\0相談"\n'
    )
    found = broken(text)
    assert (_line(text, f"    name: {'長' * 129}"), "too_long") in found
    assert (_line(text, '    name: "基幹\\0相談"'), "control_character") in found
