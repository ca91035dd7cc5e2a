"""A ritual's repeat rule: the part of RFC 5545 Hearth supports, read, checked
and said in words. Plain Python; the models, forms and views all read rules through it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule
from dateutil.rrule import weekdays as rrule_weekdays
from django.core.exceptions import ValidationError

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
WORKING_DAYS = WEEKDAYS[:5]
FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY}
# The longest INTERVAL of each frequency that still meets at least once a year.
MAX_INTERVAL = {"DAILY": 365, "WEEKLY": 52, "MONTHLY": 12}
# Positions that exist in every month: the first to fourth, the last to fourth-from-last.
MONTH_POSITIONS = (1, 2, 3, 4, -1, -2, -3, -4)
ORDINALS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    -1: "last",
    -2: "second-to-last",
    -3: "third-to-last",
    -4: "fourth-to-last",
}
RULE_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "WKST")
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?([A-Z]{2})")
_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")


def _join(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _day_of_month(day: int) -> str:
    if day < 0:
        return f"the {ORDINALS.get(day) or _nth(-day) + '-to-last'} day"
    return f"the {_nth(day)}"


def _nth(number: int) -> str:
    teens = 10 <= number % 100 <= 20
    suffix = "th" if teens else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class Recurrence:
    """A ritual's repeat rule: the part of RFC 5545 Hearth supports, read and checked.

    The subset is what bounds a rule. No part names a time of day, so a rule meets
    at most once a day (at the ritual's start time). Every period of a rule (a day,
    a week, a month) holds a day it meets, and INTERVAL spans at most a year, so it
    meets at least once a year and dateutil never scans years of empty periods
    looking for a match (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 searched to year 9999).
    """

    freq: str
    interval: int = 1
    weekdays: tuple[tuple[int | None, str], ...] = ()  # (position in the month, MO..SU)
    monthdays: tuple[int, ...] = ()
    positions: tuple[int, ...] = ()  # BYSETPOS
    week_start: str = "MO"

    @classmethod
    def parse(cls, value: str) -> Recurrence:
        """Read a rule body such as FREQ=WEEKLY;BYDAY=TU; a ValidationError names the problem."""
        text = value.strip()
        if text.upper().startswith("RRULE:"):
            text = text[len("RRULE:") :]
        if not text or not text.isprintable() or ":" in text:
            raise ValidationError("Write a rule like FREQ=WEEKLY;BYDAY=TU, without DTSTART.")
        parts: dict[str, str] = {}
        for piece in filter(None, text.upper().split(";")):
            name, equals, data = (word.strip() for word in piece.partition("="))
            if not equals or not name or not data:
                raise ValidationError(
                    f"“{piece}” is not a rule part: write NAME=VALUE, as in BYDAY=TU."
                )
            if name in parts:
                raise ValidationError(f"{name} appears twice in the rule.")
            parts[name] = data
        for name in parts:
            if name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
                raise ValidationError(
                    f"{name} is not supported: a ritual meets at most once a day, "
                    "at its start time."
                )
            if name in ("COUNT", "UNTIL"):
                raise ValidationError(
                    f"{name} is not supported: a ritual runs until its team retires it."
                )
            if name not in RULE_PARTS:
                raise ValidationError(
                    f"{name} is not supported. A rule may use {_join(list(RULE_PARTS))}."
                )
        freq = parts.get("FREQ")
        if freq in ("SECONDLY", "MINUTELY", "HOURLY"):
            raise ValidationError(f"A ritual repeats at most daily: FREQ={freq} is not supported.")
        if freq == "YEARLY":
            raise ValidationError(
                "FREQ=YEARLY is not supported: for once a year, write "
                "FREQ=MONTHLY;INTERVAL=12 with the day, as in BYDAY=1MO."
            )
        if freq not in FREQUENCIES:
            raise ValidationError(
                f"“{value}” is not a valid recurrence rule: it starts with FREQ=DAILY, "
                "FREQ=WEEKLY or FREQ=MONTHLY."
            )
        return cls(
            freq=freq,
            interval=cls._interval(freq, parts.get("INTERVAL", "1")),
            weekdays=cls._weekdays(freq, parts.get("BYDAY")),
            monthdays=cls._numbers(freq, "BYMONTHDAY", parts.get("BYMONTHDAY")),
            positions=cls._numbers(freq, "BYSETPOS", parts.get("BYSETPOS")),
            week_start=cls._week_start(parts.get("WKST", "MO")),
        )._checked()

    @staticmethod
    def _interval(freq: str, data: str) -> int:
        longest = MAX_INTERVAL[freq]
        if not _NUMBER.fullmatch(data) or not 1 <= int(data) <= longest:
            raise ValidationError(
                f"INTERVAL is a whole number from 1 to {longest} in a {freq.lower()} rule, "
                "so that the ritual meets at least once a year."
            )
        return int(data)

    @staticmethod
    def _weekdays(freq: str, data: str | None) -> tuple[tuple[int | None, str], ...]:
        weekdays = []
        for item in (data or "").split(",") if data is not None else ():
            match = _BYDAY.fullmatch(item.strip())
            if not match or match[2] not in WEEKDAYS or match[1] in ("0", "+0", "-0"):
                raise ValidationError(
                    f"BYDAY lists weekdays such as MO,TU (or 1MO for the first Monday "
                    f"of the month); “{item}” is not one."
                )
            position = int(match[1]) if match[1] else None
            if position is not None and freq != "MONTHLY":
                raise ValidationError(
                    f"BYDAY={item} needs FREQ=MONTHLY: a {freq.lower()} rule lists plain "
                    "weekdays (MO, TU, …)."
                )
            if position is not None and position not in MONTH_POSITIONS:
                raise ValidationError(
                    f"BYDAY={item}: only the first to fourth (1 to 4) or the last to "
                    "fourth-from-last (-1 to -4) weekday is in every month."
                )
            if (position, match[2]) not in weekdays:
                weekdays.append((position, match[2]))
        return tuple(weekdays)

    @staticmethod
    def _numbers(freq: str, name: str, data: str | None) -> tuple[int, ...]:
        if data is None:
            return ()
        if freq != "MONTHLY":
            raise ValidationError(f"{name} needs FREQ=MONTHLY.")
        numbers = []
        for item in data.split(","):
            item = item.strip()
            number = int(item) if _NUMBER.fullmatch(item) else 0
            if name == "BYMONTHDAY" and not 1 <= abs(number) <= 28:
                raise ValidationError(
                    f"BYMONTHDAY={item}: use 1 to 28, or -1 (the last day) to -28; "
                    "later days are missing from some months."
                )
            if name == "BYSETPOS" and number not in MONTH_POSITIONS:
                raise ValidationError(
                    f"BYSETPOS={item}: use 1 to 4, or -1 (the last) to -4, so that "
                    "every month has one."
                )
            if number not in numbers:
                numbers.append(number)
        return tuple(numbers)

    @staticmethod
    def _week_start(data: str) -> str:
        if data not in WEEKDAYS:
            raise ValidationError("WKST is one weekday, MO to SU.")
        return data

    def _checked(self) -> Recurrence:
        """Combinations whose periods could hold no day the rule meets."""
        if self.freq == "DAILY" and self.weekdays and self.interval > 1:
            raise ValidationError(
                "A daily rule with an INTERVAL cannot also pick weekdays (the two may "
                "never meet); use FREQ=WEEKLY;INTERVAL=… with BYDAY instead."
            )
        if self.freq == "MONTHLY" and not (self.weekdays or self.monthdays):
            raise ValidationError(
                "Say which day of the month: BYDAY=1MO for the first Monday, "
                "or BYMONTHDAY=15 for the 15th."
            )
        positioned = {position is not None for position, _ in self.weekdays}
        if len(positioned) == 2:
            # RFC 5545 reads these as "either", dateutil as "both", which may never meet.
            raise ValidationError(
                "BYDAY mixes plain weekdays with positions (as in MO,1FR): "
                "use either plain weekdays or positions."
            )
        if self.weekdays and self.monthdays:
            raise ValidationError(
                "Use BYDAY or BYMONTHDAY, not both: together they may not meet for years."
            )
        if self.positions and (not self.weekdays or any(position for position, _ in self.weekdays)):
            raise ValidationError(
                "BYSETPOS picks among plain weekdays in BYDAY, as in "
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 (the last working day)."
            )
        return self

    def __str__(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.weekdays:
            days = ",".join(f"{position or ''}{day}" for position, day in self.weekdays)
            parts.append(f"BYDAY={days}")
        if self.monthdays:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.monthdays)))
        if self.positions:
            parts.append("BYSETPOS=" + ",".join(map(str, self.positions)))
        if self.week_start != "MO":
            parts.append(f"WKST={self.week_start}")
        return ";".join(parts)

    def expand(self, dtstart: dt.datetime) -> rrule:
        """The dateutil rule from `dtstart`, a naive local wall-clock time."""
        return rrule(
            FREQUENCIES[self.freq],
            dtstart=dtstart,
            interval=self.interval,
            byweekday=[
                rrule_weekdays[WEEKDAYS.index(day)](position) for position, day in self.weekdays
            ]
            or None,
            bymonthday=self.monthdays or None,
            bysetpos=self.positions or None,
            wkst=WEEKDAYS.index(self.week_start),
        )

    def describe(self) -> str:
        """In words: "Every Tuesday and Thursday", "Monthly on the first Monday"."""
        days = sorted({day for _, day in self.weekdays}, key=WEEKDAYS.index)
        if self.freq != "MONTHLY":
            unit = "day" if self.freq == "DAILY" else "week"
            if days:  # a daily rule with weekdays has an INTERVAL of 1
                return _every_weekday(days, self.interval)
            return f"Every {unit}" if self.interval == 1 else f"Every {self.interval} {unit}s"
        period = "Monthly" if self.interval == 1 else f"Every {self.interval} months"
        if self.monthdays:
            days_of_month = sorted(self.monthdays, key=_from_the_start)
            return f"{period} on {_join([_day_of_month(day) for day in days_of_month])}"
        if self.positions:
            ordinals = _join([ORDINALS[p] for p in sorted(self.positions, key=_from_the_start)])
            return f"{period} on the {ordinals} " + (
                "working day"
                if tuple(days) == WORKING_DAYS
                else "day"
                if len(days) == len(WEEKDAYS)
                else _join([WEEKDAY_NAMES[day] for day in days], "or")
            )
        if self.weekdays[0][0] is None:  # plain weekdays (never mixed with positions)
            if self.interval == 1:
                return _every_weekday(days, 1)
            return f"{period}, every {_join([WEEKDAY_NAMES[day] for day in days])}"
        weekdays = sorted(self.weekdays, key=lambda item: (_from_the_start(item[0]), item[1]))
        if len(days) == 1:
            ordinals = [ORDINALS[position] for position, _ in weekdays]
            return f"{period} on the {_join(ordinals)} {WEEKDAY_NAMES[days[0]]}"
        phrases = [f"the {ORDINALS[position]} {WEEKDAY_NAMES[day]}" for position, day in weekdays]
        return f"{period} on {_join(phrases)}"


def _from_the_start(position: int) -> tuple[bool, int]:
    """Order 1, 2, …, then -4, …, -1: the way they fall in a month."""
    return (position < 0, position)


def _every_weekday(days: list[str], weeks: int) -> str:
    """ "Every Tuesday and Thursday", "Every 2 weeks on Friday", "Every working day"."""
    if len(days) == len(WEEKDAYS):
        return "Every day" if weeks == 1 else f"Every {weeks} weeks, every day"
    if tuple(days) == WORKING_DAYS:
        return "Every working day" if weeks == 1 else f"Every {weeks} weeks, Monday to Friday"
    names = _join([WEEKDAY_NAMES[day] for day in days])
    return f"Every {names}" if weeks == 1 else f"Every {weeks} weeks on {names}"
