"""How one message reaches a person outside Hearth: e-mail, or a post to a
Slack or Teams webhook.

The outbox (connection.nudges) decides what to send, to whom and when, and
renders the message's context; this module only sends it, and says whether a
failure is worth trying again (TransientFailure) or not (PermanentFailure).
"""

from __future__ import annotations

import http.client

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template.loader import render_to_string

from connection.models import Nudge, NudgeChannel, User
from connection.webhooks import WebhookRefused, post_json

WEBHOOK_TIMEOUT = 5  # seconds


class PermanentFailure(Exception):
    """Sending cannot work until someone changes something: fail now, keep the reason."""


class TransientFailure(Exception):
    """The transport hiccuped: try again later."""


def send_email(group: list[Nudge], person: User, context: dict, mail_connection=None) -> None:
    try:
        validate_email(person.email)
    except ValidationError:
        raise PermanentFailure(f"“{person.email}” is not a valid e-mail address") from None
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=render_to_string("emails/nudge.txt", context),
        to=[person.email],
        connection=mail_connection,
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Hearth-Nudge": group[0].dedupe_key,
        },
    )
    message.attach_alternative(render_to_string("emails/nudge.html", context), "text/html")
    try:
        message.send()
    except (OSError, ConnectionError) as error:
        raise TransientFailure(f"e-mail server: {error}") from error


def webhook_url(person: User, channel: str) -> str:
    field_name = f"{channel}_webhook_url"
    url = getattr(person, field_name) or (getattr(person.team, field_name) if person.team else "")
    if not url:
        label = NudgeChannel(channel).label
        raise PermanentFailure(f"no {label} webhook is set for this person or their team")
    return url


def send_webhook(person: User, channel: str, context: dict) -> None:
    url = webhook_url(person, channel)
    text = render_to_string("emails/nudge_chat.txt", context | {"channel": channel}).strip()
    try:
        status = post_json(url, {"text": text}, channel=channel, timeout=WEBHOOK_TIMEOUT)
    except WebhookRefused as refusal:
        raise PermanentFailure(f"webhook address refused: {refusal}") from refusal
    except (OSError, http.client.HTTPException) as error:
        raise TransientFailure(f"webhook unreachable: {error}") from error
    if status == 429 or status >= 500:
        raise TransientFailure(f"webhook answered {status}")
    if 300 <= status < 400:
        raise PermanentFailure(f"webhook answered {status}: Hearth does not follow redirects")
    if status >= 400:
        raise PermanentFailure(f"webhook refused the message ({status})")
