"""What the micro-moments remember (moments/services.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CheckinSuggestion(models.Model):
    """A check-in without an agenda Hearth suggested to a manager: one a week per
    manager, and nobody suggested again within a few weeks. Only that rule reads these
    rows; the person never hears of them, and nothing here is a score."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text=_("Monday of the manager's own ISO week."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["manager", "week"], name="one_checkin_suggestion_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"check-in for {self.manager_id} with {self.person_id} ({self.week})"
