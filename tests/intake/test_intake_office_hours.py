"""Office hours: open/closed, next opening and expected reply across nights, weekends,
holidays and the year-end closure, in Asia/Tokyo, returned in UTC."""

from datetime import UTC, date, datetime, time

import pytest

from intake.errors import InvalidConfig
from intake.office_hours import TOKYO, OfficeHours, format_moment


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def hours() -> OfficeHours:
    return OfficeHours.from_config({
        "weekly": {d: ["08:30-12:00", "13:00-17:15"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2025-11-03", "2026-01-12"],
        "annual_closures": ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"],
    })


def test_open_and_closed_moments(hours):
    assert hours.is_open(jst(2025, 6, 2, 8, 30))  # opening minute counts
    assert not hours.is_open(jst(2025, 6, 2, 8, 29))
    assert not hours.is_open(jst(2025, 6, 2, 12, 30))  # lunch break
    assert not hours.is_open(jst(2025, 6, 2, 17, 15))  # closing minute does not
    assert not hours.is_open(jst(2025, 6, 7, 10, 0))  # Saturday
    assert not hours.is_open(jst(2025, 11, 3, 10, 0))  # 文化の日
    assert not hours.is_open(jst(2025, 12, 30, 10, 0))  # 年末年始 (a Tuesday)


def test_is_open_reads_tokyo_time_from_utc(hours):
    # 00:00 UTC is 09:00 in Tokyo on the same Monday.
    assert hours.is_open(datetime(2025, 6, 2, 0, 0, tzinfo=UTC))


def test_next_opening_is_now_when_open_and_returned_in_utc(hours):
    now = jst(2025, 6, 2, 10, 0)
    assert hours.next_opening(now) == now
    assert hours.next_opening(now).tzinfo == UTC


def test_next_opening_after_night_weekend_and_lunch(hours):
    assert hours.next_opening(jst(2025, 6, 2, 20, 0)) == jst(2025, 6, 3, 8, 30)
    assert hours.next_opening(jst(2025, 6, 6, 18, 0)) == jst(2025, 6, 9, 8, 30)  # Friday -> Monday
    assert hours.next_opening(jst(2025, 6, 2, 12, 10)) == jst(2025, 6, 2, 13, 0)


def test_next_opening_skips_a_holiday_monday(hours):
    assert hours.next_opening(jst(2025, 11, 1, 9, 0)) == jst(2025, 11, 4, 8, 30)


def test_next_opening_skips_the_whole_year_end(hours):
    # 12/26 (Fri) evening -> 12/29..1/3 closed, 1/4 is a Sunday -> Monday 1/5.
    assert hours.next_opening(jst(2025, 12, 26, 18, 0)) == jst(2026, 1, 5, 8, 30)


def test_expected_reply_counts_office_time_only(hours):
    # 2h from 11:00 Monday: one hour before lunch, one after.
    assert hours.expected_reply_by(jst(2025, 6, 2, 11, 0), 2) == jst(2025, 6, 2, 14, 0)
    # 1h from Friday 16:45: 30 minutes on Friday, 30 on Monday.
    assert hours.expected_reply_by(jst(2025, 6, 6, 16, 45), 1) == jst(2025, 6, 9, 9, 0)
    # From a night, the clock starts at the next opening.
    assert hours.expected_reply_by(jst(2025, 6, 2, 23, 0), 0.5) == jst(2025, 6, 3, 9, 0)


def test_expected_reply_over_year_end_and_a_holiday(hours):
    # A full office day is 7h45m; 8h from 12/28 lands on 1/5 + 8h -> 1/6 08:45.
    assert hours.expected_reply_by(jst(2025, 12, 28, 12, 0), 8) == jst(2026, 1, 6, 8, 45)
    # Friday 1/9 17:00 + 1h: 15 min on Friday, 1/12 成人の日 closed -> Tuesday 9:15.
    assert hours.expected_reply_by(jst(2026, 1, 9, 17, 0), 1) == jst(2026, 1, 13, 9, 15)


def test_expected_reply_with_zero_target_is_the_next_opening(hours):
    assert hours.expected_reply_by(jst(2025, 6, 7, 10, 0), 0) == jst(2025, 6, 9, 8, 30)


def test_display_rounds_up_to_the_hour_but_not_past_closing(hours):
    assert hours.display_reply_by(jst(2025, 6, 3, 9, 5)) == "6月3日（火）10時"
    assert hours.display_reply_by(jst(2025, 6, 3, 10, 0)) == "6月3日（火）10時"
    assert hours.display_reply_by(jst(2025, 6, 3, 16, 50)) == "6月3日（火）17時"
    assert hours.display_reply_by(jst(2025, 6, 3, 17, 5)) == "6月3日（火）17時15分"
    assert hours.display_reply_by(jst(2025, 6, 3, 11, 40)) == "6月3日（火）12時"
    assert format_moment(datetime(2025, 6, 2, 23, 30, tzinfo=UTC)) == "6月3日（火）8時30分"


def test_describe_groups_weekdays_and_names_closures(hours):
    assert hours.describe() == "月〜金 8:30〜12:00、13:00〜17:15（祝日・年末年始を除く）"


@pytest.mark.parametrize("config, fragment", [
    ({"weekly": {}}, "never open"),
    ({"weekly": {"mon": ["17:00-09:00"]}}, "ends before"),
    ({"weekly": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "overlap"),
    ({"weekly": {"monday": ["09:00-12:00"]}}, "unknown weekday"),
    ({"weekly": {"mon": ["9-12"]}}, "HH:MM"),
    ({"weekly": {"mon": ["09:00-12:00"]}, "holidays": ["2025-13-01"]}, "bad holiday"),
    ({"weekly": {"mon": ["09:00-12:00"]}, "annual_closures": ["02-30"]}, "bad annual closure"),
])
def test_bad_office_hours_are_rejected_with_a_clear_error(config, fragment):
    with pytest.raises(InvalidConfig, match=fragment):
        OfficeHours.from_config(config)


def test_naive_times_are_rejected(hours):
    with pytest.raises(InvalidConfig):
        hours.is_open(datetime(2025, 6, 2, 10, 0))


def test_a_calendar_that_never_opens_again_fails_instead_of_looping():
    first = date(2025, 6, 1).toordinal()
    closed_all_year = OfficeHours(weekly={0: ((time(9), time(17)),)},
                                  holidays=frozenset(date.fromordinal(first + i) for i in range(800)))
    with pytest.raises(InvalidConfig, match="do not open"):
        closed_all_year.next_opening(jst(2025, 6, 2, 10, 0))


def test_negative_target_is_rejected(hours):
    with pytest.raises(InvalidConfig):
        hours.expected_reply_by(jst(2025, 6, 2, 10, 0), -1)
