"""Slack's requests into Hearth: what is refused (bad signature, stale timestamp,
replay, unknown workspace, someone not linked), Slack's retries dropped by event id,
the OAuth v2 install and the one-time link of a person's Slack account."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.crypto import decrypt
from chat.models import SeenRequest, SlackAccount, SlackWorkspace, TeamSlackChannel
from connection.models import AuditEntry
from tests.chat.conftest import (
    NOW,
    linked,
    post_command,
    post_event,
    signed_headers,
)
from tests.chat.slack_api import BOT_TOKEN, CODE, TEAM_ID
from tests.helpers import make_team

HOME = {"type": "app_home_opened", "user": "U0BOB", "channel": "D0BOB", "tab": "home"}


def test_a_signed_event_is_handled(client, slack, workspace, bob):
    linked(workspace, bob, "U0BOB", slack)
    response = post_event(client, HOME)
    assert response.status_code == 200
    assert len(slack.called("views.publish")) == 1


def test_url_verification_answers_the_challenge(client, slack, db):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aB", "token": "x"})
    response = client.post(
        "/chat/slack/events/",
        body,
        content_type="application/json",
        **signed_headers(body.encode()),
    )
    assert response.json() == {"challenge": "3eZbrw1aB"}


def test_a_bad_signature_is_refused(client, slack, workspace, bob):
    linked(workspace, bob, "U0BOB", slack)
    response = post_event(client, HOME, HTTP_X_SLACK_SIGNATURE="v0=" + "0" * 64)
    assert response.status_code == 401
    assert slack.calls == []


def test_a_body_changed_after_signing_is_refused(client, slack, workspace):
    body = json.dumps({"team_id": TEAM_ID, "event": HOME, "type": "event_callback"}).encode()
    headers = signed_headers(body)
    tampered = body.replace(b"U0BOB", b"U0EVE")
    response = client.post(
        "/chat/slack/events/", tampered, content_type="application/json", **headers
    )
    assert response.status_code == 401


def test_a_signature_with_another_secret_is_refused(client, slack, workspace):
    body = json.dumps({"team_id": TEAM_ID, "event": HOME, "type": "event_callback"}).encode()
    headers = signed_headers(body, secret="not-the-signing-secret")
    response = client.post("/chat/slack/events/", body, content_type="application/json", **headers)
    assert response.status_code == 401


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_timestamp_outside_five_minutes_is_refused(client, slack, workspace, bob, minutes):
    linked(workspace, bob, "U0BOB", slack)
    body = json.dumps({"team_id": TEAM_ID, "event": HOME, "type": "event_callback"}).encode()
    headers = signed_headers(body, at=NOW + dt.timedelta(minutes=minutes))
    response = client.post("/chat/slack/events/", body, content_type="application/json", **headers)
    assert response.status_code == 401
    assert "five minutes" in response.json()["error"]
    assert slack.calls == []


def test_a_timestamp_inside_the_window_is_accepted(client, slack, workspace, bob):
    linked(workspace, bob, "U0BOB", slack)
    body = json.dumps({"team_id": TEAM_ID, "event": HOME, "type": "event_callback"}).encode()
    headers = signed_headers(body, at=NOW - dt.timedelta(minutes=4))
    response = client.post("/chat/slack/events/", body, content_type="application/json", **headers)
    assert response.status_code == 200


def test_a_replayed_request_is_refused(client, slack, workspace, bob):
    linked(workspace, bob, "U0BOB", slack)
    body = json.dumps({"team_id": TEAM_ID, "event": HOME, "type": "event_callback"}).encode()
    headers = signed_headers(body)
    first = client.post("/chat/slack/events/", body, content_type="application/json", **headers)
    again = client.post("/chat/slack/events/", body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (200, 401)
    assert "replay" in again.json()["error"]
    assert len(slack.called("views.publish")) == 1


def test_slacks_retry_of_an_event_is_answered_and_dropped(client, slack, workspace, bob):
    linked(workspace, bob, "U0BOB", slack)
    first = post_event(client, HOME, event_id="Ev0RETRY")
    # Slack's retry: same event id, a new signature (a second later), the retry headers.
    retry = post_event(
        client,
        HOME,
        event_id="Ev0RETRY",
        at=NOW + dt.timedelta(seconds=3),
        HTTP_X_SLACK_RETRY_NUM="1",
        HTTP_X_SLACK_RETRY_REASON="http_timeout",
    )
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json()["duplicate"] is True
    assert len(slack.called("views.publish")) == 1


def test_seen_requests_keep_digests_only_and_are_swept(client, slack, workspace, bob, clock):
    linked(workspace, bob, "U0BOB", slack)
    post_event(client, HOME, event_id="Ev0OLD")
    keys = list(SeenRequest.objects.values_list("key", flat=True))
    assert sorted(k.split(":")[0] for k in keys) == ["event", "sig"]
    assert not any("U0BOB" in key for key in keys)
    clock.shift(dt.timedelta(minutes=11))
    post_event(client, HOME, event_id="Ev0NEW", at=NOW + dt.timedelta(minutes=11))
    assert not SeenRequest.objects.filter(key="event:Ev0OLD").exists()


def test_an_unknown_workspace_is_refused(client, slack, workspace):
    response = post_event(client, HOME, team="T0STRANGER")
    assert response.status_code == 403
    assert post_command(client, "U0BOB", "thanks", team="T0STRANGER").status_code == 403
    assert slack.calls == []


def test_without_a_signing_secret_slack_is_not_served(client, slack, workspace, settings):
    settings.HEARTH_SLACK_SIGNING_SECRET = ""
    assert post_event(client, HOME).status_code == 404


def test_someone_not_linked_gets_a_link_to_connect(client, slack, workspace, bob):
    slack.add_user("U0BOB", bob.email, bob.display_name)
    response = post_command(client, "U0BOB", "thanks <@U0NIA|nia> for kindness: thanks!")
    text = response.json()["text"]
    assert response.json()["response_type"] == "ephemeral"
    assert "Connect it to Hearth" in text and bob.email in text
    link = text.split("<", 1)[1].split("|", 1)[0]
    assert link.startswith("https://hearth.test/chat/slack/link/")


def test_someone_slack_has_no_verified_email_for_is_told_to_ask_hr(client, slack, workspace):
    slack.add_user("U0NEW", "new@example.com", confirmed=False)
    text = post_command(client, "U0NEW", "thanks").json()["text"]
    assert "no verified e-mail" in text
    assert "/chat/slack/link/" not in text


# ---------------------------------------------------------------- linking


def _link_from(client, slack, person, user_id: str) -> str:
    slack.add_user(user_id, person.email.upper(), person.display_name)
    text = post_command(client, user_id, "help").json()["text"]
    return text.split("<", 1)[1].split("|", 1)[0].removeprefix("https://hearth.test")


def test_linking_is_confirmed_once_in_the_browser(client, client_for, slack, workspace, bob):
    path = _link_from(client, slack, bob, "U0BOB")
    browser = client_for(bob)
    page = browser.get(path)
    assert page.status_code == 200 and "Connect my Slack account" in page.content.decode()
    assert not SlackAccount.objects.exists()  # a GET only asks
    done = browser.post(path)
    assert done.status_code == 200
    account = SlackAccount.objects.get()
    assert (account.person, account.slack_user_id) == (bob, "U0BOB")
    # Now the command answers Bob himself.
    assert "Connect" not in post_command(client, "U0BOB", "help").json()["text"]


def test_the_link_needs_a_sign_in(client, slack, workspace, bob):
    path = _link_from(client, slack, bob, "U0BOB")
    response = client.get(path)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_someone_else_cannot_take_the_link(client, client_for, slack, workspace, bob, alice):
    path = _link_from(client, slack, bob, "U0BOB")
    response = client_for(alice).post(path)
    assert response.status_code == 400
    assert "signed in as alice@example.com" in response.content.decode()
    assert not SlackAccount.objects.exists()


def test_a_tampered_link_is_refused(client_for, slack, workspace, bob):
    response = client_for(bob).post("/chat/slack/link/not-a-signed-token/")
    assert response.status_code == 400
    assert not SlackAccount.objects.exists()


def test_an_expired_link_is_refused(client, client_for, slack, workspace, bob, clock):
    path = _link_from(client, slack, bob, "U0BOB")
    clock.shift(dt.timedelta(days=2))
    response = client_for(bob).post(path)
    assert response.status_code == 400 and "expired" in response.content.decode()


# ---------------------------------------------------------------- install


def test_hr_installs_the_app_through_oauth_v2(client_for, slack, hana):
    browser = client_for(hana)
    start = browser.post("/chat/slack/install/")
    assert start.status_code == 302
    url = urlsplit(start["Location"])
    query = parse_qs(url.query)
    assert url.netloc == "slack.test"
    assert query["client_id"] == ["1234.5678"]
    assert "users:read.email" in query["scope"][0].split(",")
    assert query["redirect_uri"] == ["https://hearth.test/chat/slack/oauth/"]
    back = browser.get("/chat/slack/oauth/", {"code": CODE, "state": query["state"][0]})
    assert back.status_code == 302
    workspace = SlackWorkspace.objects.get()
    assert (workspace.team_id, workspace.installed_by) == (TEAM_ID, hana)
    # The bot token is encrypted at rest and opens with Hearth's key.
    assert BOT_TOKEN not in workspace.bot_token_encrypted
    assert decrypt(workspace.bot_token_encrypted) == BOT_TOKEN
    exchange = slack.called("oauth.v2.access")[0]
    assert exchange.params["code"] == CODE and exchange.token == "basic"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHAT_INSTALLED)
    assert entry.actor == hana and BOT_TOKEN not in json.dumps(entry.detail)
    # The state is single-use: replaying the redirect does nothing more.
    again = browser.get(
        "/chat/slack/oauth/", {"code": CODE, "state": query["state"][0]}, follow=True
    )
    assert "already finished" in again.content.decode()
    assert len(slack.called("oauth.v2.access")) == 1


def test_a_state_from_another_admin_is_refused(client_for, slack, hana):
    other = type(hana).objects.create_user(email="hr2@example.com", is_hr_admin=True)
    start = client_for(hana).post("/chat/slack/install/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client_for(other).get(
        "/chat/slack/oauth/", {"code": CODE, "state": state}, follow=True
    )
    assert "someone else" in response.content.decode()
    assert not SlackWorkspace.objects.exists()


def test_a_cancelled_install_keeps_nothing(client_for, slack, hana):
    client_for(hana).post("/chat/slack/install/")
    response = client_for(hana).get(
        "/chat/slack/oauth/", {"error": "access_denied", "state": "x"}, follow=True
    )
    assert "cancelled, or a broken link" in response.content.decode()
    assert not SlackWorkspace.objects.exists() and slack.calls == []


def test_only_hr_installs(client_for, slack, bob):
    assert client_for(bob).post("/chat/slack/install/").status_code == 403
    assert client_for(bob).get("/chat/").status_code == 403


def test_the_chat_settings_page_runs_the_same_queries_for_3_or_30_teams(
    client_for, django_assert_max_num_queries, hana
):
    browser = client_for(hana)
    browser.get("/chat/")  # the first request of a session writes it

    def page_with(teams: int) -> int:
        for _ in range(teams - TeamSlackChannel.objects.count()):
            TeamSlackChannel.objects.create(team=make_team(), channel_id="C0CHANNEL")
        with CaptureQueriesContext(connection) as queries:
            assert browser.get("/chat/").status_code == 200
        return len(queries)

    few = page_with(3)
    assert page_with(30) == few
    with django_assert_max_num_queries(8):
        browser.get("/chat/")
