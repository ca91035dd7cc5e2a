"""A team's daily micro-update thread: posts, replies and reactions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connection.models import Team


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

    class Moment(models.TextChoices):
        ANNIVERSARY = "anniversary", _("Work anniversary")
        WIN = "win", _("A win")

    # A micro-moment the author chose to share (moments/); `moment_key` makes the one
    # a task writes (a work anniversary) once only.
    moment = models.CharField(max_length=12, choices=Moment.choices, blank=True)
    moment_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["team", "parent", "-created_at"])]

    def __str__(self) -> str:
        return self.status[:40]


class Reaction(models.Model):
    class Kind(models.TextChoices):
        THANKS = "thanks", _("Thanks")
        CELEBRATE = "celebrate", _("Yay")
        LOVE = "love", _("Love it")
        INSIGHT = "insight", _("Learned something")
        SAME = "same", _("Me too")

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
