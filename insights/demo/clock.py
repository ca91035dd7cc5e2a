"""The demo's history happens through the app's own services, each call made at the
moment it happened: `at(moment)` sets the clock every service reads (timezone.now,
auto_now_add stamps, nudges' due times, signals' times) for the calls inside it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine

from connection.models import User


@contextmanager
def at(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Run the block as if it were `moment` (clock stopped; an outer pinned time,
    such as a test's, comes back afterwards). Given as a timestamp: a datetime in a
    named zone would make time-machine change the process's TZ as well."""
    with time_machine.travel(moment.timestamp(), tick=False):
        yield moment


def local(person: User, day: dt.date, hour: float) -> dt.datetime:
    """`hour` o'clock (10.5 is 10:30) on `day` in `person`'s time zone, in UTC."""
    minutes = round(hour * 60)
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=zoneinfo.ZoneInfo(person.time_zone))
    return (moment + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


def weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    """Monday to Friday from `first` to `last`, both included."""
    days = (last - first).days + 1
    return [d for d in (first + dt.timedelta(days=n) for n in range(days)) if d.weekday() < 5]
