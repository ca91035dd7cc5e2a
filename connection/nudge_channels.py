"""How one message reaches a person outside Hearth: e-mail, or a post to a
Slack or Teams webhook, or through a chat app an app above the core registers.

The outbox (connection.nudges) decides what to send, to whom and when, and
renders the message's context; this module only sends it, and says whether a
failure is worth trying again (TransientFailure) or not (PermanentFailure).
"""

from __future__ import annotations

import http.client
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils import translation

from connection.models import Nudge, NudgeChannel, User
from connection.webhooks import WebhookRefused, post_json

WEBHOOK_TIMEOUT = 5  # seconds


class PermanentFailure(Exception):
    """Sending cannot work until someone changes something: fail now, keep the reason.

    A failure's text is stored in the outbox row (`last_error`), so it stays in
    English, like a log line, whatever language the message was written in.
    """


class TransientFailure(Exception):
    """The transport hiccuped: try again later."""


# A chat app (chat/) registers, from its AppConfig.ready(), how it delivers a channel's
# messages: an app transport (say, a Slack DM from Hearth's Slack app) is tried first
# and answers whether it delivered; a webhook body builder shapes what a webhook gets
# (say, a Teams Adaptive Card instead of plain text). The core imports no app.
AppTransport = Callable[[list[Nudge], User, dict], bool]
WebhookBody = Callable[[list[Nudge], User, dict], dict]
_APP_TRANSPORTS: dict[str, AppTransport] = {}
_APP_REACHES: dict[str, Callable[[User], bool]] = {}
_WEBHOOK_BODIES: dict[str, WebhookBody] = {}


def register_app_transport(
    channel: str, transport: AppTransport, reaches: Callable[[User], bool]
) -> None:
    """`transport` sends; `reaches(person)` says whether it can reach them at all (the
    preferences page lets a person choose the channel without a webhook then)."""
    _APP_TRANSPORTS[channel] = transport
    _APP_REACHES[channel] = reaches


def app_reaches(channel: str, person: User) -> bool:
    reaches = _APP_REACHES.get(channel)
    return reaches is not None and reaches(person)


def register_webhook_body(channel: str, build: WebhookBody) -> None:
    _WEBHOOK_BODIES[channel] = build


def send_through_app(channel: str, group: list[Nudge], person: User, context: dict) -> bool:
    """True when an app delivered the message (False: nobody registered, or the app
    does not reach this person and the webhook should)."""
    transport = _APP_TRANSPORTS.get(channel)
    return transport is not None and transport(group, person, context)


def send_email(group: list[Nudge], person: User, context: dict, mail_connection=None) -> None:
    try:
        validate_email(person.email)
    except ValidationError:
        problem = f"“{person.email}” is not a valid e-mail address"
        raise PermanentFailure(problem) from None
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
        problem = f"e-mail server: {error}"
        raise TransientFailure(problem) from error


def webhook_url(person: User, channel: str) -> str:
    field_name = f"{channel}_webhook_url"
    url = getattr(person, field_name) or (getattr(person.team, field_name) if person.team else "")
    if not url:
        label = NudgeChannel(channel).label
        problem = f"no {label} webhook is set for this person or their team"
        raise PermanentFailure(problem)
    return url


def slack_escape(text: str) -> str:
    """Text Slack shows as written: its markup (`<!channel>`, `<url|label>`) inert."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _as_chat_text(context: dict, channel: str) -> dict:
    """The template's context with what people wrote made inert for Slack's markup
    (a recognition's "<!channel>" must not ping a team's channel)."""
    if channel != NudgeChannel.SLACK:
        return context | {"channel": channel}
    fields = ("title", "body", "action", "reason")
    items = [item | {f: slack_escape(item[f]) for f in fields} for item in context["items"]]
    return context | {"channel": channel, "items": items}


def send_webhook(group: list[Nudge], person: User, channel: str, context: dict) -> None:
    url = webhook_url(person, channel)
    build = _WEBHOOK_BODIES.get(channel)
    if build is not None:
        body = build(group, person, context)
    else:
        text = render_to_string("emails/nudge_chat.txt", _as_chat_text(context, channel))
        body = {"text": text.strip()}
    try:
        with translation.override(None):  # a refusal's reason is stored: in English
            status = post_json(url, body, channel=channel, timeout=WEBHOOK_TIMEOUT)
    except WebhookRefused as refusal:
        problem = f"webhook address refused: {refusal}"
        raise PermanentFailure(problem) from refusal
    except (OSError, http.client.HTTPException) as error:
        problem = f"webhook unreachable: {error}"
        raise TransientFailure(problem) from error
    if status == 429 or status >= 500:
        problem = f"webhook answered {status}"
        raise TransientFailure(problem)
    if 300 <= status < 400:
        problem = f"webhook answered {status}: Hearth does not follow redirects"
        raise PermanentFailure(problem)
    if status >= 400:
        problem = f"webhook refused the message ({status})"
        raise PermanentFailure(problem)
