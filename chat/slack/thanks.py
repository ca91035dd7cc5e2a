"""Recognition from Slack: `/hearth thanks @someone for <value>: what they did`, or the
"Thank for this" message shortcut, which opens a modal naming the message's author.
Both go through rituals.services.recognition.recognise, with its daily limit, values
and checks; "Our teams" is the visibility unless the modal says otherwise."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.models import SlackWorkspace
from chat.slack.blocks import esc, plain, section
from chat.slack.payload import as_text, dicts, number, obj, strings, text
from chat.slack.people import colleague
from connection.models import User
from rituals.models import Recognition, Value
from rituals.services.errors import RitualError
from rituals.services.recognition import recognise

CALLBACK = "thanks"
MAX_RECEIVERS = 5
SHORTCUT = "hearth_thanks"
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
USAGE = gettext_lazy(
    "Say it like this: `/hearth thanks @someone for <value>: what they did`. Values: %(values)s."
)


def _values() -> list[Value]:
    return list(Value.objects.filter(active=True))


def _value_names() -> str:
    return ", ".join(v.name for v in _values()) or _("none yet (ask HR to add some)")


def parse(command_text: str) -> tuple[list[str], list[str], str]:
    """(Slack user ids, value names, message) from `@a @b for value, value: message`:
    the people and values before the first colon, what they did after it."""
    head, colon, message = command_text.partition(":")
    user_ids = MENTION.findall(head)[:MAX_RECEIVERS]
    if not colon or not user_ids:
        return user_ids, [], ""
    head = re.sub(r"^\s*for\s+", "", MENTION.sub(" ", head).strip(), flags=re.IGNORECASE)
    names = [name.strip() for name in re.split(r",|\band\b", head) if name.strip()]
    return user_ids, names, message.strip()


def from_command(workspace: SlackWorkspace, giver: User, command_text: str) -> str:
    """The ephemeral answer to `/hearth thanks …`."""
    user_ids, names, message = parse(command_text)
    message = as_text(message)
    if not user_ids or not names or not message:
        return str(USAGE) % {"values": _value_names()}
    by_name = {v.name.lower(): v for v in _values()}
    unknown = [name for name in names if name.lower() not in by_name]
    if unknown:
        return _("“%(name)s” isn't one of your values: %(values)s.") % {
            "name": esc(unknown[0]),
            "values": esc(_value_names()),
        }
    receivers = [colleague(workspace, user_id) for user_id in user_ids]
    if any(person is None for person in receivers):
        return _("One of those people isn't in Hearth yet; recognition goes to colleagues there.")
    try:
        recognise(
            giver=giver,
            receivers=receivers,
            message=message,
            values=[by_name[name.lower()] for name in names],
            visibility=Recognition.Visibility.TEAM,
        )
    except RitualError as error:
        return esc(error)
    who = ", ".join(person.get_short_name() for person in receivers)
    return _("Thanks sent to %(who)s. It's on the recognition wall for your teams.") % {
        "who": esc(who)
    }


def modal(author_id: str, excerpt: str) -> dict:
    """The shortcut's form: who (the message's author first), which values, what."""
    values = [{"text": plain(v.name), "value": str(v.pk)} for v in _values()]
    visibility = [
        {"text": plain(label), "value": value} for value, label in Recognition.Visibility.choices
    ]
    team = next(o for o in visibility if o["value"] == Recognition.Visibility.TEAM)
    people = {
        "type": "multi_users_select",
        "action_id": "answer",
        "max_selected_items": MAX_RECEIVERS,
    }
    if author_id:
        people["initial_users"] = [author_id]
    blocks = [
        {"type": "input", "block_id": "receivers", "label": plain(_("Who")), "element": people},
        {
            "type": "input",
            "block_id": "values",
            "label": plain(_("Which of your values")),
            "element": {"type": "multi_static_select", "action_id": "answer", "options": values}
            if values
            else {"type": "plain_text_input", "action_id": "answer"},
        },
        {
            "type": "input",
            "block_id": "message",
            "label": plain(_("What they did")),
            "element": {
                "type": "plain_text_input",
                "action_id": "answer",
                "multiline": True,
                "max_length": 280,
                "placeholder": plain(excerpt[:140] or _("Thanks for…"), 150),
            },
        },
        {
            "type": "input",
            "block_id": "visibility",
            "label": plain(_("Who can see it")),
            "element": {
                "type": "radio_buttons",
                "action_id": "answer",
                "options": visibility,
                "initial_option": team,
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": plain(_("Say thanks"), 24),
        "submit": plain(_("Send"), 24),
        "close": plain(_("Cancel"), 24),
        "blocks": blocks,
    }


def _field(values: dict, block: str) -> dict:
    return obj(values, block, "answer")


def submit(workspace: SlackWorkspace, giver: User, values: dict) -> dict:
    """The answer to the modal's view_submission."""
    user_ids = strings(_field(values, "receivers"), "selected_users")[:MAX_RECEIVERS]
    receivers = [colleague(workspace, user_id) for user_id in user_ids]
    if any(person is None for person in receivers):
        return _error("receivers", _("Someone there isn't in Hearth yet."))
    picked = [number(text(o, "value")) for o in dicts(_field(values, "values"), "selected_options")]
    chosen = list(Value.objects.filter(active=True, pk__in=[p for p in picked if p]))
    visibility = text(obj(_field(values, "visibility"), "selected_option"), "value")
    try:
        recognise(
            giver=giver,
            receivers=receivers,
            message=text(_field(values, "message"), "value"),
            values=chosen,
            visibility=visibility,
        )
    except RitualError as error:
        return _error("message", str(error))
    who = ", ".join(person.get_short_name() for person in receivers)
    return {
        "response_action": "update",
        "view": {
            "type": "modal",
            "title": plain(_("Thanks sent"), 24),
            "close": plain(_("Close"), 24),
            "blocks": [section(_("Your thanks reached %(who)s.") % {"who": esc(who)})],
        },
    }


def _error(block: str, message: str) -> dict:
    return {"response_action": "errors", "errors": {block: message}}
