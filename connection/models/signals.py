"""The connection ledger: one row per act of connecting, whichever app saw it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connection.models.people import Team


class Signal(models.Model):
    """The connection ledger: one act of connecting, who with, when.

    Scores and network metrics read it later. `other` is empty for acts
    that involve the team rather than one colleague (posting to the thread).

    On PostgreSQL the table is partitioned by month of `occurred_at` (migration 0026,
    connection/lifecycle/partitions.py): its primary key there is (id, occurred_at),
    which Django never needs to know, and `source` is kept unique by a trigger, as
    PostgreSQL allows no unique index on a partitioned table without the date.
    """

    class Kind(models.TextChoices):
        ATTENDED = "attended", _("Attended a ritual")
        POSTED = "posted", _("Posted to the team thread")
        ASKED = "asked", _("Asked a question")
        REPLIED = "replied", _("Replied or reacted")
        RECOGNISED = "recognised", _("Recognised a colleague")
        BOOKED = "booked", _("Booked office hours")
        CHECKED_IN = "checked_in", _("Met their match")
        MENTORED = "mentored", _("Mentoring session")
        SHADOWED = "shadowed", _("Shadowing")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signals"
    )
    other = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signals_received",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    # What caused it, so a retried write never records the same act twice (on PostgreSQL
    # a second row with a recorded source is skipped by the trigger, never an error).
    source = models.CharField(max_length=120, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["occurred_at"]),
            models.Index(fields=["team", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.kind} {self.other_id or ''}".strip()
