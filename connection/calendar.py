"""The calendar every app counts in: weeks, quarters and a newcomer's first months.

A week is an ISO week, named by its Monday and run in UTC (the nightly figures,
alerts and evidence all key on that Monday). A quarter is a calendar quarter,
named by its first day (budgets, the mentoring log). Standard library only, so
the pure modules (the matching engine, the evidence statistics) use it too.
"""

from __future__ import annotations

import datetime as dt

# A person is a newcomer for their first three months: buddies are matched to
# them, dashboards follow their time to a first question, and only people past
# this are asked to be someone's buddy.
NEWCOMER_DAYS = 90


def monday(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week.

    A datetime counts as the calendar date it shows in its own zone; take it to
    UTC first for the UTC weeks the figures use.
    """
    if isinstance(day, dt.datetime):
        day = day.date()
    return day - dt.timedelta(days=day.weekday())


def week_bounds(week: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants `week`'s ISO week runs between: its Monday 00:00 UTC, and the next."""
    start = dt.datetime.combine(monday(week), dt.time(0), tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=7)


def quarter_start(day: dt.date) -> dt.date:
    """The first day of `day`'s calendar quarter."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    """The last day of `day`'s calendar quarter."""
    start = quarter_start(day)
    if start.month == 10:
        return dt.date(start.year, 12, 31)
    return dt.date(start.year, start.month + 3, 1) - dt.timedelta(days=1)


def previous_quarter(day: dt.date) -> dt.date:
    """The first day of the quarter before `day`'s."""
    return quarter_start(quarter_start(day) - dt.timedelta(days=1))


def next_quarter(day: dt.date) -> dt.date:
    """The first day of the quarter after `day`'s."""
    return quarter_end(day) + dt.timedelta(days=1)


def quarter_label(day: dt.date) -> str:
    """`day`'s quarter as people say it: "Q4 2026"."""
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"
