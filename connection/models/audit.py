"""The audit trail: who changed what HR controls, append-only."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditQuerySet(models.QuerySet):
    """The audit trail only grows: bulk updates and deletes are refused here, and
    on PostgreSQL a trigger refuses them too (migration 0015), so even raw SQL
    can't rewrite history."""

    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only: entries are never updated.")

    def delete(self):
        raise TypeError("The audit trail is append-only: entries are never deleted.")


class AuditEntry(models.Model):
    """One HR action that changed what others see or receive: who, when, what.

    Written by `connection.audit.record` in the same transaction as the change.
    `detail` holds settings, names and counts, never pulse answers or anything
    that identifies a respondent.
    """

    class Kind(models.TextChoices):
        PRIVACY = "privacy", "Privacy thresholds"
        ROLES = "roles", "Roles, teams and managers"
        EXPORT = "export", "Exports"
        BUDGET = "budget", "Budgets"
        PROGRAMME = "programme", "Programmes"
        PULSE = "pulse", "Pulse settings and items"
        GUIDE = "guide", "Conversation guides"
        CATALOGUE = "catalogue", "Ritual catalogue and values"
        RECOGNITION = "recognition", "Recognition moderation"
        OUTBOX = "outbox", "Nudge outbox"
        IDENTITY = "identity", "Sign-in, provisioning and personal data"
        CHAT = "chat", "Chat apps (Slack, Teams)"

    class Action(models.TextChoices):
        # "kind.what": the part before the dot is the entry's kind.
        PRIVACY_CHANGED = "privacy.changed", "changed the privacy thresholds"
        PERSON_ADDED = "roles.person_added", "added a person in the admin"
        PERSON_CHANGED = "roles.person_changed", "changed a person in the admin"
        PERSON_DELETED = "roles.person_deleted", "deleted a person in the admin"
        TEAM_ADDED = "roles.team_added", "added a team in the admin"
        TEAM_CHANGED = "roles.team_changed", "changed a team in the admin"
        TEAM_DELETED = "roles.team_deleted", "deleted a team in the admin"
        ORG_IMPORTED = "roles.org_imported", "imported the org chart"
        PULSE_CSV = "export.pulse_csv", "exported the pulse results CSV"
        INSIGHTS_CSV = "export.insights_csv", "exported the insights CSV"
        BUDGET_SET = "budget.set", "set a budget"
        SPEND_LOGGED = "budget.spend", "logged a spend"
        PROGRAMME_STARTED = "programme.started", "started a programme"
        PILOT_STARTED = "pilot.started", "started a pilot"
        PILOT_EXTENDED = "pilot.extended", "extended a pilot"
        PILOT_ROLLED_OUT = "pilot.rolled_out", "rolled a pilot's rituals out to more teams"
        PULSE_SETTINGS = "pulse.settings", "changed the pulse settings"
        QUESTION_ADDED = "pulse.question_added", "added a pulse question"
        QUESTION_EDITED = "pulse.question_edited", "edited a pulse question"
        QUESTION_RETIRED = "pulse.question_retired", "retired a pulse question"
        QUESTIONS_REORDERED = "pulse.questions_reordered", "reordered the pulse questions"
        QUESTION_DELETED = "pulse.question_deleted", "deleted a pulse question in the admin"
        GUIDE_ADDED = "guide.added", "added a conversation guide in the admin"
        GUIDE_EDITED = "guide.edited", "edited a conversation guide"
        GUIDE_DELETED = "guide.deleted", "deleted a conversation guide in the admin"
        CATALOGUE_ADDED = "catalogue.added", "added to the ritual catalogue in the admin"
        CATALOGUE_CHANGED = "catalogue.changed", "changed the ritual catalogue in the admin"
        RECOGNITION_HIDDEN = "recognition.hidden", "hid a recognition"
        RECOGNITION_SHOWN = "recognition.shown", "showed a hidden recognition"
        NUDGES_RESENT = "outbox.resent", "queued failed nudges again"
        NUDGE_CEILING = "outbox.ceiling", "changed the weekly nudge limit"
        WEBHOOK_HOSTS = "outbox.webhook_hosts", "changed the hosts webhooks may post to"
        MOMENTS = "outbox.moments", "changed which micro-moments the organisation allows"
        PEOPLE_DEACTIVATED = "identity.deactivated", "deactivated people"
        PERSON_ERASED = "identity.erased", "erased a person's data"
        DATA_EXPORTED = "identity.exported", "downloaded a person's data"
        RETENTION_CHANGED = "identity.retention", "changed how long data is kept"
        RETENTION_APPLIED = "identity.retention_applied", "deleted data past its retention"
        SCIM_TOKEN_ISSUED = "identity.scim_token", "issued a SCIM token"
        SCIM_TOKEN_REVOKED = "identity.scim_revoked", "revoked a SCIM token"
        SCIM_CHANGED = "identity.scim", "provisioned people or teams by SCIM"
        SYNC_CONFIGURED = "identity.sync_configured", "configured the scheduled org sync"
        SYNC_PAUSED = "identity.sync_paused", "paused an org sync at the safety brake"
        SYNC_APPROVED = "identity.sync_approved", "approved a paused org sync"
        SYNC_REJECTED = "identity.sync_rejected", "rejected a paused org sync"
        SSO_SETTINGS = "identity.sso", "changed single sign-on settings"
        SSO_ACCOUNT_CREATED = "identity.sso_created", "created an account at single sign-on"
        CHAT_INSTALLED = "chat.installed", "installed the Slack app in a workspace"
        CHAT_REMOVED = "chat.removed", "removed the Slack app from a workspace"
        CHAT_CHANNEL = "chat.channel", "chose a team's Slack channel for highlights"

    at = models.DateTimeField(default=timezone.now, editable=False)
    # PROTECT: deleting a person must not blank out what they did.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when Hearth itself acted (the command line, the demo set-up).",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    action = models.CharField(max_length=40, choices=Action.choices)
    # What it acted on, kept as text: the entry outlives the row it names.
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id or 'Hearth'} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("The audit trail is append-only: entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only: entries are never deleted.")

    @property
    def lines(self) -> list[str]:
        """The detail as short lines for people: "min group size: 5 → 7"."""
        lines = []
        for key, value in self.detail.items():
            if key == "changed":
                lines += [
                    f"{name.replace('_', ' ')}: {_shown(old)} → {_shown(new)}"
                    for name, (old, new) in value.items()
                ]
            else:
                lines.append(f"{key.replace('_', ' ')}: {_shown(value)}")
        return lines


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if value in ("", None):
        return "none"
    return str(value)
