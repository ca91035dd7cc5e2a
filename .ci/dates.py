"""The instants CI runs the suite at (HEARTH_TEST_NOW), one `label instant` a line.

Every instant lies ahead of the real clock: the browser tests drive Chromium on
the real clock against a live server on the pinned one, and a session cookie
set at an instant in the real past would already have expired for the browser.
Computed from the real date, so CI keeps testing the risky days year after year.

    .ci/dates.py                              # from now
    .ci/dates.py --after 2026-12-02T15:20Z    # from a given instant
    .ci/dates.py europe us                    # only the labels starting so
"""

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from zoneinfo import ZoneInfo

# The EU switches all its zones at the same UTC instant (01:00 UTC), so Berlin
# stands for Lisbon and London too; New York for the US (02:00 local).
EUROPE = ZoneInfo("Europe/Berlin")
AMERICA = ZoneInfo("America/New_York")
# Half an hour after a switch: after spring-forward the local hour that did not
# exist is just behind; after fall-back the local clock is in the repeated hour
# for the second time (fold=1), the one a naive local time maps back wrongly.
AFTER_SWITCH = dt.timedelta(minutes=30)
HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)


def dst_switches(zone: ZoneInfo, after: dt.datetime) -> Iterator[tuple[dt.datetime, bool]]:
    """The UTC instants, after `after`, where `zone` changes its offset, with
    True for a spring-forward (the offset grows)."""
    hour = after.replace(minute=0, second=0, microsecond=0)
    for _ in range(24 * 366 * 3):
        offset = hour.astimezone(zone).utcoffset()
        next_offset = (hour + HOUR).astimezone(zone).utcoffset()
        if offset != next_offset:
            # Bisect to the second: the first instant carrying the new offset.
            low, high = hour, hour + HOUR
            while high - low > SECOND:
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            if high > after:
                yield high, next_offset > offset
        hour += HOUR


def risky_instants(after: dt.datetime) -> list[tuple[str, dt.datetime]]:
    europe_switch, europe_spring = next(dst_switches(EUROPE, after))
    # The US switch in the other direction from Europe's next one, so the dates
    # always cover both a spring-forward and a fall-back.
    america_switch = next(
        switch for switch, spring in dst_switches(AMERICA, after) if spring != europe_spring
    )

    new_year = dt.datetime(after.year, 12, 31, 23, 30, tzinfo=dt.UTC)
    if new_year <= after:
        new_year = new_year.replace(year=after.year + 1)

    year = after.year
    # Noon UTC: 29 February in every persona zone (New York to Kolkata).
    while not _leap_noon(year) or _leap_noon(year) <= after:
        year += 1
    leap_day = _leap_noon(year)

    monday = dt.datetime.combine(after.date(), dt.time(0, 5), tzinfo=dt.UTC)
    monday += dt.timedelta(days=-monday.weekday() % 7)
    if monday <= after:
        monday += dt.timedelta(weeks=1)

    return [
        ("europe-" + ("spring" if europe_spring else "autumn"), europe_switch + AFTER_SWITCH),
        ("us-" + ("autumn" if europe_spring else "spring"), america_switch + AFTER_SWITCH),
        ("new-year-eve", new_year),
        ("leap-day", leap_day),
        ("monday", monday),
    ]


def _leap_noon(year: int) -> dt.datetime | None:
    try:
        return dt.datetime(year, 2, 29, 12, tzinfo=dt.UTC)
    except ValueError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--after",
        type=dt.datetime.fromisoformat,
        default=dt.datetime.now(dt.UTC),
        help="an ISO instant with its offset (default: now)",
    )
    parser.add_argument("labels", nargs="*", help="only the instants whose label starts so")
    args = parser.parse_args()
    after = args.after
    if after.tzinfo is None:
        sys.exit("--after needs an offset, e.g. 2026-12-02T15:20Z")
    for label, instant in risky_instants(after.astimezone(dt.UTC)):
        if not args.labels or label.startswith(tuple(args.labels)):
            print(label, instant.isoformat().replace("+00:00", "Z"))


if __name__ == "__main__":
    main()
