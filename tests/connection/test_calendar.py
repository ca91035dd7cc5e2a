import datetime as dt
import zoneinfo

import pytest

from connection.calendar import (
    monday,
    next_quarter,
    previous_quarter,
    quarter_end,
    quarter_label,
    quarter_start,
    week_bounds,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 11, 16), dt.date(2026, 11, 16)),  # a Monday is its own
        (dt.date(2026, 11, 22), dt.date(2026, 11, 16)),  # Sunday ends the ISO week
        (dt.date(2027, 1, 1), dt.date(2026, 12, 28)),  # back across New Year
        (dt.date(2026, 1, 4), dt.date(2025, 12, 29)),  # ISO week 1 of 2026 starts in 2025
        (dt.date(2024, 3, 3), dt.date(2024, 2, 26)),  # through a leap day
    ],
)
def test_monday_of_a_day(day, expected):
    assert monday(day) == expected


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        # The Sunday the clocks go forward, and the Monday after, an hour past midnight.
        (dt.datetime(2026, 3, 29, 23, 30, tzinfo=LONDON), dt.date(2026, 3, 23)),
        (dt.datetime(2026, 3, 30, 0, 30, tzinfo=LONDON), dt.date(2026, 3, 30)),
        # The Sunday the clocks go back, and its repeated hour.
        (dt.datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON), dt.date(2026, 10, 19)),
    ],
)
def test_monday_of_an_instant_is_that_of_the_day_it_shows(local, expected):
    assert monday(local) == expected


def test_monday_of_an_instant_taken_to_utc_is_the_utc_week():
    # 00:30 on Monday in London in summer is still Sunday in UTC: the figures' week is the last.
    local = dt.datetime(2026, 3, 30, 0, 30, tzinfo=LONDON)
    assert monday(local.astimezone(dt.UTC).date()) == dt.date(2026, 3, 23)


@pytest.mark.parametrize("day", [dt.date(2026, 3, 25), dt.date(2026, 10, 28)])
def test_a_week_with_a_clock_change_is_seven_whole_utc_days(day):
    start, end = week_bounds(day)
    assert start == dt.datetime.combine(monday(day), dt.time(0), tzinfo=dt.UTC)
    assert end - start == dt.timedelta(days=7)


def test_week_bounds_across_new_year():
    assert week_bounds(dt.date(2027, 1, 1)) == (
        dt.datetime(2026, 12, 28, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 4, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2026, 3, 31), "Q1 2026"),
        (dt.date(2024, 2, 29), dt.date(2024, 1, 1), dt.date(2024, 3, 31), "Q1 2024"),
        (dt.date(2026, 6, 30), dt.date(2026, 4, 1), dt.date(2026, 6, 30), "Q2 2026"),
        (dt.date(2026, 7, 1), dt.date(2026, 7, 1), dt.date(2026, 9, 30), "Q3 2026"),
        (dt.date(2026, 11, 16), dt.date(2026, 10, 1), dt.date(2026, 12, 31), "Q4 2026"),
        (dt.date(2026, 12, 31), dt.date(2026, 10, 1), dt.date(2026, 12, 31), "Q4 2026"),
    ],
)
def test_a_day_s_quarter(day, start, end, label):
    assert quarter_start(day) == start
    assert quarter_end(day) == end
    assert quarter_label(day) == label


def test_quarters_step_across_year_ends():
    assert next_quarter(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert next_quarter(dt.date(2026, 10, 1)) == dt.date(2027, 1, 1)
    assert previous_quarter(dt.date(2027, 1, 1)) == dt.date(2026, 10, 1)
    assert previous_quarter(dt.date(2027, 3, 31)) == dt.date(2026, 10, 1)
    assert next_quarter(dt.date(2026, 2, 14)) == dt.date(2026, 4, 1)
    assert previous_quarter(dt.date(2026, 5, 20)) == dt.date(2026, 1, 1)


def test_every_day_of_a_leap_year_falls_in_a_quarter_that_holds_it():
    day = dt.date(2024, 1, 1)
    while day.year == 2024:
        assert quarter_start(day) <= day <= quarter_end(day)
        assert next_quarter(day) == quarter_end(day) + dt.timedelta(days=1)
        day += dt.timedelta(days=1)
