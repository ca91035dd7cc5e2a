"""A ritual's sessions, their reminders, what participants said about them,
and the calendar feed that lists them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from connection.models import Nudge
from rituals.models.rituals import TeamRitual


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
