"""Rituals: a catalogue of team habits, adopted by teams and run as experiments.

A ritual's schedule is an RFC 5545 recurrence rule plus a wall-clock start
time in one time zone, so "every Tuesday at 15:00 New York time" stays at
15:00 there across daylight-saving changes. Occurrences are materialised a
few weeks ahead by a beat tick.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from connection.models import Team, validate_time_zone

MAX_DURATION = 8 * 60


def today_utc() -> dt.date:
    return timezone.now().date()


def validate_rrule(value: str) -> None:
    """A recurrence rule body such as FREQ=WEEKLY;BYDAY=TU (no DTSTART)."""
    text = value.strip().removeprefix("RRULE:")
    if not text or "DTSTART" in text.upper() or "\n" in text:
        raise ValidationError("Write a rule like FREQ=WEEKLY;BYDAY=TU, without DTSTART.")
    try:
        # Recurrence expands over local wall-clock time, so naive on purpose.
        rule = rrulestr(text, dtstart=dt.datetime(2026, 1, 5, 9, 0))  # noqa: DTZ001
        next(iter(rule), None)
    except (ValueError, TypeError, KeyError):
        raise ValidationError(f"“{value}” is not a valid recurrence rule.") from None
    if (
        "FREQ=SECONDLY" in text.upper()
        or "FREQ=MINUTELY" in text.upper()
        or ("FREQ=HOURLY" in text.upper())
    ):
        raise ValidationError("A ritual repeats at most daily.")


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

    def starts_between(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """UTC start instants in [start, end): local wall time kept across DST."""
        zone = self.zone
        first = dt.datetime.combine(self.starts_on, self.start_time)
        rule = rrulestr(self.rule.removeprefix("RRULE:"), dtstart=first)
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


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(start: dt.date) -> dt.date:
    month = start.month + 3
    year = start.year + (month > 12)
    return dt.date(year, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)


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
        return f"Q{(self.quarter.month - 1) // 3 + 1} {self.quarter.year}"

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
