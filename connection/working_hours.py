"""When a person can be reached: their working days and hours, in their own
zone, less the days they are away. The nudge outbox asks this both when it
writes a nudge meant for "the morning" and when it delivers one."""

from __future__ import annotations

import datetime as dt

from connection.models import User


def _away_dates(person: User, periods=None) -> list[tuple[dt.date, dt.date]]:
    periods = person.away_periods.all() if periods is None else periods
    return [(p.starts_on, p.ends_on) for p in periods]


def is_away(local_day: dt.date, away: list[tuple[dt.date, dt.date]]) -> bool:
    return any(start <= local_day <= end for start, end in away)


def next_working_start(
    person: User, after: dt.datetime, *, away=None, strictly_new_day: bool = False
) -> dt.datetime | None:
    """The first instant at or after `after` inside the person's working hours.

    With `strictly_new_day`, the start of the next working day that begins
    after `after` ("the morning"). Days they are away are passed over. None
    when nothing fits in the next four weeks.
    """
    away = _away_dates(person, away) if not isinstance(away, list) else away
    zone = person.zone
    local = after.astimezone(zone)
    for offset in range(-1, 29):
        day = local.date() + dt.timedelta(days=offset)
        if str(day.isoweekday()) not in person.working_days or is_away(day, away):
            continue
        start = dt.datetime.combine(day, person.work_start, tzinfo=zone)
        end_day = day if person.work_end > person.work_start else day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, person.work_end, tzinfo=zone)
        if start > after:
            return start.astimezone(dt.UTC)
        # The same rule as User.is_working_at, so the two never disagree
        # (a shift ending inside a daylight-saving gap, say).
        if not strictly_new_day and start <= after < end and person.is_working_at(after):
            return after
    return None
