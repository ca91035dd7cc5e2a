"""What Hearth does with each kind of request Slack sends, once verified
(chat.slack.views): events, interactions (buttons, modals, the shortcut) and the
/hearth command. Each answers for a linked person only; anyone else is offered the
link to connect their account."""

from __future__ import annotations

from chat.models import SlackWorkspace
from chat.slack import home, pulse, replies, thanks
from chat.slack.blocks import answered, esc
from chat.slack.client import call
from chat.slack.people import connect_text, linked_person
from connection.models import User
from mentorship.models import CheckIn, MatchGroup
from mentorship.services.errors import MentorshipError
from mentorship.services.programmes import check_in
from pulse.models import Round

HELP = (
    "Hearth in Slack: `/hearth thanks @someone for <value>: what they did` to recognise a "
    "colleague; the Home tab shows your pulse, next ritual, pairing and office hours."
)


# ---------------------------------------------------------------- events


def on_event(workspace: SlackWorkspace, event: dict) -> None:
    if event.get("type") == "app_home_opened" and event.get("tab", "home") == "home":
        user_id = event.get("user", "")
        person = linked_person(workspace, user_id)
        connect = "" if person else connect_text(workspace, user_id)
        call(workspace, "views_publish", user_id=user_id, view=home.view(person, connect))
    elif replies.is_prompt_reply(event):
        replies.post_reply(workspace, event)


# ---------------------------------------------------------------- /hearth


def on_command(workspace: SlackWorkspace, user_id: str, text: str) -> dict:
    person = linked_person(workspace, user_id)
    if person is None:
        return _ephemeral(connect_text(workspace, user_id))
    word, _, rest = text.strip().partition(" ")
    if word.lower() in ("thanks", "thank", "kudos"):
        return _ephemeral(thanks.from_command(workspace, person, rest))
    return _ephemeral(HELP)


def _ephemeral(text: str) -> dict:
    return {"response_type": "ephemeral", "text": text}


# ---------------------------------------------------------------- interactions


def on_interaction(workspace: SlackWorkspace, payload: dict) -> dict | None:
    """The HTTP answer's body (None: an empty 200)."""
    user_id = (payload.get("user") or {}).get("id", "")
    person = linked_person(workspace, user_id)
    kind = payload.get("type")
    if person is None:
        return _refuse_unlinked(workspace, payload, user_id)
    if kind == "block_actions":
        for action in payload.get("actions") or []:
            _on_action(workspace, person, payload, action)
    elif kind in ("message_action", "shortcut") and payload.get("callback_id") == thanks.SHORTCUT:
        message = payload.get("message") or {}
        view = thanks.modal(message.get("user", ""), message.get("text", ""))
        call(workspace, "views_open", trigger_id=payload.get("trigger_id", ""), view=view)
    elif kind == "view_submission":
        return _on_submission(workspace, person, payload.get("view") or {})
    return None


def _refuse_unlinked(workspace: SlackWorkspace, payload: dict, user_id: str) -> dict | None:
    text = connect_text(workspace, user_id)
    if payload.get("type") == "view_submission":
        return {"response_action": "update", "view": pulse.notice("Connect Hearth", text)}
    channel = (payload.get("channel") or {}).get("id") or user_id
    call(workspace, "chat_postEphemeral", channel=channel, user=user_id, text=text)
    return None


def _on_action(workspace: SlackWorkspace, person: User, payload: dict, action: dict) -> None:
    action_id = action.get("action_id", "")
    if action_id == "pulse_open":
        _open_pulse(workspace, person, payload, action.get("value", ""))
    elif action_id.startswith("checkin_"):
        _check_in(workspace, person, payload, action_id.removeprefix("checkin_"), action)


def _open_pulse(workspace: SlackWorkspace, person: User, payload: dict, value: str) -> None:
    round_ = Round.objects.filter(pk=int(value)).first() if value.isdigit() else None
    container = payload.get("container") or {}
    metadata = ":".join([value, container.get("channel_id", ""), container.get("message_ts", "")])
    view = pulse.opening_view(round_, person, metadata)
    call(workspace, "views_open", trigger_id=payload.get("trigger_id", ""), view=view)


def _check_in(workspace, person: User, payload: dict, answer: str, action: dict) -> None:
    group_pk, _, week = action.get("value", "").partition(":")
    group = MatchGroup.objects.filter(pk=int(group_pk)).first() if group_pk.isdigit() else None
    try:
        if group is None or answer not in CheckIn.Answer.values:
            raise MentorshipError("That pairing is no longer in Hearth.")
        check_in(group=group, person=person, answer=answer, week=int(week or 1))
        text = f"Thanks: recorded “{CheckIn.Answer(answer).label}”."
    except (MentorshipError, ValueError) as error:
        text = f"Not recorded: {esc(error)}"
    _replace_message(workspace, payload, text)


def _replace_message(workspace: SlackWorkspace, payload: dict, text: str) -> None:
    container = payload.get("container") or {}
    if container.get("channel_id") and container.get("message_ts"):
        call(
            workspace,
            "chat_update",
            channel=container["channel_id"],
            ts=container["message_ts"],
            text=text,
            blocks=answered(text),
        )


def _on_submission(workspace: SlackWorkspace, person: User, view: dict) -> dict | None:
    values = (view.get("state") or {}).get("values") or {}
    callback = view.get("callback_id")
    if callback == thanks.CALLBACK:
        return thanks.submit(workspace, person, values)
    if callback != pulse.CALLBACK:
        return None
    round_pk, _, message = (view.get("private_metadata") or "").partition(":")
    round_ = Round.objects.filter(pk=int(round_pk)).first() if round_pk.isdigit() else None
    answer, stored = pulse.submit(person, round_, values)
    channel, _, ts = message.partition(":")
    if stored and channel and ts:
        text = "Answered. Thank you!"
        call(workspace, "chat_update", channel=channel, ts=ts, text=text, blocks=answered(text))
    return answer
