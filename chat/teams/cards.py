"""The outbox's messages as Teams Adaptive Cards (version 1.5), for an incoming webhook
or a Workflows "post to a channel when a webhook request is received".

A webhook cannot receive a button press, so every button is an Action.OpenUrl: to
the item's page in Hearth, or to a signed one-click page (chat.teams.links) for the
answers a check-in asks for. Text is plain: a TextBlock renders a little markdown, and
a title someone typed must not become a link that hides where it leads.

A signed link acts for the person without a sign-in, so it goes only to the person's
own webhook: on their team's channel, where colleagues read the card too, the card
names who it is for and its buttons lead to Hearth's pages, which ask them to sign in.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.teams.links import action_url
from connection.i18n import speaking
from connection.models import Nudge, User
from mentorship.models import CheckIn

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CHECKIN_KINDS = ("pairing", "buddy_checkin")
CHECKIN_BUTTONS = (
    (CheckIn.Answer.MET, gettext_lazy("We met")),
    (CheckIn.Answer.NOT_YET, gettext_lazy("Not yet")),
    (CheckIn.Answer.RESCHEDULED, gettext_lazy("Rescheduled")),
)

# The "]" of "[label](target)", "[label] (target)" or a reference "[label]: target".
_LINK_MIDDLE = re.compile(r"\](?=\s*[(:])")


def plain(text: str) -> str:
    """`text` with no markdown link left in it: "[x](http://evil)" reads "x (http://evil)",
    so the address shows instead of hiding behind the words. Brackets that open no
    link stay as they are ("[WIP] Deploys")."""
    while match := _LINK_MIDDLE.search(text):
        close = match.start()
        depth, opening = 0, -1
        for index in range(close - 1, -1, -1):
            if text[index] == "]":
                depth += 1
            elif text[index] == "[":
                if depth == 0:
                    opening = index
                    break
                depth -= 1
        gap = " " if text[close + 1 : close + 2] == "(" else ""
        if opening < 0:
            text = text[:close] + gap + text[close + 1 :]
        else:
            label = text[opening + 1 : close]
            text = text[:opening] + label + gap + text[close + 1 :]
    return text


def text_block(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": plain(text), "wrap": True, **style}


def open_url(title: str, url: str, **style) -> dict:
    return {"type": "Action.OpenUrl", "title": str(title), "url": url, **style}


def checkin_buttons(nudge: Nudge, person: User) -> list[dict]:
    """We met / Not yet / Rescheduled, when the nudge asks how a pairing went."""
    hint = nudge.payload.get("chat") or {}
    group, week = hint.get("checkin"), hint.get("week", 1)
    if nudge.kind not in CHECKIN_KINDS or not isinstance(group, int):
        return []
    return [
        open_url(
            title,
            action_url(person, "checkin", group=group, week=week, answer=str(answer)),
            **({"style": "positive"} if answer == CheckIn.Answer.MET else {}),
        )
        for answer, title in CHECKIN_BUTTONS
    ]


def item_container(nudge: Nudge, item: dict, person: User, *, digest: bool, own: bool) -> dict:
    """One message: title, body, why the person gets it, and its buttons (the signed
    one-click answers only on the person's `own` webhook)."""
    body = [text_block(item["title"], size="Medium" if digest else "Large", weight="Bolder")]
    if item["body"]:
        body.append(text_block(item["body"]))
    reason = _("You get this because %(reason)s.") % {"reason": item["reason"]}
    if not own:
        reason = _("For %(name)s. %(reason)s") % {"name": person.get_short_name(), "reason": reason}
    body.append(
        text_block(
            reason,
            isSubtle=True,
            size="Small",
            spacing="Small",
        )
    )
    actions = checkin_buttons(nudge, person) if own else []
    if item["url"]:
        actions.append(open_url(item["action"], item["url"]))
    if actions:
        body.append({"type": "ActionSet", "actions": actions})
    return {"type": "Container", "items": body, "separator": digest, "spacing": "Medium"}


def card(group: list[Nudge], person: User, context: dict) -> dict:
    digest = context["is_digest"]
    own = bool(person.teams_webhook_url)  # else the team's channel: see the module's note
    body = [text_block(context["subject"], size="Large", weight="Bolder")] if digest else []
    body += [
        item_container(nudge, item, person, digest=digest, own=own)
        for nudge, item in zip(group, context["items"], strict=True)
    ]
    turn_off = context["unsubscribe_url"] if digest else context["items"][0]["turn_off_url"]
    actions = [open_url(_("Turn these off"), turn_off)] if own else []
    return {
        "$schema": SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.5",
        "fallbackText": plain(context["subject"]),
        "body": body,
        "actions": [*actions, open_url(_("Preferences"), context["preferences_url"])],
    }


def webhook_body(group: list[Nudge], person: User, context: dict) -> dict:
    """What a Teams webhook is posted: one message carrying one Adaptive Card, in the
    person's language."""
    with speaking(person):
        content = card(group, person, context)
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": content}],
    }
