"""The audit trail: who changed what HR controls, append-only."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


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
        PRIVACY = "privacy", _("Privacy thresholds")
        ROLES = "roles", _("Roles, teams and managers")
        EXPORT = "export", _("Exports")
        BUDGET = "budget", _("Budgets")
        PROGRAMME = "programme", _("Programmes")
        PULSE = "pulse", _("Pulse settings and items")
        GUIDE = "guide", _("Conversation guides")
        CATALOGUE = "catalogue", _("Ritual catalogue and values")
        RECOGNITION = "recognition", _("Recognition moderation")
        OUTBOX = "outbox", _("Nudge outbox")
        IDENTITY = "identity", _("Sign-in, provisioning and personal data")
        CHAT = "chat", _("Chat apps (Slack, Teams)")
        PILOT = "pilot", _("Pilots")
        SETTINGS = "settings", _("Organisation settings")

    class Action(models.TextChoices):
        # "kind.what": the part before the dot is the entry's kind.
        PRIVACY_CHANGED = "privacy.changed", _("changed the privacy thresholds")
        PERSON_ADDED = "roles.person_added", _("added a person in the admin")
        PERSON_CHANGED = "roles.person_changed", _("changed a person in the admin")
        PERSON_DELETED = "roles.person_deleted", _("deleted a person in the admin")
        TEAM_ADDED = "roles.team_added", _("added a team in the admin")
        TEAM_CHANGED = "roles.team_changed", _("changed a team in the admin")
        TEAM_DELETED = "roles.team_deleted", _("deleted a team in the admin")
        ORG_IMPORTED = "roles.org_imported", _("imported the org chart")
        PULSE_CSV = "export.pulse_csv", _("exported the pulse results CSV")
        INSIGHTS_CSV = "export.insights_csv", _("exported the insights CSV")
        BUDGET_SET = "budget.set", _("set a budget")
        SPEND_LOGGED = "budget.spend", _("logged a spend")
        PROGRAMME_STARTED = "programme.started", _("started a programme")
        PILOT_STARTED = "pilot.started", _("started a pilot")
        PILOT_EXTENDED = "pilot.extended", _("extended a pilot")
        PILOT_ROLLED_OUT = "pilot.rolled_out", _("rolled a pilot's rituals out to more teams")
        LANGUAGE_CHANGED = "settings.language", _("changed the organisation’s language")
        PULSE_SETTINGS = "pulse.settings", _("changed the pulse settings")
        QUESTION_ADDED = "pulse.question_added", _("added a pulse question")
        QUESTION_EDITED = "pulse.question_edited", _("edited a pulse question")
        QUESTION_RETIRED = "pulse.question_retired", _("retired a pulse question")
        QUESTIONS_REORDERED = "pulse.questions_reordered", _("reordered the pulse questions")
        QUESTION_DELETED = "pulse.question_deleted", _("deleted a pulse question in the admin")
        GUIDE_ADDED = "guide.added", _("added a conversation guide in the admin")
        GUIDE_EDITED = "guide.edited", _("edited a conversation guide")
        GUIDE_DELETED = "guide.deleted", _("deleted a conversation guide in the admin")
        CATALOGUE_ADDED = "catalogue.added", _("added to the ritual catalogue in the admin")
        CATALOGUE_CHANGED = "catalogue.changed", _("changed the ritual catalogue in the admin")
        RECOGNITION_HIDDEN = "recognition.hidden", _("hid a recognition")
        RECOGNITION_SHOWN = "recognition.shown", _("showed a hidden recognition")
        NUDGES_RESENT = "outbox.resent", _("queued failed nudges again")
        NUDGE_CEILING = "outbox.ceiling", _("changed the weekly nudge limit")
        WEBHOOK_HOSTS = "outbox.webhook_hosts", _("changed the hosts webhooks may post to")
        MOMENTS = "outbox.moments", _("changed which micro-moments the organisation allows")
        PEOPLE_DEACTIVATED = "identity.deactivated", _("deactivated people")
        PERSON_ERASED = "identity.erased", _("erased a person's data")
        DATA_EXPORTED = "identity.exported", _("downloaded a person's data")
        RETENTION_CHANGED = "identity.retention", _("changed how long data is kept")
        RETENTION_APPLIED = "identity.retention_applied", _("deleted data past its retention")
        SCIM_TOKEN_ISSUED = "identity.scim_token", _("issued a SCIM token")
        SCIM_TOKEN_REVOKED = "identity.scim_revoked", _("revoked a SCIM token")
        SCIM_CHANGED = "identity.scim", _("provisioned people or teams by SCIM")
        SYNC_CONFIGURED = "identity.sync_configured", _("configured the scheduled org sync")
        SYNC_PAUSED = "identity.sync_paused", _("paused an org sync at the safety brake")
        SYNC_APPROVED = "identity.sync_approved", _("approved a paused org sync")
        SYNC_REJECTED = "identity.sync_rejected", _("rejected a paused org sync")
        SSO_SETTINGS = "identity.sso", _("changed single sign-on settings")
        SSO_ACCOUNT_CREATED = "identity.sso_created", _("created an account at single sign-on")
        CHAT_INSTALLED = "chat.installed", _("installed the Slack app in a workspace")
        CHAT_REMOVED = "chat.removed", _("removed the Slack app from a workspace")
        CHAT_CHANNEL = "chat.channel", _("chose a team's Slack channel for highlights")

    at = models.DateTimeField(default=timezone.now, editable=False)
    # PROTECT: deleting a person must not blank out what they did.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when Hearth itself acted (the command line, the demo set-up)."),
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
        verbose_name_plural = _("audit entries")
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
        return ", ".join(str(v) for v in value) or gettext("none")
    if value in ("", None):
        return gettext("none")
    return str(value)
