"""Rituals: a catalogue of team habits, adopted by teams and run as experiments.

A ritual's schedule is an RFC 5545 recurrence rule plus a wall-clock start
time in one time zone, so "every Tuesday at 15:00 New York time" stays at
15:00 there across daylight-saving changes. Occurrences are materialised a
few weeks ahead by a beat tick.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule
from dateutil.rrule import weekdays as rrule_weekdays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from connection.calendar import quarter_end, quarter_label
from connection.models import Nudge, Team, validate_time_zone

MAX_DURATION = 8 * 60


def today_utc() -> dt.date:
    return timezone.now().date()


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


def validate_rrule(value: str) -> None:
    """A recurrence rule body such as FREQ=WEEKLY;BYDAY=TU (no DTSTART), within the limits
    of `Recurrence`."""
    Recurrence.parse(value)


class Format(models.TextChoices):
    SYNC = "sync", "Synchronous"
    ASYNC = "async", "Asynchronous"


class RitualTemplate(models.Model):
    """An entry in the catalogue HR curates."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    purpose = models.TextField()
    format = models.CharField(max_length=5, choices=Format.choices)
    default_rule = models.CharField(max_length=200, validators=[validate_rrule])
    default_duration = models.PositiveSmallIntegerField(help_text="Minutes.")
    facilitation = models.TextField(blank=True)
    norms = models.TextField(blank=True)
    hypothesis = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def schedule_summary(self) -> str:
        try:
            return Recurrence.parse(self.default_rule).describe()
        except ValidationError:
            return ""


class TeamRitualQuerySet(models.QuerySet):
    def active(self) -> TeamRitualQuerySet:
        return self.filter(status=TeamRitual.Status.ACTIVE)

    def visible_to(self, user) -> TeamRitualQuerySet:
        return self.filter(team__in=Team.objects.visible_to(user))

    def for_person(self, user) -> TeamRitualQuerySet:
        """Rituals a person takes part in: their team's whole-team ones, and those they joined."""
        return self.filter(
            Q(team_id=user.team_id, participation=TeamRitual.Participation.WHOLE_TEAM)
            | Q(participants=user)
        ).distinct()


class TeamRitual(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Running"
        RETIRED = "retired", "Retired"

    class Participation(models.TextChoices):
        WHOLE_TEAM = "team", "The whole team"
        OPT_IN = "opt_in", "Those who join"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rituals")
    template = models.ForeignKey(
        RitualTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="adoptions"
    )
    name = models.CharField(max_length=80)
    format = models.CharField(max_length=5, choices=Format.choices)
    rule = models.CharField(
        "recurrence",
        max_length=200,
        validators=[validate_rrule],
        help_text="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=TU or FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
    )
    start_time = models.TimeField(help_text="Wall-clock time in the ritual's time zone.")
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    starts_on = models.DateField(default=today_utc)
    duration = models.PositiveSmallIntegerField(help_text="Minutes.")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_rituals",
    )
    video_link = models.URLField(blank=True)
    participation = models.CharField(
        max_length=6, choices=Participation.choices, default=Participation.WHOLE_TEAM
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="joined_rituals"
    )
    hypothesis = models.CharField(max_length=200)
    review_on = models.DateField()
    review_sent_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = TeamRitualQuerySet.as_manager()

    class Meta:
        ordering = ["team", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gte=1) & Q(duration__lte=MAX_DURATION),
                name="ritual_duration_1_to_480",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.team})"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def recurrence(self) -> Recurrence:
        """The stored rule, read; a ValidationError if it is outside today's limits
        (a row saved before them, or written past the validators)."""
        return Recurrence.parse(self.rule)

    @property
    def rule_problem(self) -> str:
        """Why the stored rule is no longer accepted, or ""."""
        try:
            self.recurrence  # noqa: B018 - reading it is the check
        except ValidationError as error:
            return error.messages[0]
        return ""

    @property
    def schedule_summary(self) -> str:
        """The rule in words ("" if it is no longer accepted: see `rule_problem`)."""
        try:
            return self.recurrence.describe()
        except ValidationError:
            return ""

    def starts_between(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """UTC start instants in [start, end): local wall time kept across DST."""
        zone = self.zone
        first = dt.datetime.combine(self.starts_on, self.start_time)
        rule = self.recurrence.expand(first)
        local_start = start.astimezone(zone).replace(tzinfo=None) - dt.timedelta(days=1)
        local_end = end.astimezone(zone).replace(tzinfo=None) + dt.timedelta(days=1)
        instants = []
        for local in rule.between(local_start, local_end, inc=True):
            instant = local.replace(tzinfo=zone).astimezone(dt.UTC)
            if start <= instant < end:
                instants.append(instant)
        return instants

    def next_occurrence_after(self, when: dt.datetime) -> dt.datetime | None:
        found = self.starts_between(when, when + dt.timedelta(days=400))
        return found[0] if found else None


class Occurrence(models.Model):
    ritual = models.ForeignKey(TeamRitual, on_delete=models.CASCADE, related_name="occurrences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["ritual", "starts_at"], name="one_occurrence_per_start")
        ]

    def __str__(self) -> str:
        return f"{self.ritual.name} at {self.starts_at:%Y-%m-%d %H:%M} UTC"


class Reminder(models.Model):
    """The reminder nudge of one person for one occurrence.

    Rescheduling or retiring a ritual cancels its future occurrences'
    reminders through this link. It is declared here, pointing down at the
    outbox, so the core's Nudge knows nothing of rituals.
    """

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="reminders")
    nudge = models.OneToOneField(Nudge, on_delete=models.CASCADE, related_name="ritual_reminder")

    def __str__(self) -> str:
        return f"reminder {self.nudge_id} for {self.occurrence_id}"


class Attendance(models.Model):
    """A participant's say about one occurrence: there or not, worth it or not."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ritual_attendance"
    )
    attended = models.BooleanField(default=True)
    worth_it = models.BooleanField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "person"], name="one_say_per_occurrence")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.occurrence_id}"


class CalendarFeed(models.Model):
    """A person's secret iCalendar URL; replacing the token revokes the old URL."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person_id}"


class ThreadPost(models.Model):
    """A post in a team's daily micro-update thread, or a reply to one."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="thread_posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_posts"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    status = models.CharField(max_length=500)
    highlight = models.CharField(max_length=200, blank=True)
    is_question = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["team", "parent", "-created_at"])]

    def __str__(self) -> str:
        return self.status[:40]


class Reaction(models.Model):
    class Kind(models.TextChoices):
        THANKS = "thanks", "Thanks"
        CELEBRATE = "celebrate", "Yay"
        LOVE = "love", "Love it"
        INSIGHT = "insight", "Learned something"
        SAME = "same", "Me too"

    post = models.ForeignKey(ThreadPost, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "person", "kind"], name="one_reaction_of_a_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.post_id}"


class Value(models.Model):
    """An org value recognition can name; HR edits the list."""

    name = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class RecognitionQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecognitionQuerySet:
        """Public ones; team ones for the givers' and receivers' teams; private ones
        for the giver, the receivers, and their managers when the giver chose so."""
        if user.is_hr_admin:
            return self.all()
        managed = Team.objects.managed_by(user)
        return self.filter(
            Q(visibility=Recognition.Visibility.PUBLIC)
            | Q(visibility=Recognition.Visibility.TEAM, team_id=user.team_id)
            | Q(visibility=Recognition.Visibility.TEAM, receivers__team_id=user.team_id)
            | Q(giver=user)
            | Q(receivers=user)
            | Q(notify_manager=True, receivers__team__in=managed)
        ).distinct()


class Recognition(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone"
        TEAM = "team", "Our teams"
        PRIVATE = "private", "Only them"

    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recognitions_given"
    )
    receivers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="recognitions")
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=280)
    values = models.ManyToManyField(Value, related_name="+")
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    notify_manager = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RecognitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message[:40]


class BudgetQuerySet(models.QuerySet):
    def manageable_by(self, user) -> BudgetQuerySet:
        """Budgets `user` may read: those of the teams they lead (every team for HR).

        A team's members do not see its allocation, spends or notes; the page,
        the list and the API all read budgets through this one method.
        """
        return self.filter(team__in=Team.objects.led_by(user))


class Budget(models.Model):
    """A team's connection allocation for one quarter, set by HR."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="budgets")
    quarter = models.DateField(help_text="First day of the quarter.")
    hours = models.DecimalField(max_digits=8, decimal_places=1, default=0)
    money = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    allow_overspend = models.BooleanField(default=False)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter", "team"]
        constraints = [
            models.UniqueConstraint(fields=["team", "quarter"], name="one_budget_per_quarter"),
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(money__gte=0), name="budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.quarter_label}"

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def ends_on(self) -> dt.date:
        return quarter_end(self.quarter)


class Spend(models.Model):
    class Category(models.TextChoices):
        GATHERING = "gathering", "In-person gathering"
        LEARNING_PAIR = "learning_pair", "Learning pair"
        FACILITATION = "facilitation", "Facilitation training"
        TRAVEL = "travel", "Travel stipend"
        ONBOARDING = "onboarding", "Onboarding coach"
        OTHER = "other", "Other"

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="spends")
    category = models.CharField(max_length=15, choices=Category.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    hours = models.DecimalField(max_digits=8, decimal_places=1, default=0)
    spent_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(hours__gte=0), name="spend_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"
