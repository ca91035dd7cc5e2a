"""The organisation's own rows: its settings, its org chart imports, the beat's heartbeat."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The settings row, read once per request: a page reads it from many places (the
# privacy guard, the alerts, each figure); within a request it cannot change but by
# this request's own save, which keeps the same object. Outside a request (a task, a
# command) every load reads the database.
_REQUEST_ROW: ContextVar[list | None] = ContextVar("hearth_org_settings", default=None)


@contextmanager
def one_settings_read() -> Iterator[None]:
    """Within the block, OrgSettings.load() reads the row once (RequestScopeMiddleware)."""
    token = _REQUEST_ROW.set([])
    try:
        yield
    finally:
        _REQUEST_ROW.reset(token)


class OrgImport(models.Model):
    """One uploaded org chart: previewed, then applied at most once."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    deactivated_missing = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or 'org chart'} ({self.get_status_display()})"


class Heartbeat(models.Model):
    """Last time a periodic task ran; /healthz shows it."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


# The organisation's language, kept per process for a minute (connection/i18n.py):
# every page needs it, and most pages never read the settings row.
ORG_LANGUAGE_SECONDS = 60
_language: dict[str, tuple[float, str]] = {}


def remember_language(language: str | None) -> None:
    """Keep the organisation's language for this process (None forgets it)."""
    if language is None:
        _language.clear()
    else:
        _language["org"] = (time.monotonic(), language)


def remembered_language() -> str | None:
    kept = _language.get("org")
    if kept and time.monotonic() - kept[0] < ORG_LANGUAGE_SECONDS:
        return kept[1]
    return None


class OrgSettings(models.Model):
    """Organisation-wide settings HR admins own; one row."""

    default_language = models.CharField(
        max_length=8,
        default=settings.LANGUAGE_CODE,
        choices=settings.LANGUAGES,
        help_text=_("The language of everyone who has not chosen their own."),
    )
    nudge_weekly_ceiling = models.PositiveSmallIntegerField(
        default=10,
        help_text=_("Nobody gets more nudges a week than this, whatever they choose."),
    )
    min_group_size = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(3)],
        help_text=_("Fewer answers than this and a group shows “not enough responses”."),
    )
    comment_threshold = models.PositiveSmallIntegerField(
        default=10, help_text=_("Comments appear only for groups with at least this many answers.")
    )
    currency = models.CharField(
        max_length=3, default="EUR", help_text=_("ISO 4217 code for connection budgets.")
    )
    alert_low_score = models.PositiveSmallIntegerField(
        default=60,
        help_text=_("A team's connection score (0-100) below this counts as low for alerts."),
    )
    alert_drop = models.PositiveSmallIntegerField(
        default=8,
        help_text=_(
            "A fall of this many points against the team's 4-week average counts as "
            "falling for alerts."
        ),
    )
    webhook_hosts = models.TextField(
        blank=True,
        help_text=_(
            "Hosts besides Slack's and Microsoft's that Slack or Teams webhooks may post "
            "to, one a line (*.example.com for every name under example.com)."
        ),
    )

    # Identity and the data lifecycle (docs/identity.md, docs/data-lifecycle.md).
    sso_creates_accounts = models.BooleanField(
        default=False,
        help_text=_(
            "Someone the identity provider vouches for but Hearth does not know gets an "
            "account at first sign-in (on no team until the org chart places them). Off: they "
            "see a page saying HR has not added them yet."
        ),
    )
    people_may_erase_themselves = models.BooleanField(
        default=False,
        help_text=_(
            "People may erase their own account and data from their profile. HR admins "
            "can always erase a person."
        ),
    )
    signal_retention_days = models.PositiveIntegerField(
        default=396,
        validators=[MinValueValidator(30)],
        help_text=_(
            "Behaviour signals older than this are deleted each night (13 months: a "
            "year-on-year comparison still has its data)."
        ),
    )
    nudge_retention_days = models.PositiveIntegerField(
        default=180,
        validators=[MinValueValidator(30)],
        help_text=_("Messages sent, skipped or failed longer ago than this are deleted."),
    )
    thread_retention_days = models.PositiveIntegerField(
        default=730,
        validators=[MinValueValidator(30)],
        help_text=_("Team thread posts older than this are deleted."),
    )
    audit_retention_days = models.PositiveIntegerField(
        default=2555,
        validators=[MinValueValidator(365)],
        help_text=_("Audit entries older than this are deleted (7 years by default)."),
    )

    # Micro-moments (moments/): HR can turn each off for everyone; people still choose.
    moments_anniversaries = models.BooleanField(
        _("work anniversaries"),
        default=True,
        help_text=_(
            "People who choose to share theirs see it marked in their team's thread; "
            "their manager hears a few days before."
        ),
    )
    moments_wins = models.BooleanField(
        _("wins shared in the thread"),
        default=True,
        help_text=_("People may mark a thread post as a win; their manager hears of it."),
    )
    moments_checkins = models.BooleanField(
        _("check-in suggestions for managers"),
        default=True,
        help_text=_(
            "Managers who ask get at most one a week: someone they have not had a "
            "one-to-one moment with in a while."
        ),
    )
    moments_thanks = models.BooleanField(
        _("thank-you reminders"),
        default=True,
        help_text=_("People who ask are reminded to thank a mentor or office-hours host."),
    )

    class Meta:
        verbose_name = _("organisation settings")
        verbose_name_plural = _("organisation settings")

    def __str__(self) -> str:
        return "Organisation settings"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # This process knows the new language at once; others within the minute.
        remember_language(self.default_language)

    @classmethod
    def load(cls) -> OrgSettings:
        scope = _REQUEST_ROW.get()
        if scope:
            return scope[0]
        settings_row, _ = cls.objects.get_or_create(pk=1)
        if scope is not None:
            scope.append(settings_row)
        return settings_row

    @property
    def webhook_host_list(self) -> list[str]:
        return [line.strip().lower() for line in self.webhook_hosts.splitlines() if line.strip()]
