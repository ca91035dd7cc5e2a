"""Hearth's Slack messages and views as Block Kit: plain dicts, built from what the
outbox rendered (connection.nudges.message_context) and the hints a nudge's payload
carries for chat apps (payload["chat"])."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from connection.nudge_channels import slack_escape
from mentorship.models import CheckIn

CHECKIN_ANSWERS = [
    (CheckIn.Answer.MET, "primary"),
    (CheckIn.Answer.NOT_YET, None),
    (CheckIn.Answer.RESCHEDULED, None),
]


# Text as Slack shows it literally: its markup characters escaped.
esc = slack_escape


def plain(text: str, limit: int = 75) -> dict:
    return {"type": "plain_text", "text": str(text)[:limit], "emoji": True}


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context_line(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def button(label: str, action_id: str, value: str = "", *, url: str = "", style=None) -> dict:
    element = {"type": "button", "text": plain(label), "action_id": action_id}
    if value:
        element["value"] = value
    if url:
        element["url"] = url
    if style:
        element["style"] = style
    return element


def actions(*elements: dict, block_id: str | None = None) -> dict:
    block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def slack_date(moment: dt.datetime, token: str, fallback: str) -> str:
    """A time every reader sees in their own time zone (Slack's date formatting)."""
    return f"<!date^{int(moment.timestamp())}^{token}|{esc(fallback)}>"


def who_sees_what(k: int) -> str:
    return _(
        "*Who sees what:* nobody sees your answers. Your manager sees your team's results "
        "only when at least %(k)s people answered, and never who answered what. Hearth keeps "
        "nothing Slack sends with your answers."
    ) % {"k": k}


def item_blocks(item: dict, hint: dict, extra: dict) -> list[dict]:
    """One outbox item: its title and body, then the buttons its hint calls for."""
    blocks = [
        section(f"*{esc(item['title'])}*" + (f"\n{esc(item['body'])}" if item["body"] else ""))
    ]
    open_link = button(item["action"], "open_in_hearth", url=item["url"]) if item["url"] else None
    if "pulse" in hint:
        blocks.append(section(who_sees_what(extra["k"])))
        answer = button(_("Answer here"), "pulse_open", str(hint["pulse"]), style="primary")
        blocks.append(actions(answer, *([open_link] if open_link else [])))
    elif "checkin" in hint:
        value = f"{hint['checkin']}:{hint.get('week', 1)}"
        blocks.append(
            actions(
                *(
                    button(answer.label, f"checkin_{answer.value}", value, style=style)
                    for answer, style in CHECKIN_ANSWERS
                ),
                block_id=f"checkin:{value}",
            )
        )
    elif "thread_team" in hint:
        line = _(
            "Reply in this message's thread with a line or two: it goes to your team's "
            "thread in Hearth. Add `Highlight:` and one thing outside work, if you like."
        )
        if extra.get("shares_highlights"):
            line += " " + _("Your team shares highlights in its Slack channel too.")
        blocks.append(context_line(line))
    elif open_link:
        blocks.append(actions(open_link))
    return blocks


def nudge_message(context: dict, hints: list[dict], extras: list[dict]) -> tuple[str, list]:
    """The whole message: each item, then why it came and how to turn it off."""
    blocks: list[dict] = []
    if context["is_digest"]:
        blocks.append(section(f"*{esc(context['subject'])}*"))
    for item, hint, extra in zip(context["items"], hints, extras, strict=True):
        if context["is_digest"]:
            blocks.append({"type": "divider"})
        blocks.extend(item_blocks(item, hint, extra))
    first = context["items"][0]
    blocks.append(
        context_line(
            _(
                "You get this because %(reason)s. <%(off_url)s|Turn these off> · "
                "<%(preferences_url)s|Choose what reaches you>"
            )
            % {
                "reason": esc(first["reason"]),
                "off_url": context["unsubscribe_url"],
                "preferences_url": context["preferences_url"],
            }
        )
    )
    return context["subject"], blocks


def introduction(names: list[str], reasons: list[str], slots: list, starter: str, url: str) -> list:
    """A pairing's one message in its group DM: who, why, when, and a first question.

    The suggested times are inside everyone's working hours; Slack shows each reader
    them in their own time zone."""
    text = _("*Meet each other: %(names)s*") % {"names": esc(", ".join(names))}
    if reasons:
        text += "\n" + _("Why you: %(reasons)s.") % {"reasons": esc("; ".join(reasons[:2]))}
    blocks = [section(text)]
    if slots:
        times = ", ".join(
            slack_date(slot, "{date_short_pretty} {time}", f"{slot:%a %d %b %H:%M} UTC")
            for slot in slots
        )
        blocks.append(
            section(
                _("Times inside everyone's working hours (your time): %(times)s.")
                % {"times": times}
            )
        )
    if starter:
        blocks.append(section(_("A starter: _%(starter)s_") % {"starter": esc(starter)}))
    blocks.append(actions(button(_("See the match in Hearth"), "open_in_hearth", url=url)))
    return blocks


def answered(text: str) -> list[dict]:
    """What a message with buttons turns into once they were used."""
    return [section(text)]
