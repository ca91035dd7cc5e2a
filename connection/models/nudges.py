"""The outbox's rows: every message Hearth sends, its kinds, and the days a person is away."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AwayPeriod(models.Model):
    """Days a person is away (holiday, leave): nothing reaches them then.

    Dates are the person's own calendar days, both ends included.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away_periods"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="away_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} away {self.starts_on}–{self.ends_on}"


class NudgeChannel(models.TextChoices):
    IN_APP = "in_app", _("In Hearth only")
    EMAIL = "email", _("E-mail")
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class Priority(models.IntegerChoices):
    LOW = 1, _("low")
    NORMAL = 2, _("normal")
    HIGH = 3, _("high")


@dataclass(frozen=True)
class NudgeKind:
    label: str
    priority: int
    reason: str
    # A private kind's existence says something about the person (say, that
    # they have not answered the pulse): HR's outbox shows it without its kind.
    private: bool = False
    # What the message's link says: what the person goes to do.
    action: str = _("Open in Hearth")


# Every kind of message Hearth sends. Low priority ones are merged into a
# daily digest; high priority ones are never held back by the weekly cap
# (they answer something the person did, such as a booking).
NUDGE_KINDS: dict[str, NudgeKind] = {
    "pulse_invite": NudgeKind(
        _("Pulse invitations"),
        Priority.NORMAL,
        _("your team runs the weekly pulse"),
        action=_("Answer the pulse"),
    ),
    "pulse_reminder": NudgeKind(
        _("Pulse reminders"),
        Priority.LOW,
        _("you have not answered this week's pulse yet"),
        True,
        action=_("Answer the pulse"),
    ),
    "ritual_reminder": NudgeKind(
        _("Ritual reminders"), Priority.NORMAL, _("you take part in this team ritual")
    ),
    "ritual_review": NudgeKind(
        _("Ritual reviews"),
        Priority.NORMAL,
        _("you own a ritual whose review date came"),
        action=_("Read the review"),
    ),
    "buddy_checkin": NudgeKind(
        _("Buddy check-ins"),
        Priority.NORMAL,
        _("you are in the newcomer buddy programme"),
        action=_("Say how it went"),
    ),
    "pairing": NudgeKind(
        _("Coffee chats and mentoring matches"),
        Priority.NORMAL,
        _("you joined a pairing programme"),
        action=_("See your match"),
    ),
    "booking": NudgeKind(
        _("Office-hours bookings"),
        Priority.HIGH,
        _("someone booked or changed your office hours"),
        action=_("See the booking"),
    ),
    "recognition": NudgeKind(
        _("Recognition you received"), Priority.LOW, _("a colleague recognised you")
    ),
    "thread_activity": NudgeKind(
        _("Replies and reactions"), Priority.LOW, _("someone answered you in the team thread")
    ),
    "manager_alert": NudgeKind(
        _("Team alerts for managers"),
        Priority.NORMAL,
        _("you manage a team whose figures changed"),
        action=_("Open the conversation guide"),
    ),
    "colleague_quiet": NudgeKind(
        _("A colleague asked you to check on them"),
        Priority.NORMAL,
        _("a colleague chose you to hear when they have been quiet"),
        True,
    ),
    "personal_tip": NudgeKind(
        _("Suggestions just for you"),
        Priority.LOW,
        _("you asked Hearth for personal suggestions"),
        True,
    ),
    "announcement": NudgeKind(
        _("Announcements from HR"), Priority.NORMAL, _("your HR admin sent it to everyone")
    ),
    "mentoring_confirm": NudgeKind(
        _("Mentoring sessions to confirm"),
        Priority.NORMAL,
        _("a colleague logged a session naming you as their mentor"),
        action=_("Confirm or decline"),
    ),
    "pulse_conversation": NudgeKind(
        _("Replies to pulse comments"),
        Priority.LOW,
        _("you answered a pulse on which someone replied to a comment"),
        action=_("Open your conversations"),
    ),
    "pilot_report": NudgeKind(
        _("Pilot reports"),
        Priority.NORMAL,
        _("you started a pilot whose four weeks are over"),
        action=_("Read the report"),
    ),
    "moment": NudgeKind(
        _("Moments to mark on your team"),
        Priority.NORMAL,
        _("someone you manage chose to share a work anniversary or a win"),
        action=_("Say congratulations"),
    ),
    "checkin_suggestion": NudgeKind(
        _("Check-in suggestions"),
        Priority.NORMAL,
        _("you asked for a weekly suggestion of someone to check in with"),
        True,
        action=_("See who"),
    ),
    "thanks_prompt": NudgeKind(
        _("Reminders to say thank you"),
        Priority.LOW,
        _("you asked to be reminded to thank people who helped you"),
        action=_("Say thank you"),
    ),
}
NUDGE_KIND_CHOICES = [(key, kind.label) for key, kind in NUDGE_KINDS.items()]


class NudgeQuerySet(models.QuerySet):
    def inbox(self, user) -> NudgeQuerySet:
        """What the in-app notification list shows: everything delivered to `user`."""
        return self.filter(recipient=user, status=Nudge.Status.SENT).order_by("-sent_at", "-pk")

    def unread(self) -> NudgeQuerySet:
        return self.filter(read_at__isnull=True)


class Nudge(models.Model):
    """One intended message in the transactional outbox."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges"
    )
    kind = models.CharField(max_length=30, choices=NUDGE_KIND_CHOICES)
    channel = models.CharField(max_length=10)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    payload = models.JSONField(default=dict)
    dedupe_key = models.CharField(max_length=200, unique=True)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Which worker's claim this is: outcomes and sends check it, so a claim
    # released as stale and taken by another worker is never acted on twice.
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="digested"
    )

    objects = NudgeQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["recipient", "status", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.status})"

    @property
    def title(self) -> str:
        return self.payload.get("title") or NUDGE_KINDS[self.kind].label

    @property
    def body(self) -> str:
        return self.payload.get("body", "")

    @property
    def url(self) -> str:
        url = self.payload.get("url", "")
        # Only our own pages: a payload never sends someone off-site.
        return url if url.startswith("/") and not url.startswith("//") else ""

    @property
    def reason(self) -> str:
        return NUDGE_KINDS[self.kind].reason

    @property
    def is_fresh(self) -> bool:
        return bool(self.sent_at) and timezone.now() - self.sent_at < dt.timedelta(minutes=1)

    @property
    def channel_label(self) -> str:
        try:
            return NudgeChannel(self.channel).label
        except ValueError:
            return self.channel

    @property
    def kind_label_for_hr(self) -> str:
        kind = NUDGE_KINDS[self.kind]
        return _("Private message") if kind.private else kind.label
