"""Installing the Slack app in a workspace, through Slack's OAuth v2 flow.

HR starts it on Hearth's chat settings; Slack asks them to allow the app's scopes and
sends them back with a code, which Hearth exchanges (oauth.v2.access) for the
workspace's bot token, kept encrypted (chat.crypto). The state parameter is signed,
names the HR admin and a nonce kept in their session, and lasts ten minutes.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from chat.models import SlackWorkspace
from chat.slack.client import call
from connection.audit import record
from connection.models import AuditEntry, User
from connection.nudge_channels import PermanentFailure, TransientFailure

STATE_SALT = "hearth.chat.slack.install"
STATE_MAX_AGE = 600
SESSION_KEY = "slack_install_nonce"
BOT_SCOPES = [
    "chat:write",
    "im:write",
    "im:history",
    "mpim:write",
    "users:read",
    "users:read.email",
    "commands",
]


class InstallError(Exception):
    """Why the install did not finish; the message is for HR."""


def configured() -> bool:
    return bool(
        settings.HEARTH_SLACK_CLIENT_ID
        and settings.HEARTH_SLACK_CLIENT_SECRET
        and settings.HEARTH_SLACK_SIGNING_SECRET
    )


def redirect_uri() -> str:
    return settings.SITE_URL + reverse("slack_oauth")


def authorize_url(person: User, session) -> str:
    nonce = secrets.token_urlsafe(16)
    session[SESSION_KEY] = nonce
    state = signing.dumps({"p": person.pk, "n": nonce}, salt=STATE_SALT)
    query = urlencode(
        {
            "client_id": settings.HEARTH_SLACK_CLIENT_ID,
            "scope": ",".join(BOT_SCOPES),
            "redirect_uri": redirect_uri(),
            "state": state,
        }
    )
    return f"{settings.HEARTH_SLACK_AUTHORIZE_URL}?{query}"


def complete(person: User, session, code: str, state: str) -> SlackWorkspace:
    """Exchange the code for the bot token and keep the workspace."""
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise InstallError(
            _("That install link expired or wasn't Hearth's: start again.")
        ) from None
    nonce = session.pop(SESSION_KEY, None)
    if data.get("p") != person.pk or not nonce or data.get("n") != nonce:
        raise InstallError(_("That install was started by someone else, or already finished."))
    try:
        answer = call(
            None,
            "oauth_v2_access",
            client_id=settings.HEARTH_SLACK_CLIENT_ID,
            client_secret=settings.HEARTH_SLACK_CLIENT_SECRET,
            code=code,
            redirect_uri=redirect_uri(),
        )
    except (PermanentFailure, TransientFailure) as error:
        raise InstallError(
            _("Slack didn't accept the install (%(error)s); try again.") % {"error": error}
        ) from None
    team = answer.get("team") or {}
    if answer.get("token_type") != "bot" or not team.get("id"):
        raise InstallError(_("Slack answered without a bot token; check the app's scopes."))
    with transaction.atomic():
        workspace = SlackWorkspace.objects.filter(team_id=team["id"]).first() or SlackWorkspace(
            team_id=team["id"]
        )
        workspace.name = team.get("name", "")[:200]
        workspace.app_id = answer.get("app_id", "")
        workspace.bot_user_id = answer.get("bot_user_id", "")
        workspace.scopes = answer.get("scope", "")
        workspace.bot_token = answer["access_token"]
        workspace.installed_by = person
        workspace.active = True
        workspace.save()
        record(
            actor=person,
            action=AuditEntry.Action.CHAT_INSTALLED,
            target=workspace,
            detail={"workspace": workspace.name, "scopes": workspace.scopes},
        )
    return workspace
