"""A ritual's repeat rule: the part of RFC 5545 Hearth supports, read, checked
and said in words. Plain Python; the models, forms and views all read rules through it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule
from dateutil.rrule import weekdays as rrule_weekdays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = dict(
    zip(
        WEEKDAYS,
        (
            gettext_lazy("Monday"),
            gettext_lazy("Tuesday"),
            gettext_lazy("Wednesday"),
            gettext_lazy("Thursday"),
            gettext_lazy("Friday"),
            gettext_lazy("Saturday"),
            gettext_lazy("Sunday"),
        ),
        strict=True,
    )
)
WORKING_DAYS = WEEKDAYS[:5]
FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY}
# The longest INTERVAL of each frequency that still meets at least once a year.
MAX_INTERVAL = {"DAILY": 365, "WEEKLY": 52, "MONTHLY": 12}
# Positions that exist in every month: the first to fourth, the last to fourth-from-last.
MONTH_POSITIONS = (1, 2, 3, 4, -1, -2, -3, -4)
# As in "on the first Monday" (German: "am ersten Montag").
ORDINALS = {
    1: pgettext_lazy("on the … Monday", "first"),
    2: pgettext_lazy("on the … Monday", "second"),
    3: pgettext_lazy("on the … Monday", "third"),
    4: pgettext_lazy("on the … Monday", "fourth"),
    -1: pgettext_lazy("on the … Monday", "last"),
    -2: pgettext_lazy("on the … Monday", "second-to-last"),
    -3: pgettext_lazy("on the … Monday", "third-to-last"),
    -4: pgettext_lazy("on the … Monday", "fourth-to-last"),
}
# "INTERVAL is a whole number from 1 to …": said of each frequency.
INTERVAL_LIMITS = {
    "DAILY": gettext_lazy(
        "INTERVAL is a whole number from 1 to %(longest)s in a daily rule, "
        "so that the ritual meets at least once a year."
    ),
    "WEEKLY": gettext_lazy(
        "INTERVAL is a whole number from 1 to %(longest)s in a weekly rule, "
        "so that the ritual meets at least once a year."
    ),
    "MONTHLY": gettext_lazy(
        "INTERVAL is a whole number from 1 to %(longest)s in a monthly rule, "
        "so that the ritual meets at least once a year."
    ),
}
PLAIN_WEEKDAYS_ONLY = {
    "DAILY": gettext_lazy(
        "BYDAY=%(item)s needs FREQ=MONTHLY: a daily rule lists plain weekdays (MO, TU, …)."
    ),
    "WEEKLY": gettext_lazy(
        "BYDAY=%(item)s needs FREQ=MONTHLY: a weekly rule lists plain weekdays (MO, TU, …)."
    ),
}
RULE_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "WKST")
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?([A-Z]{2})")
_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")


def _join(words: list, last: str | None = None) -> str:
    """ "a, b and c" (or "a, b or c" with `last` "or"), in the language spoken."""
    words = [str(word) for word in words]
    if len(words) == 1:
        return words[0]
    return _("%(some)s %(last)s %(final)s") % {
        "some": ", ".join(words[:-1]),
        "last": last or _("and"),
        "final": words[-1],
    }


def _day_of_month(day: int) -> str:
    if day in ORDINALS and day < 0:
        return _("the %(ordinal)s day") % {"ordinal": ORDINALS[day]}
    if day < 0:
        return _("the %(nth)s-to-last day") % {"nth": _nth(-day)}
    return _("the %(nth)s") % {"nth": _nth(day)}


def _nth(number: int) -> str:
    """ "1st", "22nd" (German: "1.", "22.")."""
    teens = 10 <= number % 100 <= 20
    ending = 4 if teens else number % 10
    if ending == 1:
        return _("%(number)sst") % {"number": number}
    if ending == 2:
        return _("%(number)snd") % {"number": number}
    if ending == 3:
        return _("%(number)srd") % {"number": number}
    return _("%(number)sth") % {"number": number}


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
            raise ValidationError(_("Write a rule like FREQ=WEEKLY;BYDAY=TU, without DTSTART."))
        parts: dict[str, str] = {}
        for piece in filter(None, text.upper().split(";")):
            name, equals, data = (word.strip() for word in piece.partition("="))
            if not equals or not name or not data:
                raise ValidationError(
                    _("“%(piece)s” is not a rule part: write NAME=VALUE, as in BYDAY=TU.")
                    % {"piece": piece}
                )
            if name in parts:
                raise ValidationError(_("%(name)s appears twice in the rule.") % {"name": name})
            parts[name] = data
        for name in parts:
            if name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
                raise ValidationError(
                    _(
                        "%(name)s is not supported: a ritual meets at most once a day, "
                        "at its start time."
                    )
                    % {"name": name}
                )
            if name in ("COUNT", "UNTIL"):
                raise ValidationError(
                    _("%(name)s is not supported: a ritual runs until its team retires it.")
                    % {"name": name}
                )
            if name not in RULE_PARTS:
                raise ValidationError(
                    _("%(name)s is not supported. A rule may use %(parts)s.")
                    % {"name": name, "parts": _join(list(RULE_PARTS))}
                )
        freq = parts.get("FREQ")
        if freq in ("SECONDLY", "MINUTELY", "HOURLY"):
            raise ValidationError(
                _("A ritual repeats at most daily: FREQ=%(freq)s is not supported.")
                % {"freq": freq}
            )
        if freq == "YEARLY":
            raise ValidationError(
                _(
                    "FREQ=YEARLY is not supported: for once a year, write "
                    "FREQ=MONTHLY;INTERVAL=12 with the day, as in BYDAY=1MO."
                )
            )
        if freq not in FREQUENCIES:
            raise ValidationError(
                _(
                    "“%(value)s” is not a valid recurrence rule: it starts with FREQ=DAILY, "
                    "FREQ=WEEKLY or FREQ=MONTHLY."
                )
                % {"value": value}
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
            raise ValidationError(str(INTERVAL_LIMITS[freq]) % {"longest": longest})
        return int(data)

    @staticmethod
    def _weekdays(freq: str, data: str | None) -> tuple[tuple[int | None, str], ...]:
        weekdays = []
        for item in (data or "").split(",") if data is not None else ():
            match = _BYDAY.fullmatch(item.strip())
            if not match or match[2] not in WEEKDAYS or match[1] in ("0", "+0", "-0"):
                raise ValidationError(
                    _(
                        "BYDAY lists weekdays such as MO,TU (or 1MO for the first Monday "
                        "of the month); “%(item)s” is not one."
                    )
                    % {"item": item}
                )
            position = int(match[1]) if match[1] else None
            if position is not None and freq != "MONTHLY":
                raise ValidationError(str(PLAIN_WEEKDAYS_ONLY[freq]) % {"item": item})
            if position is not None and position not in MONTH_POSITIONS:
                raise ValidationError(
                    _(
                        "BYDAY=%(item)s: only the first to fourth (1 to 4) or the last to "
                        "fourth-from-last (-1 to -4) weekday is in every month."
                    )
                    % {"item": item}
                )
            if (position, match[2]) not in weekdays:
                weekdays.append((position, match[2]))
        return tuple(weekdays)

    @staticmethod
    def _numbers(freq: str, name: str, data: str | None) -> tuple[int, ...]:
        if data is None:
            return ()
        if freq != "MONTHLY":
            raise ValidationError(_("%(name)s needs FREQ=MONTHLY.") % {"name": name})
        numbers = []
        for item in data.split(","):
            item = item.strip()
            number = int(item) if _NUMBER.fullmatch(item) else 0
            if name == "BYMONTHDAY" and not 1 <= abs(number) <= 28:
                raise ValidationError(
                    _(
                        "BYMONTHDAY=%(item)s: use 1 to 28, or -1 (the last day) to -28; "
                        "later days are missing from some months."
                    )
                    % {"item": item}
                )
            if name == "BYSETPOS" and number not in MONTH_POSITIONS:
                raise ValidationError(
                    _(
                        "BYSETPOS=%(item)s: use 1 to 4, or -1 (the last) to -4, so that "
                        "every month has one."
                    )
                    % {"item": item}
                )
            if number not in numbers:
                numbers.append(number)
        return tuple(numbers)

    @staticmethod
    def _week_start(data: str) -> str:
        if data not in WEEKDAYS:
            raise ValidationError(_("WKST is one weekday, MO to SU."))
        return data

    def _checked(self) -> Recurrence:
        """Combinations whose periods could hold no day the rule meets."""
        if self.freq == "DAILY" and self.weekdays and self.interval > 1:
            raise ValidationError(
                _(
                    "A daily rule with an INTERVAL cannot also pick weekdays (the two may "
                    "never meet); use FREQ=WEEKLY;INTERVAL=… with BYDAY instead."
                )
            )
        if self.freq == "MONTHLY" and not (self.weekdays or self.monthdays):
            raise ValidationError(
                _(
                    "Say which day of the month: BYDAY=1MO for the first Monday, "
                    "or BYMONTHDAY=15 for the 15th."
                )
            )
        positioned = {position is not None for position, _ in self.weekdays}
        if len(positioned) == 2:
            # RFC 5545 reads these as "either", dateutil as "both", which may never meet.
            raise ValidationError(
                _(
                    "BYDAY mixes plain weekdays with positions (as in MO,1FR): "
                    "use either plain weekdays or positions."
                )
            )
        if self.weekdays and self.monthdays:
            raise ValidationError(
                _("Use BYDAY or BYMONTHDAY, not both: together they may not meet for years.")
            )
        if self.positions and (not self.weekdays or any(position for position, _ in self.weekdays)):
            raise ValidationError(
                _(
                    "BYSETPOS picks among plain weekdays in BYDAY, as in "
                    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 (the last working day)."
                )
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
        n = {"n": self.interval}
        if self.freq != "MONTHLY":
            if days:  # a daily rule with weekdays has an INTERVAL of 1
                return _every_weekday(days, self.interval)
            if self.freq == "DAILY":
                return _("Every day") if self.interval == 1 else _("Every %(n)s days") % n
            return _("Every week") if self.interval == 1 else _("Every %(n)s weeks") % n
        period = _("Monthly") if self.interval == 1 else _("Every %(n)s months") % n
        if self.monthdays:
            days_of_month = sorted(self.monthdays, key=_from_the_start)
            dates = _join([_day_of_month(day) for day in days_of_month])
            return _("%(period)s on %(dates)s") % {"period": period, "dates": dates}
        if self.positions:
            ordinals = _join([ORDINALS[p] for p in sorted(self.positions, key=_from_the_start)])
            said = {"period": period, "ordinals": ordinals}
            if tuple(days) == WORKING_DAYS:
                return _("%(period)s on the %(ordinals)s working day") % said
            if len(days) == len(WEEKDAYS):
                return _("%(period)s on the %(ordinals)s day") % said
            said["days"] = _join([WEEKDAY_NAMES[day] for day in days], _("or"))
            return _("%(period)s on the %(ordinals)s %(days)s") % said
        if self.weekdays[0][0] is None:  # plain weekdays (never mixed with positions)
            if self.interval == 1:
                return _every_weekday(days, 1)
            return _("%(period)s, every %(days)s") % {
                "period": period,
                "days": _join([WEEKDAY_NAMES[day] for day in days]),
            }
        weekdays = sorted(self.weekdays, key=lambda item: (_from_the_start(item[0]), item[1]))
        if len(days) == 1:
            return _("%(period)s on the %(ordinals)s %(days)s") % {
                "period": period,
                "ordinals": _join([ORDINALS[position] for position, _day in weekdays]),
                "days": WEEKDAY_NAMES[days[0]],
            }
        phrases = [
            _("the %(ordinal)s %(day)s")
            % {"ordinal": ORDINALS[position], "day": WEEKDAY_NAMES[day]}
            for position, day in weekdays
        ]
        return _("%(period)s on %(dates)s") % {"period": period, "dates": _join(phrases)}


def _from_the_start(position: int) -> tuple[bool, int]:
    """Order 1, 2, …, then -4, …, -1: the way they fall in a month."""
    return (position < 0, position)


def _every_weekday(days: list[str], weeks: int) -> str:
    """ "Every Tuesday and Thursday", "Every 2 weeks on Friday", "Every working day"."""
    n = {"n": weeks}
    if len(days) == len(WEEKDAYS):
        return _("Every day") if weeks == 1 else _("Every %(n)s weeks, every day") % n
    if tuple(days) == WORKING_DAYS:
        return (
            _("Every working day") if weeks == 1 else _("Every %(n)s weeks, Monday to Friday") % n
        )
    names = _join([WEEKDAY_NAMES[day] for day in days])
    if weeks == 1:
        return _("Every %(days)s") % {"days": names}
    return _("Every %(n)s weeks on %(days)s") % {"n": weeks, "days": names}
