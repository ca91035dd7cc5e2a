"""The insights app's rows: the nightly figures (`TeamWeek`, `TeamTie`), the alerts and
quiet notes the nightly job sends, and the conversation guides an alert points to.

They are written only by this app (insights/nightly.py, insights/alerts.py) and read by
its dashboards; no domain app reads them. They lived in `connection` until the layers
were separated (migration connection 0021 renamed their tables).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connection.models import Nudge, Team


class TeamWeek(models.Model):
    """One team's (or, with no team, the organisation's) figures for an ISO week.

    Written by the nightly computation; a re-run replaces the week's rows.
    Pulse figures are stored only where the round's privacy verdict shows
    them. Activity and network figures are behaviour, not anonymous answers:
    they are stored as counted, with `people_shown` (the guard's verdict over
    the team tree by head count), and pass `connection.privacy` again on
    every read.
    """

    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, related_name="weeks")
    week = models.DateField(help_text=_("Monday of the ISO week (UTC)."))
    members = models.PositiveIntegerField(default=0)
    people_shown = models.BooleanField(default=False)
    # Pulse (through the round's verdicts)
    round_number = models.PositiveIntegerField(null=True)
    min_group_size = models.PositiveSmallIntegerField(default=5)
    respondents = models.PositiveIntegerField(null=True)
    score = models.FloatField(null=True)
    score_rolling = models.FloatField(null=True, help_text=_("Pooled over the last 4 rounds."))
    dimensions = models.JSONField(default=dict)
    response_rate = models.PositiveSmallIntegerField(null=True)
    # Activity this week
    active_members = models.PositiveIntegerField(default=0)
    signals = models.PositiveIntegerField(default=0)
    # Network, last 90 days
    isolated = models.PositiveIntegerField(default=0)
    ties_internal = models.PositiveIntegerField(default=0)
    ties_external = models.PositiveIntegerField(default=0)
    bridges = models.PositiveIntegerField(
        default=0, help_text=_("Other teams (big enough to show) reached by a tie.")
    )
    partners = models.JSONField(
        default=dict,
        help_text=_("The shown teams most tied to this one: {team id: ties}."),
    )
    # Onboarding, people who started in the last 90 days
    newcomers = models.PositiveIntegerField(default=0)
    newcomers_without_ask = models.PositiveIntegerField(default=0)
    newcomers_asked = models.PositiveIntegerField(default=0)
    first_ask_median_days = models.FloatField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["week"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "week"],
                condition=Q(team__isnull=False),
                name="one_teamweek_per_team",
            ),
            models.UniqueConstraint(
                fields=["week"], condition=Q(team__isnull=True), name="one_orgweek_per_week"
            ),
        ]
        indexes = [models.Index(fields=["week", "team"], name="insights_teamweek_week_team")]

    def __str__(self) -> str:
        return f"{self.team_id or 'org'} {self.week}"

    @property
    def activity_share(self) -> float | None:
        return self.active_members / self.members if self.members else None

    @property
    def ei_index(self) -> float | None:
        """Krackhardt's E-I index: (external - internal) / all ties, -1 (silo) to +1."""
        ties = self.ties_internal + self.ties_external
        return (self.ties_external - self.ties_internal) / ties if ties else None


class TeamTie(models.Model):
    """Ties (distinct pairs who connected in the last 90 days) between two teams at
    the same level of the hierarchy; team_a == team_b counts ties inside a team."""

    week = models.DateField()
    depth = models.PositiveSmallIntegerField()
    team_a = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    team_b = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    ties = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "team_a", "team_b"], name="one_tie_row"),
        ]
        indexes = [models.Index(fields=["week", "depth"], name="insights_teamtie_week_depth")]

    def __str__(self) -> str:
        return f"{self.team_a_id}-{self.team_b_id} {self.week}: {self.ties}"


class ConversationGuide(models.Model):
    """What an alert suggests a manager says at the next team meeting. HR edits them."""

    class Situation(models.TextChoices):
        LOW = "low", _("Connection is low")
        FALLING = "falling", _("Connection is falling")

    situation = models.CharField(max_length=8, choices=Situation.choices, unique=True)
    title = models.CharField(max_length=120)
    opening = models.TextField(help_text=_("An opening line for the team meeting."))
    questions = models.TextField(help_text=_("Questions to ask, one per line."))
    avoid = models.TextField(help_text=_("What not to say, one per line."))
    follow_up = models.TextField(help_text=_("Follow-up after the meeting, one per line."))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]


# After an alert or a quiet note, the same team or person is left alone this long.
ALERT_REST = dt.timedelta(days=28)


class RestingQuerySet(models.QuerySet):
    def resting(self, now: dt.datetime):
        """Those written in the last ALERT_REST: their team or person is left alone."""
        return self.filter(created_at__gte=now - ALERT_REST)


class Alert(models.Model):
    """A team's figures for a week called for a conversation: one row per team and
    week, written with the nudges that tell its managers (in one transaction).

    The manager's dashboard reads this row, never the nudges' keys or payloads.
    It holds the team, the week and the situation, nothing about a person.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alerts")
    week = models.DateField(help_text=_("Monday of the ISO week whose figures raised it."))
    situation = models.CharField(max_length=8, choices=ConversationGuide.Situation.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # The messages to the managers told; a manager sees the alert on the team's
    # page only if they were told (as they got the nudge).
    nudges = models.ManyToManyField(Nudge, related_name="alerts", blank=True)

    objects = RestingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "week"], name="one_alert_per_team_week")
        ]
        indexes = [models.Index(fields=["team", "created_at"], name="insights_alert_team_created")]

    def __str__(self) -> str:
        return f"{self.situation} alert for {self.team_id} ({self.week})"


class QuietNote(models.Model):
    """A person's activity stopped in the weeks up to `week` and they were sent a
    private note. Only the 28-day rest reads it: no page shows these rows."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text=_("Monday of the ISO week the note was about."))
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "week"], name="one_quiet_note_per_week")
        ]
        indexes = [models.Index(fields=["person", "created_at"], name="insights_qn_person_created")]

    def __str__(self) -> str:
        return f"quiet note for {self.person_id} ({self.week})"


class Pilot(models.Model):
    """A pilot: a few teams run a few catalogue rituals for some weeks, and the report
    compares them before and after with teams that were not in it (insights/pilots.py).

    `teams` are the pilot's own teams, the ones the report judges; `rituals` the team
    rituals it adopted for them. `rolled_out_to` are teams that adopted the pilot's
    rituals after it, which the report lists but does not judge. `first_round` is the
    pulse round the pilot opened as its baseline when the teams had none."""

    name = models.CharField(max_length=120)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    teams = models.ManyToManyField(Team, related_name="pilots")
    templates = models.ManyToManyField("rituals.RitualTemplate", related_name="pilots")
    rituals = models.ManyToManyField("rituals.TeamRitual", related_name="pilots", blank=True)
    rolled_out_to = models.ManyToManyField(Team, related_name="+", blank=True)
    first_round = models.ForeignKey(
        "pulse.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report_sent_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="pilot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def state(self, today: dt.date) -> str:
        """ "planned", "running" or "ended" on `today`."""
        if today < self.starts_on:
            return "planned"
        return "running" if today < self.ends_on else "ended"
