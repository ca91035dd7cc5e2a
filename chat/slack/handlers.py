"""What Hearth does with each kind of request Slack sends, once verified
(chat.slack.views): events, interactions (buttons, modals, the shortcut) and the
/hearth command. Each answers for a linked person only; anyone else is offered the
link to connect their account. Payloads are read through chat.slack.payload, which
never trusts their shape."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.models import SlackAccount, SlackWorkspace
from chat.slack import home, pulse, replies, thanks
from chat.slack.blocks import answered, esc
from chat.slack.client import call
from chat.slack.payload import dicts, number, obj, text
from chat.slack.people import connect_text, linked_person
from connection.i18n import speaking
from connection.models import User
from mentorship.models import CheckIn, MatchGroup
from mentorship.services.errors import MentorshipError
from mentorship.services.programmes import check_in
from pulse.models import Round

HELP = gettext_lazy(
    "Hearth in Slack: `/hearth thanks @someone for <value>: what they did` to recognise a "
    "colleague; the Home tab shows your pulse, next ritual, pairing and office hours."
)


# ---------------------------------------------------------------- events


def on_event(workspace: SlackWorkspace, event: dict) -> None:
    kind = text(event, "type")
    if kind in ("app_uninstalled", "tokens_revoked"):
        SlackWorkspace.objects.filter(pk=workspace.pk).update(active=False)
    elif kind == "user_change":
        _forget_if_email_changed(workspace, obj(event, "user"))
    elif kind == "app_home_opened" and text(event, "tab") in ("home", ""):
        user_id = text(event, "user")
        person = linked_person(workspace, user_id)
        connect = "" if person else connect_text(workspace, user_id)
        with speaking(person):
            view = home.view(person, connect)
        call(workspace, "views_publish", user_id=user_id, view=view)
    elif replies.is_prompt_reply(event):
        replies.post_reply(workspace, event)


def _forget_if_email_changed(workspace: SlackWorkspace, user: dict) -> None:
    """A Slack account whose e-mail changed (handed to someone else) is no longer
    linked: its new owner connects again, as themselves."""
    email = text(obj(user, "profile"), "email").lower()
    account = SlackAccount.objects.filter(
        workspace=workspace, slack_user_id=text(user, "id")
    ).select_related("person")
    for linked in account:
        if user.get("deleted") or email != linked.person.email.lower():
            linked.delete()


# ---------------------------------------------------------------- /hearth


def on_command(workspace: SlackWorkspace, user_id: str, command_text: str) -> dict:
    person = linked_person(workspace, user_id)
    if person is None:
        return _ephemeral(connect_text(workspace, user_id))
    word, _space, rest = command_text.strip().partition(" ")
    with speaking(person):
        if word.lower() in ("thanks", "thank", "kudos"):
            return _ephemeral(thanks.from_command(workspace, person, rest))
        return _ephemeral(str(HELP))


def _ephemeral(message: str) -> dict:
    return {"response_type": "ephemeral", "text": message}


# ---------------------------------------------------------------- interactions


def on_interaction(workspace: SlackWorkspace, payload: dict) -> dict | None:
    """The HTTP answer's body (None: an empty 200), in the person's language."""
    user_id = text(obj(payload, "user"), "id")
    person = linked_person(workspace, user_id)
    if person is None:
        return _refuse_unlinked(workspace, payload, user_id)
    with speaking(person):
        return _interact(workspace, person, payload)


def _interact(workspace: SlackWorkspace, person: User, payload: dict) -> dict | None:
    kind = text(payload, "type")
    if kind == "block_actions":
        for action in dicts(payload, "actions"):
            _on_action(workspace, person, payload, action)
    elif kind in ("message_action", "shortcut") and text(payload, "callback_id") == thanks.SHORTCUT:
        message = obj(payload, "message")
        view = thanks.modal(text(message, "user"), text(message, "text"))
        call(workspace, "views_open", trigger_id=text(payload, "trigger_id"), view=view)
    elif kind == "view_submission":
        return _on_submission(workspace, person, obj(payload, "view"))
    return None


def _refuse_unlinked(workspace: SlackWorkspace, payload: dict, user_id: str) -> dict | None:
    if not user_id:
        return None
    message = connect_text(workspace, user_id)
    if text(payload, "type") == "view_submission":
        with speaking(None):
            title = _("Connect Hearth")
        return {"response_action": "update", "view": pulse.notice(title, message)}
    channel = text(obj(payload, "channel"), "id") or user_id
    call(workspace, "chat_postEphemeral", channel=channel, user=user_id, text=message)
    return None


def _on_action(workspace: SlackWorkspace, person: User, payload: dict, action: dict) -> None:
    action_id = text(action, "action_id")
    if action_id == "pulse_open":
        _open_pulse(workspace, person, payload, text(action, "value"))
    elif action_id.startswith("checkin_"):
        _check_in(workspace, person, payload, action_id.removeprefix("checkin_"), action)


def _open_pulse(workspace: SlackWorkspace, person: User, payload: dict, value: str) -> None:
    round_pk = number(value)
    round_ = Round.objects.filter(pk=round_pk).first() if round_pk else None
    container = obj(payload, "container")
    metadata = ":".join([value, text(container, "channel_id"), text(container, "message_ts")])
    view = pulse.opening_view(round_, person, metadata)
    call(workspace, "views_open", trigger_id=text(payload, "trigger_id"), view=view)


def _check_in(workspace, person: User, payload: dict, answer: str, action: dict) -> None:
    group_pk, _colon, week = text(action, "value").partition(":")
    group = MatchGroup.objects.filter(pk=number(group_pk)).first() if number(group_pk) else None
    try:
        if group is None or answer not in CheckIn.Answer.values or number(week) is None:
            raise MentorshipError(_("That pairing is no longer in Hearth."))
        check_in(group=group, person=person, answer=answer, week=number(week))
        message = _("Thanks: recorded “%(answer)s”.") % {"answer": CheckIn.Answer(answer).label}
    except MentorshipError as error:
        message = _("Not recorded: %(error)s") % {"error": esc(error)}
    _replace_message(workspace, payload, message)


def _replace_message(workspace: SlackWorkspace, payload: dict, message: str) -> None:
    container = obj(payload, "container")
    channel, ts = text(container, "channel_id"), text(container, "message_ts")
    if channel and ts:
        call(
            workspace, "chat_update", channel=channel, ts=ts, text=message, blocks=answered(message)
        )


def _on_submission(workspace: SlackWorkspace, person: User, view: dict) -> dict | None:
    values = obj(view, "state", "values")
    callback = text(view, "callback_id")
    if callback == thanks.CALLBACK:
        return thanks.submit(workspace, person, values)
    if callback != pulse.CALLBACK:
        return None
    round_pk, _colon, message = text(view, "private_metadata").partition(":")
    round_ = Round.objects.filter(pk=number(round_pk)).first() if number(round_pk) else None
    answer, stored = pulse.submit(person, round_, values)
    channel, _colon, ts = message.partition(":")
    if stored and channel and ts:
        done = _("Answered. Thank you!")
        call(workspace, "chat_update", channel=channel, ts=ts, text=done, blocks=answered(done))
    return answer
