"""The Slack app's journeys, end to end against the local Slack Web API: the outbox's
messages as DMs (the pulse answered in one: test_slack_pulse.py), a pairing introduced and
"We met" recorded, thanks from the command and the shortcut, a micro-update reply in
the team thread, and the Home tab."""

from __future__ import annotations

import json

import pytest

from chat.models import SlackIntroduction, TeamSlackChannel
from connection.models import Nudge, OrgSettings
from connection.nudges import create_nudge, deliver_due_nudges
from mentorship.models import CheckIn, MatchGroup
from pulse.services import open_round
from rituals.models import Recognition, ThreadPost
from tests.chat.conftest import (
    NOW,
    buttons,
    coffee_pair,
    deliver_when_due,
    dms_to,
    linked,
    micro_update,
    post_command,
    post_event,
    post_interaction,
)

pytestmark = pytest.mark.usefixtures("slack")


# ---------------------------------------------------------------- delivery


def test_a_linked_person_gets_the_outbox_message_as_a_dm(slack, workspace, pia):
    linked(workspace, pia, "U0PIA", slack)
    create_nudge(
        recipient=pia,
        kind="announcement",
        dedupe_key="a1",
        payload={"title": "Offsite <next> week", "body": "Bring boots.", "url": "/"},
    )
    report = deliver_due_nudges(now=NOW)
    assert report.sent == 1
    [message] = dms_to(slack, "U0PIA")
    text = json.dumps(message["blocks"])
    assert "Offsite &lt;next&gt; week" in text  # Slack markup in a title is shown as text
    assert "Turn these off" in text and "your HR admin sent it" in text
    assert Nudge.objects.get().status == Nudge.Status.SENT


def test_someone_not_linked_keeps_the_webhook(slack, workspace, pia, monkeypatch):
    pia.slack_webhook_url = "https://hooks.slack.test/services/T0/B0/x"
    pia.save()
    create_nudge(recipient=pia, kind="announcement", dedupe_key="a1", payload={"title": "Hi"})
    sent = []
    monkeypatch.setattr(
        "connection.nudge_channels.post_json", lambda url, body, **kw: sent.append(body) or 200
    )
    deliver_due_nudges(now=NOW)
    assert len(sent) == 1 and list(sent[0]) == ["text"] and "Hi" in sent[0]["text"]
    assert slack.called("chat.postMessage") == []


def test_choosing_slack_needs_no_webhook_once_linked(client_for, slack, workspace, pia):
    linked(workspace, pia, "U0PIA", slack)
    pia.nudge_channel = "email"
    pia.save()
    response = client_for(pia).post(
        "/nudges/preferences/", {"nudge_channel": "slack", "weekly_nudge_cap": 5}
    )
    assert response.status_code == 302
    pia.refresh_from_db()
    assert pia.nudge_channel == "slack"


def test_a_rate_limited_dm_waits_as_slack_says_and_is_sent_once(slack, workspace, pia):
    linked(workspace, pia, "U0PIA", slack)
    create_nudge(recipient=pia, kind="announcement", dedupe_key="a1", payload={"title": "Hi"})
    slack.rate_limit_next = 2  # Slack answers 429 twice, with Retry-After: 0
    slack.retry_after = 0
    deliver_due_nudges(now=NOW)
    assert slack.refused["chat.postMessage"] == 2
    assert len(dms_to(slack, "U0PIA")) == 1
    assert Nudge.objects.get().status == Nudge.Status.SENT


def test_past_our_patience_a_rate_limit_is_retried_later_by_the_outbox(slack, workspace, pia):
    linked(workspace, pia, "U0PIA", slack)
    create_nudge(recipient=pia, kind="announcement", dedupe_key="a1", payload={"title": "Hi"})
    slack.rate_limit_next = 99
    slack.retry_after = 0
    deliver_due_nudges(now=NOW)
    nudge = Nudge.objects.get()
    assert nudge.status == Nudge.Status.PENDING and "ratelimited" in nudge.last_error
    assert dms_to(slack, "U0PIA") == []
    slack.rate_limit_next = 0
    deliver_due_nudges(now=nudge.due_at)
    assert len(dms_to(slack, "U0PIA")) == 1


# ---------------------------------------------------------------- pairing


def test_a_pairing_is_introduced_once_in_a_group_dm_and_we_met_is_recorded(
    client, slack, workspace, pia, sam
):
    linked(workspace, pia, "U0PIA", slack)
    linked(workspace, sam, "U0SAM", slack)
    coffee_pair(pia, sam)
    group = MatchGroup.objects.get()
    deliver_when_due(pia)
    [opened] = slack.called("conversations.open")
    assert sorted(opened.params["users"].split(",")) == ["U0PIA", "U0SAM"]
    intros = [
        c.params for c in slack.called("chat.postMessage") if c.params["channel"].startswith("G")
    ]
    assert len(intros) == 1  # one introduction for the pair, not one each
    text = json.dumps(intros[0]["blocks"])
    assert "Pia" in text and "Sam" in text and "A starter" in text
    assert "<!date^" in text  # suggested times, shown in each reader's own zone
    assert SlackIntroduction.objects.get().group == group
    assert dms_to(slack, "U0PIA") == dms_to(slack, "U0SAM") == []

    # Six days later each gets the check-in with the three answers.
    deliver_when_due(pia)
    [checkin] = dms_to(slack, "U0PIA")
    met = next(b for b in buttons(checkin) if b["action_id"] == "checkin_met")
    assert {b["text"]["text"] for b in buttons(checkin)} == {"We met", "Not yet", "We rescheduled"}
    post_interaction(
        client,
        {
            "type": "block_actions",
            "user": {"id": "U0PIA"},
            "container": {
                "type": "message",
                "channel_id": "D0PIA",
                "message_ts": "1700000000.000009",
            },
            "actions": [{"action_id": met["action_id"], "value": met["value"], "type": "button"}],
        },
    )
    record = CheckIn.objects.get()
    assert (record.group, record.person, record.answer, record.week) == (group, pia, "met", 1)
    assert "We met" in slack.called("chat.update")[0].params["text"]


def test_a_member_without_slack_gets_their_own_message_and_no_group_dm(slack, workspace, pia, sam):
    linked(workspace, pia, "U0PIA", slack)
    coffee_pair(pia, sam)
    deliver_when_due(pia)
    assert slack.called("conversations.open") == []
    [own] = dms_to(slack, "U0PIA")
    assert "meet Sam" in own["text"]


def test_a_check_in_for_someone_elses_group_is_not_recorded(
    client, slack, workspace, pia, sam, bob
):
    linked(workspace, bob, "U0BOB", slack)
    coffee_pair(pia, sam)
    group = MatchGroup.objects.get()
    post_interaction(
        client,
        {
            "type": "block_actions",
            "user": {"id": "U0BOB"},
            "container": {"channel_id": "D0BOB", "message_ts": "1.2"},
            "actions": [{"action_id": "checkin_met", "value": f"{group.pk}:1"}],
        },
    )
    assert not CheckIn.objects.exists()
    assert "Not recorded" in slack.called("chat.update")[0].params["text"]


# ---------------------------------------------------------------- thanks


def test_thanks_from_the_command_creates_a_recognition(client, slack, workspace, pia, sam):
    linked(workspace, pia, "U0PIA", slack)
    slack.add_user("U0SAM", sam.email, sam.display_name)  # Sam never linked: found by e-mail
    response = post_command(client, "U0PIA", "thanks <@U0SAM|sam> for kindness: covered my on-call")
    assert "Thanks sent to Sam" in response.json()["text"]
    recognition = Recognition.objects.get()
    assert recognition.giver == pia and list(recognition.receivers.all()) == [sam]
    assert recognition.message == "covered my on-call"
    assert [v.name for v in recognition.values.all()] == ["Kindness"]


def test_thanks_with_an_unknown_value_lists_the_values(client, slack, workspace, pia, sam):
    linked(workspace, pia, "U0PIA", slack)
    linked(workspace, sam, "U0SAM", slack)
    text = post_command(client, "U0PIA", "thanks <@U0SAM> for bravado: x").json()["text"]
    assert "isn't one of your values" in text and "Kindness" in text
    assert not Recognition.objects.exists()


def test_thanks_from_the_message_shortcut_creates_a_recognition(client, slack, workspace, pia, sam):
    linked(workspace, pia, "U0PIA", slack)
    linked(workspace, sam, "U0SAM", slack)
    post_interaction(
        client,
        {
            "type": "message_action",
            "callback_id": "hearth_thanks",
            "user": {"id": "U0PIA"},
            "trigger_id": "trig-shortcut",
            "channel": {"id": "C0GENERAL"},
            "message": {
                "type": "message",
                "user": "U0SAM",
                "text": "I wrote the runbook",
                "ts": "1.1",
            },
        },
    )
    view = slack.called("views.open")[0].params["view"]
    who = next(b for b in view["blocks"] if b["block_id"] == "receivers")
    assert who["element"]["initial_users"] == ["U0SAM"]
    kindness = next(
        o
        for b in view["blocks"]
        if b["block_id"] == "values"
        for o in b["element"]["options"]
        if o["text"]["text"] == "Sharing knowledge"
    )
    values = {
        "receivers": {"answer": {"type": "multi_users_select", "selected_users": ["U0SAM"]}},
        "values": {"answer": {"type": "multi_static_select", "selected_options": [kindness]}},
        "message": {"answer": {"type": "plain_text_input", "value": "The runbook saved my night"}},
        "visibility": {"answer": {"type": "radio_buttons", "selected_option": {"value": "public"}}},
    }
    response = post_interaction(
        client,
        {
            "type": "view_submission",
            "user": {"id": "U0PIA"},
            "view": {"id": "V2", "callback_id": view["callback_id"], "state": {"values": values}},
        },
    )
    assert response.json()["response_action"] == "update"
    recognition = Recognition.objects.get()
    assert (recognition.giver, recognition.visibility) == (pia, "public")
    assert list(recognition.receivers.all()) == [sam]


def test_thanks_to_oneself_shows_the_services_message_on_the_form(client, slack, workspace, pia):
    linked(workspace, pia, "U0PIA", slack)
    values = {
        "receivers": {"answer": {"selected_users": ["U0PIA"]}},
        "values": {"answer": {"selected_options": []}},
        "message": {"answer": {"value": "me"}},
        "visibility": {"answer": {"selected_option": {"value": "team"}}},
    }
    response = post_interaction(
        client,
        {
            "type": "view_submission",
            "user": {"id": "U0PIA"},
            "view": {"id": "V3", "callback_id": "thanks", "state": {"values": values}},
        },
    )
    assert "recognise yourself" in response.json()["errors"]["message"]
    assert not Recognition.objects.exists()


# ---------------------------------------------------------------- micro-update


def test_a_reply_to_the_micro_update_prompt_lands_in_the_team_thread(
    client, slack, workspace, pia, alice, team
):
    linked(workspace, pia, "U0PIA", slack)
    TeamSlackChannel.objects.create(team=team, channel_id="C0PLATFORM", share_highlights=True)
    micro_update(team, alice)
    deliver_due_nudges(now=NOW)
    [prompt] = dms_to(slack, "U0PIA")
    assert "Reply in this message's thread" in json.dumps(prompt["blocks"])
    prompt_ts = "1700000000.000001"
    post_event(
        client,
        {
            "type": "message",
            "channel": "D0PIA",
            "channel_type": "im",
            "user": "U0PIA",
            "text": "Shipped the importer. Highlight: first swim in the sea",
            "ts": "1700000100.000200",
            "thread_ts": prompt_ts,
            "event_ts": "1700000100.000200",
        },
        event_id="Ev0REPLY",
    )
    post = ThreadPost.objects.get()
    assert (post.author, post.team) == (pia, team)
    assert (post.status, post.highlight) == ("Shipped the importer.", "first swim in the sea")
    highlight = [
        c.params for c in slack.called("chat.postMessage") if c.params["channel"] == "C0PLATFORM"
    ]
    assert len(highlight) == 1 and "first swim in the sea" in highlight[0]["text"]
    confirmations = [
        c.params for c in slack.called("chat.postMessage") if c.params.get("thread_ts")
    ]
    assert "Posted to Platform" in confirmations[0]["text"]


def test_other_messages_in_the_dm_are_left_alone(client, slack, workspace, pia):
    linked(workspace, pia, "U0PIA", slack)
    post_event(
        client,
        {
            "type": "message",
            "channel": "D0PIA",
            "user": "U0PIA",
            "text": "hello?",
            "ts": "1.5",
            "thread_ts": "1.4",
        },
    )
    assert not ThreadPost.objects.exists() and slack.called("chat.postMessage") == []


# ---------------------------------------------------------------- App Home


def test_the_home_tab_shows_pulse_ritual_pairing_and_office_hours(
    client, slack, workspace, pia, sam, alice, bob
):
    linked(workspace, pia, "U0PIA", slack)
    OrgSettings.load()
    open_round(now=NOW)
    coffee_pair(pia, sam)
    post_event(
        client, {"type": "app_home_opened", "user": "U0PIA", "channel": "D0PIA", "tab": "home"}
    )
    [published] = slack.called("views.publish")
    assert published.params["user_id"] == "U0PIA"
    view = published.params["view"]
    text = json.dumps(view)
    assert view["type"] == "home"
    for heading in (
        "This week's pulse",
        "Your next ritual",
        "Your buddy or coffee chat",
        "Office hours",
    ):
        assert heading in text
    assert "Coffee chat: Sam" in text
    assert any(b["action_id"] == "pulse_open" for b in buttons(view))


def test_the_home_tab_of_someone_not_linked_offers_the_link(client, slack, workspace, pia):
    slack.add_user("U0PIA", pia.email)
    post_event(
        client, {"type": "app_home_opened", "user": "U0PIA", "channel": "D0PIA", "tab": "home"}
    )
    text = json.dumps(slack.called("views.publish")[0].params["view"])
    assert "Connect it to Hearth" in text and "This week's pulse" not in text
