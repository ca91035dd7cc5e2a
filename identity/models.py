"""Identity's own rows: SCIM bearer tokens HR issues, and the scheduled org sync
(where it reads from, its safety brake, and every run with its diff)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def token_digest(raw: str) -> str:
    """Tokens are stored as their SHA-256: a leaked database gives no usable token."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ScimTokenQuerySet(models.QuerySet):
    def live(self) -> ScimTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token an identity provider uses for /scim/v2/; shown once, when issued."""

    label = models.CharField(max_length=100, help_text=_("Which provider uses it, e.g. Okta."))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SCIM token")

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"


def default_share() -> float:
    return 0.10


class SyncSource(models.Model):
    """Where the scheduled org sync reads the org chart CSV, and its safety brake. One row."""

    class Kind(models.TextChoices):
        FILE = "file", _("A file on the server (a drop folder)")
        URL = "url", _("A URL (HTTPS)")

    enabled = models.BooleanField(default=False)
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.FILE)
    location = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("The CSV's path on the server, or its https:// URL."),
    )
    every_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 7)]
    )
    deactivate_missing = models.BooleanField(
        default=True, help_text=_("People no longer in the file are deactivated.")
    )
    max_deactivate_share = models.FloatField(
        default=default_share,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "A run that would deactivate more than this share of active people waits "
            "for HR's approval."
        ),
    )
    max_move_share = models.FloatField(
        default=default_share,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "A run that would move more than this share of people between teams waits "
            "for HR's approval."
        ),
    )
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("org sync source")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.location or 'not set'}"

    @classmethod
    def load(cls) -> SyncSource:
        source, _created = cls.objects.get_or_create(pk=1)
        return source


class SyncRun(models.Model):
    """One run of the scheduled sync: what it found, and what happened to it."""

    class Status(models.TextChoices):
        UNCHANGED = "unchanged", _("Nothing to change")
        APPLIED = "applied", _("Applied")
        PAUSED = "paused", _("Waiting for approval")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    org_import = models.ForeignKey(
        "connection.OrgImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    diff = models.JSONField(default=dict, blank=True)
    deactivate_share = models.FloatField(default=0.0)
    move_share = models.FloatField(default=0.0)
    message = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"org sync {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def applied(self) -> bool:
        return self.status in (self.Status.APPLIED, self.Status.APPROVED)


class ScimPerson(models.Model):
    """What SCIM knows of a person beyond `connection.User`: the name parts the identity
    provider sent (Hearth keeps one display name), when it last changed them, and whether
    it deleted them. A deleted person stays in Hearth, deactivated, with their history;
    SCIM answers 404 for them until the provider creates the same userName again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim"
    )
    given_name = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120, blank=True)
    modified_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("person provisioned by SCIM")
        verbose_name_plural = _("people provisioned by SCIM")

    def __str__(self) -> str:
        return f"SCIM record of {self.user_id}"
