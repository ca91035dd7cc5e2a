"""Who a Slack user is in Hearth.

A person links their Slack identity once: the first time they use the app, Slack's
verified e-mail for them (users.info) must be a Hearth account's, and they confirm
it, signed in, in the browser. Until then Hearth acts for nobody: the app answers
with a link to connect. A colleague named in a thanks is found by their link, or by
Slack's verified e-mail when they have not linked yet (naming them is not acting as
them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from chat.models import SlackAccount, SlackWorkspace
from chat.slack.client import call
from chat.slack.payload import obj, text
from connection.i18n import speaking
from connection.models import User
from connection.nudge_channels import PermanentFailure, TransientFailure

LINK_SALT = "hearth.chat.slack.link"
LINK_MAX_AGE = 60 * 60 * 24  # a day to open the link


class LinkError(Exception):
    """Why a Slack account can't be linked; the message is for the person."""


@dataclass(frozen=True)
class SlackIdentity:
    workspace: str  # team id
    user_id: str
    email: str
    name: str


def linked_person(workspace: SlackWorkspace, user_id: str) -> User | None:
    account = (
        SlackAccount.objects.filter(workspace=workspace, slack_user_id=user_id)
        .select_related("person", "person__team")
        .first()
    )
    if account is None or not account.person.is_active:
        return None
    return account.person


def slack_identity(workspace: SlackWorkspace, user_id: str) -> SlackIdentity | None:
    """Slack's verified e-mail and name for `user_id`; None when Slack has none."""
    try:
        user = obj(call(workspace, "users_info", user=user_id), "user")
    except (PermanentFailure, TransientFailure):
        return None
    profile = obj(user, "profile")
    email = text(profile, "email")
    if not email or user.get("deleted") or user.get("is_bot"):
        return None
    if user.get("is_email_confirmed") is not True:
        return None  # Slack hasn't confirmed the person owns the address
    name = text(profile, "real_name") or text(user, "name")
    return SlackIdentity(workspace.team_id, user_id, email.lower(), name)


def colleague(workspace: SlackWorkspace, user_id: str) -> User | None:
    person = linked_person(workspace, user_id)
    if person is not None:
        return person
    identity = slack_identity(workspace, user_id)
    if identity is None:
        return None
    return User.objects.active().filter(email__iexact=identity.email).first()


def link_token(identity: SlackIdentity) -> str:
    return signing.dumps(
        {"w": identity.workspace, "u": identity.user_id, "e": identity.email, "n": identity.name},
        salt=LINK_SALT,
        compress=True,
    )


def link_url(identity: SlackIdentity) -> str:
    return settings.SITE_URL + reverse("slack_link", args=[link_token(identity)])


def connect_text(workspace: SlackWorkspace, user_id: str) -> str:
    """The friendly answer to someone Hearth does not know yet, in the language of the
    account Slack's e-mail names (else the organisation's)."""
    identity = slack_identity(workspace, user_id)
    if identity is None:
        with speaking(None):
            return _(
                "Hearth doesn't know you yet, and Slack has no verified e-mail for you to "
                "match. Ask your HR admin to add you, then try again."
            )
    with speaking(User.objects.filter(email__iexact=identity.email).first()):
        return _(
            "Hearth doesn't know your Slack account yet. <%(url)s|Connect it to Hearth> "
            "(one click, signed in as %(email)s); then try again."
        ) % {"url": link_url(identity), "email": identity.email}


def read_link(token: str) -> SlackIdentity:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkError(
            _("This link has expired: ask the Hearth app in Slack for a new one.")
        ) from None
    except signing.BadSignature:
        raise LinkError(_("This link isn't one Hearth made.")) from None
    return SlackIdentity(data["w"], data["u"], data["e"], data.get("n", ""))


def link(person: User, identity: SlackIdentity) -> SlackAccount:
    """Link `identity` to `person`, who must be the one its verified e-mail names."""
    if person.email.lower() != identity.email:
        raise LinkError(
            _(
                "This Slack account's e-mail is %(slack)s, but you're signed in as "
                "%(email)s. Sign in as %(slack)s to connect it."
            )
            % {"slack": identity.email, "email": person.email}
        )
    workspace = SlackWorkspace.objects.filter(team_id=identity.workspace).first()
    if workspace is None:
        raise LinkError(_("Hearth is no longer installed in that Slack workspace."))
    try:
        with transaction.atomic():
            SlackAccount.objects.filter(
                workspace=workspace, slack_user_id=identity.user_id
            ).exclude(person=person).delete()  # the e-mail moved to this person: the old link goes
            account, _created = SlackAccount.objects.update_or_create(
                person=person,
                defaults={"workspace": workspace, "slack_user_id": identity.user_id},
            )
    except IntegrityError:
        raise LinkError(_("That Slack account was linked a moment ago; reload the page.")) from None
    return account
