"""Replies to Hearth's DMs: a reply in a micro-update prompt's thread becomes the
person's post in their team's thread in Hearth (`Highlight:` starts the highlight),
and the highlight goes to the team's Slack channel when the team chose that."""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext as _

from chat.models import SlackPrompt, SlackWorkspace, TeamSlackChannel
from chat.slack.blocks import esc
from chat.slack.client import call
from chat.slack.payload import as_text, text
from chat.slack.people import linked_person
from connection.i18n import org_language, speaking
from rituals.services.errors import RitualError
from rituals.services.thread import post_to_thread

HIGHLIGHT = re.compile(r"\bhighlight\s*:", re.IGNORECASE)


def split(text: str) -> tuple[str, str]:
    """(status, highlight) from a reply; Slack's markup of links and names kept as text."""
    parts = HIGHLIGHT.split(text, maxsplit=1)
    status = parts[0].strip()
    highlight = parts[1].strip() if len(parts) > 1 else ""
    return status, highlight


def is_prompt_reply(event: dict) -> bool:
    return (
        text(event, "type") == "message"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(text(event, "thread_ts"))
        and text(event, "channel") != ""
        and text(event, "thread_ts") != text(event, "ts")
    )


def post_reply(workspace: SlackWorkspace, event: dict) -> bool:
    """Post a prompt's reply to the team thread; False when it answers no prompt of
    this person's (any other message in the DM is left alone)."""
    prompt = (
        SlackPrompt.objects.filter(channel_id=text(event, "channel"), ts=text(event, "thread_ts"))
        .select_related("team")
        .first()
    )
    person = linked_person(workspace, text(event, "user"))
    if prompt is None or person is None or prompt.person_id != person.pk:
        return False
    status, highlight = split(as_text(text(event, "text")))
    with speaking(person):
        try:
            post_to_thread(author=person, team=prompt.team, status=status, highlight=highlight)
        except RitualError as error:
            _answer(workspace, event, _("Not posted: %(error)s") % {"error": esc(error)})
            return True
        _answer(
            workspace,
            event,
            _("Posted to %(team)s's thread in Hearth.") % {"team": esc(prompt.team.name)},
        )
    channel = TeamSlackChannel.objects.filter(team=prompt.team, share_highlights=True).first()
    if highlight and channel is not None:
        with translation.override(org_language()):  # the team's channel: everyone reads it
            line = _("%(name)s's highlight today: %(highlight)s") % {
                "name": esc(person.get_short_name()),
                "highlight": esc(highlight),
            }
        call(
            workspace, "chat_postMessage", channel=channel.channel_id, text=line, unfurl_links=False
        )
    return True


def _answer(workspace: SlackWorkspace, event: dict, text: str) -> None:
    call(
        workspace,
        "chat_postMessage",
        channel=event["channel"],
        thread_ts=event["thread_ts"],
        text=text,
    )
