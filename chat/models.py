"""What the chat apps keep: the Slack workspace Hearth is installed in (its bot token
encrypted), each person's linked Slack account, the requests already seen (replays and
Slack's retries), the micro-update prompts awaiting a reply, each pairing's one group
introduction, and the Slack channel a team's highlights go to.

Nothing here holds a pulse answer or anything Slack sent with one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.crypto import decrypt, encrypt
from connection.models import Team


class SlackWorkspace(models.Model):
    """A Slack workspace the app was installed in through Slack's OAuth v2 flow."""

    team_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    app_id = models.CharField(max_length=32, blank=True)
    bot_user_id = models.CharField(max_length=32)
    bot_token_encrypted = models.TextField()
    scopes = models.TextField(blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    installed_at = models.DateTimeField(default=timezone.now)
    # Off once Slack says the app was uninstalled or its token revoked: messages fall
    # back to the webhooks and Slack's requests are refused until HR installs again.
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.team_id})"

    @property
    def bot_token(self) -> str:
        return decrypt(self.bot_token_encrypted)

    @bot_token.setter
    def bot_token(self, plain: str) -> None:
        self.bot_token_encrypted = encrypt(plain)


class SlackAccount(models.Model):
    """A person's Slack identity, linked once they confirmed it in the browser."""

    workspace = models.ForeignKey(SlackWorkspace, on_delete=models.CASCADE, related_name="accounts")
    slack_user_id = models.CharField(max_length=32)
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_account"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "slack_user_id"], name="one_person_per_slack_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slack_user_id} → {self.person_id}"


class SeenRequest(models.Model):
    """A Slack request already handled: a signature (a replay is refused) or an event id
    (Slack's retry is answered 200 and dropped). Kept a little past the 5-minute window;
    holds digests only, never the request."""

    key = models.CharField(max_length=80, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class SlackPrompt(models.Model):
    """A micro-update prompt sent to a person's DM: a reply in its thread becomes their
    post in the team's thread in Hearth."""

    channel_id = models.CharField(max_length=32)
    ts = models.CharField(max_length=32)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_prompts"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel_id", "ts"], name="one_prompt_per_message")
        ]

    def __str__(self) -> str:
        return f"prompt {self.channel_id}/{self.ts}"


class SlackIntroduction(models.Model):
    """A pairing introduced in one group DM: the first member's delivery posts it, the
    others' find it here and are not sent it twice."""

    group = models.OneToOneField(
        "mentorship.MatchGroup", on_delete=models.CASCADE, related_name="slack_introduction"
    )
    channel_id = models.CharField(max_length=32)
    ts = models.CharField(max_length=32, blank=True)
    posted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"group {self.group_id} in {self.channel_id}"


class TeamSlackChannel(models.Model):
    """The Slack channel a team chose for its micro-update highlights."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="slack_channel")
    channel_id = models.CharField(
        max_length=32, help_text=_("The channel's id (in Slack: channel details, at the bottom).")
    )
    share_highlights = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.team_id} → {self.channel_id}"
