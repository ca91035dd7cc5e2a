"""The catalogue HR curates and the rituals teams adopt from it.

A ritual's schedule is an RFC 5545 recurrence rule plus a wall-clock start
time in one time zone, so "every Tuesday at 15:00 New York time" stays at
15:00 there across daylight-saving changes. Occurrences are materialised a
few weeks ahead by a beat tick.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connection.models import Team, validate_time_zone
from rituals.recurrence import Recurrence

MAX_DURATION = 8 * 60


def today_utc() -> dt.date:
    return timezone.now().date()


def validate_rrule(value: str) -> None:
    """A recurrence rule body such as FREQ=WEEKLY;BYDAY=TU (no DTSTART), within the limits
    of `Recurrence`."""
    Recurrence.parse(value)


class Format(models.TextChoices):
    SYNC = "sync", _("Synchronous")
    ASYNC = "async", _("Asynchronous")


class RitualTemplate(models.Model):
    """An entry in the catalogue HR curates."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    purpose = models.TextField()
    format = models.CharField(max_length=5, choices=Format.choices)
    default_rule = models.CharField(max_length=200, validators=[validate_rrule])
    default_duration = models.PositiveSmallIntegerField(help_text=_("Minutes."))
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
        if user.is_authenticated and user.is_active and user.is_hr_admin:
            # Every team: no "team in (every team)" for the planner to walk.
            return self.all()
        return self.filter(team__in=Team.objects.visible_to(user))

    def for_person(self, user) -> TeamRitualQuerySet:
        """Rituals a person takes part in: their team's whole-team ones, and those they joined."""
        return self.filter(
            Q(team_id=user.team_id, participation=TeamRitual.Participation.WHOLE_TEAM)
            | Q(participants=user)
        ).distinct()


class TeamRitual(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Running")
        RETIRED = "retired", _("Retired")

    class Participation(models.TextChoices):
        WHOLE_TEAM = "team", _("The whole team")
        OPT_IN = "opt_in", _("Those who join")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rituals")
    template = models.ForeignKey(
        RitualTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="adoptions"
    )
    name = models.CharField(max_length=80)
    format = models.CharField(max_length=5, choices=Format.choices)
    rule = models.CharField(
        _("recurrence"),
        max_length=200,
        validators=[validate_rrule],
        help_text=_("RFC 5545, e.g. FREQ=WEEKLY;BYDAY=TU or FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
    )
    start_time = models.TimeField(help_text=_("Wall-clock time in the ritual's time zone."))
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    starts_on = models.DateField(default=today_utc)
    duration = models.PositiveSmallIntegerField(help_text=_("Minutes."))
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
