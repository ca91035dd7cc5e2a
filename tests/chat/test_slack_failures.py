"""When Slack or its payloads go wrong: a removed app or a gone person falls back to
the webhook, a token no key opens fails one message without stopping the outbox, a
pairing's introduction half-posted is retried and never lost, requests from Slack
never wait out a rate limit, stored text can't ping a channel, and malformed signed
payloads answer 4xx, never 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail

from chat.models import SlackAccount, SlackIntroduction, SlackWorkspace
from connection.models import Nudge
from connection.nudges import create_nudge, deliver_due_nudges
from mentorship.models import MatchGroup
from rituals.models import Recognition
from tests.chat.conftest import (
    NOW,
    coffee_pair,
    linked,
    micro_update,
    post_command,
    post_event,
    post_interaction,
    signed_headers,
)
from tests.helpers import make_user

pytestmark = pytest.mark.usefixtures("slack")


@pytest.fixture
def pia(pia):
    """Pia, with a webhook of her own to fall back to."""
    pia.slack_webhook_url = "https://hooks.slack.com/services/T0/B0/pia"
    pia.save()
    return pia


@pytest.fixture
def hook(monkeypatch, settings):
    """What the incoming webhooks were posted."""
    posted = []
    monkeypatch.setattr(
        "connection.nudge_channels.post_json",
        lambda url, body, **kw: posted.append((url, body)) or 200,
    )
    return posted


def _announce(person, key="a1", title="Hi"):
    return create_nudge(
        recipient=person, kind="announcement", dedupe_key=key, payload={"title": title}
    )


@pytest.mark.parametrize("code", ["token_revoked", "account_inactive", "invalid_auth"])
def test_a_removed_app_falls_back_to_the_webhook_and_stops_answering(
    client, slack, workspace, pia, hook, code
):
    linked(workspace, pia, "U0PIA", slack)
    slack.errors["chat.postMessage"] = code
    _announce(pia)
    deliver_due_nudges(now=NOW)
    assert Nudge.objects.get().status == Nudge.Status.SENT
    assert [url for url, _ in hook] == [pia.slack_webhook_url]
    assert SlackWorkspace.objects.get().active is False
    assert post_command(client, "U0PIA", "help").status_code == 403


def test_a_person_slack_no_longer_knows_is_unlinked_and_gets_the_webhook(
    slack, workspace, pia, hook
):
    linked(workspace, pia, "U0PIA", slack)
    slack.errors["chat.postMessage"] = "user_not_found"
    _announce(pia)
    deliver_due_nudges(now=NOW)
    assert not SlackAccount.objects.exists()
    assert len(hook) == 1 and Nudge.objects.get().status == Nudge.Status.SENT


def test_uninstalling_the_app_turns_the_workspace_off(client, slack, workspace, pia, hook):
    linked(workspace, pia, "U0PIA", slack)
    post_event(client, {"type": "app_uninstalled"}, event_id="Ev0GONE")
    assert SlackWorkspace.objects.get().active is False
    _announce(pia)
    deliver_due_nudges(now=NOW)
    assert slack.called("chat.postMessage") == [] and len(hook) == 1


def test_a_token_no_key_opens_fails_its_message_and_the_outbox_goes_on(
    slack, workspace, pia, bob, settings
):
    linked(workspace, pia, "U0PIA", slack)
    SlackWorkspace.objects.update(bot_token_encrypted="not-a-fernet-token")
    _announce(pia, "a1")
    _announce(bob, "a2")  # Bob's e-mail must not wait for Pia's Slack
    deliver_due_nudges(now=NOW + dt.timedelta(hours=3))
    statuses = dict(Nudge.objects.values_list("dedupe_key", "status"))
    assert statuses == {"a1": Nudge.Status.FAILED, "a2": Nudge.Status.SENT}
    assert "opens with none" in Nudge.objects.get(dedupe_key="a1").last_error
    assert len(mail.outbox) == 1


def test_a_slack_user_whose_email_changed_is_unlinked(client, slack, workspace, pia):
    linked(workspace, pia, "U0PIA", slack)
    user = dict(slack.users["U0PIA"], profile={"email": "someone.new@example.com"})
    post_event(client, {"type": "user_change", "user": user}, event_id="Ev0CHANGE")
    assert not SlackAccount.objects.exists()


def test_an_unconfirmed_or_unsaid_email_links_nobody(client, slack, workspace, pia):
    slack.add_user("U0PIA", pia.email)
    del slack.users["U0PIA"]["is_email_confirmed"]
    text = post_command(client, "U0PIA", "help").json()["text"]
    assert "no verified e-mail" in text


# ---------------------------------------------------------------- introductions


def _pair(workspace, slack, team):
    pia = make_user(
        team=team, display_name="Pia Lund", time_zone="Europe/London", nudge_channel="slack"
    )
    sam = make_user(display_name="Sam Okafor", time_zone="Europe/Dublin", nudge_channel="slack")
    linked(workspace, pia, "U0PIA", slack)
    linked(workspace, sam, "U0SAM", slack)
    coffee_pair(pia, sam)
    return MatchGroup.objects.get()


def _intros():
    return Nudge.objects.filter(dedupe_key__startswith="match:").order_by("pk")


def test_an_introduction_being_posted_elsewhere_is_retried_not_lost(slack, workspace, team):
    group = _pair(workspace, slack, team)
    SlackIntroduction.objects.create(group=group, channel_id="", posted_at=NOW)  # in flight
    due = _intros().first().due_at
    deliver_due_nudges(now=due)
    assert set(_intros().values_list("status", flat=True)) == {Nudge.Status.PENDING}
    assert slack.called("chat.postMessage") == []
    # The other delivery died: after a few minutes its claim is taken over.
    later = due + dt.timedelta(minutes=10)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: later)
        for _ in range(3):
            deliver_due_nudges(now=max(later, *[n.due_at for n in _intros()]))
    group_posts = [c for c in slack.called("chat.postMessage") if c.params["channel"][0] == "G"]
    assert len(group_posts) == 1
    assert set(_intros().values_list("status", flat=True)) == {Nudge.Status.SENT}
    assert SlackIntroduction.objects.get().ts


def test_a_failed_introduction_leaves_no_claim(slack, workspace, team):
    _pair(workspace, slack, team)
    slack.errors["conversations.open"] = "internal_error"
    deliver_due_nudges(now=_intros().first().due_at)
    assert not SlackIntroduction.objects.exists()
    assert set(_intros().values_list("status", flat=True)) == {Nudge.Status.PENDING}


# ---------------------------------------------------------------- requests


def test_a_request_from_slack_never_waits_out_a_rate_limit(client, slack, workspace, pia):
    linked(workspace, pia, "U0PIA", slack)
    slack.rate_limit_next = 1
    slack.retry_after = 30  # waiting would outlast Slack's three seconds
    response = post_event(client, {"type": "app_home_opened", "user": "U0PIA", "tab": "home"})
    assert response.status_code == 200
    assert slack.refused["views.publish"] == 1 and slack.called("views.publish") == []


def test_a_ping_in_a_thanks_reaches_no_channel(client, slack, workspace, pia, bob, hook):
    linked(workspace, pia, "U0PIA", slack)
    slack.add_user("U0BOB", bob.email)
    bob.nudge_channel = "slack"
    bob.slack_webhook_url = "https://hooks.slack.com/services/T0/B0/bob"
    bob.save()
    post_command(
        client,
        "U0PIA",
        "thanks <@U0BOB> for kindness: R&amp;D help <!channel> <https://evil.example|your payslip>",
    )
    recognition = Recognition.objects.get()
    assert recognition.message == "R&D help @channel your payslip (https://evil.example)"
    deliver_due_nudges(now=NOW + dt.timedelta(days=1, hours=-1))
    [(_, body)] = hook
    assert "<!channel>" not in body["text"] and "|your payslip>" not in body["text"]
    assert "R&amp;D help @channel" in body["text"]


def test_micro_update_prompts_go_to_linked_people_only_never_a_team_webhook(
    slack, workspace, pia, alice, team, hook
):
    team.slack_webhook_url = "https://hooks.slack.com/services/T0/B0/team"
    team.save()
    sam = make_user(team=team, time_zone="Europe/London", nudge_channel="slack")  # not linked
    linked(workspace, pia, "U0PIA", slack)
    micro_update(team, alice)
    prompts = Nudge.objects.filter(kind="ritual_reminder")
    assert set(prompts.values_list("recipient", flat=True)) == {pia.pk}
    assert sam.pk not in set(prompts.values_list("recipient", flat=True))
    SlackAccount.objects.all().delete()  # Pia unlinks before her prompt goes
    deliver_due_nudges(now=NOW)
    assert hook == [] and slack.called("chat.postMessage") == []


MALFORMED = [
    {"type": "block_actions", "user": "U0PIA", "actions": {"action_id": "pulse_open"}},
    {"type": "block_actions", "user": {"id": "U0PIA"}, "actions": ["x", None, 3]},
    {"type": "block_actions", "user": {"id": "U0PIA"}, "actions": [{"action_id": None}]},
    {
        "type": "block_actions",
        "user": {"id": "U0PIA"},
        "actions": [{"action_id": "pulse_open", "value": "²"}],
    },
    {
        "type": "block_actions",
        "user": {"id": "U0PIA"},
        "actions": [{"action_id": "checkin_met", "value": "²:1"}],
    },
    {"type": "view_submission", "user": {"id": "U0PIA"}, "view": "x"},
    {
        "type": "view_submission",
        "user": {"id": "U0PIA"},
        "view": {"callback_id": "pulse_answer", "private_metadata": 7},
    },
    {
        "type": "view_submission",
        "user": {"id": "U0PIA"},
        "view": {
            "callback_id": "pulse_answer",
            "private_metadata": "1::",
            "state": {"values": {"q1": "x"}},
        },
    },
    {
        "type": "view_submission",
        "user": {"id": "U0PIA"},
        "view": {
            "callback_id": "thanks",
            "state": {"values": {"values": {"answer": {"selected_options": [{}]}}}},
        },
    },
    {
        "type": "message_action",
        "callback_id": "hearth_thanks",
        "user": {"id": "U0PIA"},
        "message": "x",
    },
]


@pytest.mark.parametrize("payload", MALFORMED)
def test_malformed_signed_payloads_are_never_a_500(client, slack, workspace, pia, payload):
    linked(workspace, pia, "U0PIA", slack)
    response = post_interaction(client, payload)
    assert response.status_code < 500
    assert not Recognition.objects.exists()


@pytest.mark.parametrize("event", [[], "x", {"type": 7}, {"type": "message", "thread_ts": 5}])
def test_malformed_signed_events_are_never_a_500(client, slack, workspace, event):
    body = json.dumps({"team_id": "T0HEARTH", "event": event, "type": "event_callback"}).encode()
    response = client.post(
        "/chat/slack/events/", body, content_type="application/json", **signed_headers(body)
    )
    assert response.status_code < 500
