"""Mentorship and reciprocity: programmes matched by the engine in `matching/`, check-ins,
office hours, the mentoring log, shadowing windows and case notes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connection.models import Team, validate_time_zone

MAX_SESSION_MINUTES = 8 * 60
WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, person) -> ProgrammeQuerySet:
        """Running programmes `person` may see and join: org-wide ones, those for
        their team or a team above it, and any they are a member of (so someone
        who moved team can still pause or leave). Page and API both read this."""
        if not person.is_authenticated or not person.is_active:
            return self.none()
        return self.filter(active=True).filter(
            Q(team__isnull=True)
            | Q(team_id__in=person.team.lineage_ids if person.team else [])
            | Q(pk__in=Membership.objects.filter(person=person).values("programme_id"))
        )

    def run_by(self, user) -> ProgrammeQuerySet:
        """Programmes `user` runs: those of the teams they lead, and org-wide ones for HR."""
        condition = Q(team__in=Team.objects.led_by(user))
        if Programme.runs_org_wide(user):
            condition |= Q(team__isnull=True)
        return self.filter(condition)


class Programme(models.Model):
    class Kind(models.TextChoices):
        BUDDY = "buddy", _("Newcomer buddy")
        COFFEE = "coffee", _("Coffee chat")
        MENTORING = "mentoring", _("Micro-mentoring")
        POD = "pod", _("Learning pod")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
        help_text=_("Empty: the whole organisation."),
    )
    cadence_weeks = models.PositiveSmallIntegerField(default=2)
    group_size = models.PositiveSmallIntegerField(default=2)
    max_group_size = models.PositiveSmallIntegerField(default=3)
    cross_team = models.BooleanField(default=True)
    topic = models.CharField(max_length=80, blank=True, help_text=_("Learning pods: the topic."))
    weeks = models.PositiveSmallIntegerField(
        default=12, help_text=_("Buddies: weeks of check-ins. Pods: how long a pod runs.")
    )
    rotate_buddy = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group_size__gte=2)
                & Q(max_group_size__gte=models.F("group_size"))
                & Q(max_group_size__lte=6),
                name="programme_group_sizes",
            ),
            models.CheckConstraint(
                condition=Q(cadence_weeks__in=[1, 2, 4]), name="programme_cadence_1_2_4"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def runs_org_wide(user) -> bool:
        """Programmes for the whole organisation (no team) are HR admins' to start and run;
        team leads run those of the teams they lead (`Team.objects.led_by`)."""
        return user.is_hr_admin

    def eligible(self, person) -> bool:
        if not person.is_active:
            return False
        if self.team_id is None:
            return True
        return bool(person.team) and person.team.path.startswith(self.team.path)


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Taking part")
        PAUSED = "paused", _("Paused")
        LEFT = "left", _("Left")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_memberships"
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ACTIVE)
    paused_until = models.DateField(null=True, blank=True)
    odd_count = models.PositiveSmallIntegerField(default=0)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.programme_id}"


class Avoid(models.Model):
    """A private "don't pair me with": only its owner sees it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    avoided = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "avoided"], name="one_avoid")]

    def __str__(self) -> str:
        return f"{self.person_id} avoids {self.avoided_id}"


class MatchRound(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    run_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="one_round_number"),
            models.UniqueConstraint(fields=["programme", "run_on"], name="one_round_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} round {self.number}"


class MatchGroupQuerySet(models.QuerySet):
    def of(self, person) -> MatchGroupQuerySet:
        return self.filter(members=person)


class MatchGroup(models.Model):
    round = models.ForeignKey(MatchRound, on_delete=models.CASCADE, related_name="groups")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="match_groups")
    reasons = models.JSONField(default=list)
    score = models.FloatField(default=0)
    # For buddies: the newcomer of the pair.
    newcomer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MatchGroupQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Group {self.pk} of {self.round}"


class CheckIn(models.Model):
    class Answer(models.TextChoices):
        MET = "met", _("We met")
        NOT_YET = "not_yet", _("Not yet")
        RESCHEDULED = "rescheduled", _("We rescheduled")

    group = models.ForeignKey(MatchGroup, on_delete=models.CASCADE, related_name="checkins")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.PositiveSmallIntegerField(default=1, help_text=_("Buddies: week of the pairing."))
    answer = models.CharField(max_length=12, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "person", "week"], name="one_checkin_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.answer}"


class OfficeHours(models.Model):
    """A weekly slot someone hosts, split into bookable blocks."""

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_hours"
    )
    weekday = models.PositiveSmallIntegerField(help_text=_("ISO weekday, 1 = Monday."))
    start_time = models.TimeField()
    minutes = models.PositiveSmallIntegerField(default=60)
    block_minutes = models.PositiveSmallIntegerField(default=20)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    about = models.CharField(max_length=120, blank=True, help_text=_("What people can ask about."))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=1) & Q(weekday__lte=7), name="office_hours_weekday"
            ),
            models.CheckConstraint(
                condition=Q(block_minutes__gte=10) & Q(minutes__lte=240), name="office_hours_sizes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host} office hours"

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAY_NAMES[self.weekday - 1])

    def blocks_between(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """UTC starts of the bookable blocks in [start, end), local wall time kept across DST."""
        zone = zoneinfo.ZoneInfo(self.time_zone)
        out = []
        day = start.astimezone(zone).date()
        while True:
            local = dt.datetime.combine(day, self.start_time, tzinfo=zone)
            if local.astimezone(dt.UTC) >= end:
                break
            if day.isoweekday() == self.weekday:
                for offset in range(0, self.minutes - self.block_minutes + 1, self.block_minutes):
                    instant = (local + dt.timedelta(minutes=offset)).astimezone(dt.UTC)
                    if start <= instant < end:
                        out.append(instant)
            day += dt.timedelta(days=1)
        return out

    def overlaps(self, other: OfficeHours) -> bool:
        if self.weekday != other.weekday or self.time_zone != other.time_zone:
            return False

        def span(o):
            start = o.start_time.hour * 60 + o.start_time.minute
            return start, start + o.minutes

        a, b = span(self), span(other)
        return a[0] < b[1] and b[0] < a[1]


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    office_hours = models.ForeignKey(OfficeHours, on_delete=models.CASCADE, related_name="bookings")
    starts_at = models.DateTimeField()
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings"
    )
    topic = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            # The database itself makes double booking impossible.
            models.UniqueConstraint(
                fields=["office_hours", "starts_at"],
                condition=Q(status="booked"),
                name="one_booking_per_block",
            )
        ]

    def __str__(self) -> str:
        return f"{self.booker_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class MentoringSessionQuerySet(models.QuerySet):
    def involving(self, person) -> MentoringSessionQuerySet:
        """Sessions `person` mentored or was mentored in: nobody else reads them."""
        return self.filter(Q(mentor=person) | Q(mentee=person))

    def confirmed(self) -> MentoringSessionQuerySet:
        """The sessions that count: hours, coverage and signals come from these only."""
        return self.filter(status=MentoringSession.Status.CONFIRMED)

    def awaiting(self, mentor) -> MentoringSessionQuerySet:
        return self.filter(mentor=mentor, status=MentoringSession.Status.PENDING)


class MentoringSession(models.Model):
    """One logged session. Whoever logs it names the other person; when that other
    person is the mentor, it waits for them to confirm before it counts."""

    class Kind(models.TextChoices):
        MENTORING = "mentoring", _("Mentoring")
        SHADOWING = "shadowing", _("Shadowing")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the mentor to confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined by the mentor")

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_given"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_received"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MENTORING)
    held_on = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = MentoringSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=MAX_SESSION_MINUTES),
                name="session_1_to_480_minutes",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class ShadowWindow(models.Model):
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shadow_windows"
    )
    title = models.CharField(max_length=120)
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=60)
    places = models.PositiveSmallIntegerField(default=2)
    requests = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shadow_requests"
    )

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class CaseNoteQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseNoteQuerySet:
        return self.filter(withdrawn=False).filter(
            Q(visibility=CaseNote.Visibility.ORG)
            | Q(visibility=CaseNote.Visibility.TEAM, team_id=user.team_id)
            | Q(author=user)
        )


class CaseNote(models.Model):
    """What was tried, what failed, what was learned: apprenticeship written down."""

    class Visibility(models.TextChoices):
        TEAM = "team", _("My team")
        ORG = "org", _("Everyone")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notes"
    )
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    session = models.ForeignKey(
        MentoringSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    topic = models.CharField(max_length=80)
    tried = models.TextField(max_length=1000)
    failed = models.TextField(max_length=1000, blank=True)
    learned = models.TextField(max_length=1000)
    visibility = models.CharField(max_length=4, choices=Visibility.choices, default=Visibility.TEAM)
    withdrawn = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.topic


class MentoringSettings(models.Model):
    """HR's quarterly mentoring-hours expectation for senior people; one row."""

    hours_per_quarter = models.PositiveSmallIntegerField(default=6)

    def __str__(self) -> str:
        return "Mentoring settings"

    @classmethod
    def load(cls) -> MentoringSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row
