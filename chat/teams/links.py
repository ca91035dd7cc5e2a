"""One-click links for the buttons on a Teams card.

An incoming webhook cannot hear a button press (that needs a bot), so each button opens
a Hearth page through a signed link: the link names the person, the action and its
parameters, and whoever holds it may act for that person, as with the unsubscribe
link in an e-mail. The page only asks on GET and acts on its button's POST, so a link
scanner or a preview that opens the link changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from connection.models import User
from mentorship.models import CheckIn

SALT = "hearth.chat.teams.action"
MAX_AGE = dt.timedelta(days=14)  # a card older than two weeks asks the person to sign in


def _is_week(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 52


def _is_pk(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# Each action and what its parameters must be.
ACTIONS = {
    "checkin": {
        "group": _is_pk,
        "week": _is_week,
        "answer": lambda value: value in CheckIn.Answer.values,
    },
}


class ActionLinkError(Exception):
    """The link cannot be used: its message says why, in words for the person."""


def _check(action: str, params: dict) -> None:
    rules = ACTIONS.get(action)
    if rules is None or set(params) != set(rules):
        raise ValueError(f"unknown action or parameters: {action} {sorted(params)}")
    for name, is_valid in rules.items():
        if not is_valid(params[name]):
            raise ValueError(f"{action}: {name}={params[name]!r} is not valid")


def action_token(person: User, action: str, **params) -> str:
    _check(action, params)
    return signing.dumps({"p": person.pk, "a": action, "q": params}, salt=SALT, compress=True)


def action_url(person: User, action: str, **params) -> str:
    """The absolute address of the page that does `action` for `person` in one click."""
    token = action_token(person, action, **params)
    return settings.SITE_URL + reverse("teams_action", args=[token])


def read_action(token: str) -> tuple[User, str, dict]:
    """The person, action and parameters a link names; ActionLinkError when it is
    tampered with, older than MAX_AGE, or names someone who can no longer sign in."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ActionLinkError(_("This button is more than two weeks old.")) from None
    except signing.BadSignature:
        raise ActionLinkError(_("This link is incomplete or was changed.")) from None
    try:
        person_pk, action, params = data["p"], data["a"], data["q"]
        _check(action, params)
    except (KeyError, TypeError, ValueError):
        raise ActionLinkError(_("This link is incomplete or was changed.")) from None
    person = User.objects.filter(pk=person_pk, is_active=True).select_related("team").first()
    if person is None:
        raise ActionLinkError(_("This link belongs to an account that is no longer active."))
    return person, action, params
