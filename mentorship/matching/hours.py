"""Working time: when each person works, and how long people share on a typical day."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorship.matching.participants import Participant

SLOT_MINUTES = 15
WEEK_SLOTS = 7 * 24 * 60 // SLOT_MINUTES
FULL_WEEK = (1 << WEEK_SLOTS) - 1
# Working hours are laid on one fixed week, a mid-January Monday to Sunday: no common
# zone changes its clocks in it, so the same hours always give the same overlap.
REFERENCE_MONDAY = dt.date(2024, 1, 15)
WEEK_START = dt.datetime(2024, 1, 15, tzinfo=dt.UTC)


def schedule_key(p: Participant) -> tuple[str, dt.time, dt.time, str]:
    return (p.time_zone, p.work_start, p.work_end, p.working_days)


@functools.lru_cache(maxsize=4096)
def _schedule(
    time_zone: str, start: dt.time, end: dt.time, days: str
) -> tuple[tuple[int, ...], int]:
    """One bitmask of 15-minute UTC slots per working day, and their union for the week.

    The week wraps around, so a Friday night shift in New York or a Monday morning in
    Kolkata (Sunday in UTC) still lands in it. Equal start and end mean round the clock.
    """
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    shifts = []
    for day in sorted({int(ch) for ch in days if ch in "1234567"}):
        date = REFERENCE_MONDAY + dt.timedelta(days=day - 1)
        begin = dt.datetime.combine(date, start, tzinfo=zone)
        finish = dt.datetime.combine(date, end, tzinfo=zone)
        if finish <= begin:
            finish += dt.timedelta(days=1)
        first = round((begin - WEEK_START).total_seconds() / (60 * SLOT_MINUTES))
        last = round((finish - WEEK_START).total_seconds() / (60 * SLOT_MINUTES))
        length = min(max(last - first, 0), WEEK_SLOTS)
        mask = ((1 << length) - 1) << (first % WEEK_SLOTS)
        shifts.append((mask | (mask >> WEEK_SLOTS)) & FULL_WEEK)
    week = 0
    for mask in shifts:
        week |= mask
    return tuple(shifts), week


@functools.lru_cache(maxsize=1 << 17)
def overlap(a: tuple, b: tuple) -> int:
    """Minutes two schedules share on their best common working day."""
    shifts_a, week_a = _schedule(*a)
    shifts_b, week_b = _schedule(*b)
    if not week_a & week_b:
        return 0
    best = 0
    for mask_a in shifts_a:
        # What a day of `a` shares with all of `b`'s week bounds what it shares with one day.
        if (mask_a & week_b).bit_count() > best:
            for mask_b in shifts_b:
                best = max(best, (mask_a & mask_b).bit_count())
    return best * SLOT_MINUTES


@functools.lru_cache(maxsize=4096)
def working_hours(key: tuple) -> tuple[int, ...]:
    """The hours of the reference week (0 to 167, UTC) in which the schedule works at all."""
    week = _schedule(*key)[1]
    per_hour = 60 // SLOT_MINUTES
    block = (1 << per_hour) - 1
    return tuple(h for h in range(7 * 24) if (week >> (h * per_hour)) & block)


def shared_minutes(a: Participant, b: Participant) -> int:
    """Typical weekday overlap in minutes: the best common working day's overlap.

    Computed on a fixed reference week, so daylight-saving changes do not move it.
    """
    return overlap(schedule_key(a), schedule_key(b))


def group_minutes(people: Sequence[Participant]) -> int:
    """Minutes everyone in the group shares on the best day of the first member."""
    first, *others = (_schedule(*schedule_key(p)) for p in people)
    common = FULL_WEEK
    for _, week in others:
        common &= week
    return max(((mask & common).bit_count() for mask in first[0]), default=0) * SLOT_MINUTES
