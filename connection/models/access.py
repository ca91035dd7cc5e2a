"""Who is signed in where: one row per browser session, so that deactivating a person
(by SCIM, the org import or erasure) ends every session of theirs in the same request."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignIn(models.Model):
    """A session a person opened, by password or single sign-on; removed at sign-out."""

    class Method(models.TextChoices):
        PASSWORD = "password", _("Password")
        SSO = "sso", _("Single sign-on")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins"
    )
    session_key = models.CharField(max_length=40, unique=True)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.PASSWORD)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} by {self.method} at {self.at:%Y-%m-%d %H:%M}"
