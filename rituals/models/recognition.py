"""Recognition between colleagues, naming the organisation's values."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connection.models import Team


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
        PUBLIC = "public", _("Everyone")
        TEAM = "team", _("Our teams")
        PRIVATE = "private", _("Only them")

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
