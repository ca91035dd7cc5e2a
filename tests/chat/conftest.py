"""Slack's side of the tests: the local Web API (tests/chat/slack_api.py), an
installed workspace, and requests signed as Slack signs them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
from urllib.parse import urlencode

import pytest
import time_machine

from chat.models import SlackAccount, SlackWorkspace
from connection.models import Nudge
from connection.nudges import deliver_due_nudges
from mentorship.models import MatchGroup, Programme
from mentorship.services.programmes import join_programme, run_round
from rituals.models import RitualTemplate
from tests.chat.slack_api import BOT_TOKEN, BOT_USER, TEAM_ID, FakeSlack
from tests.helpers import make_ritual, make_user

TRIGGERS = itertools.count(1)
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
# A Wednesday, inside everyone's working hours.
NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def slack(settings, clock):
    """The local Slack Web API, with Hearth pointed at it."""
    server = FakeSlack()
    with server as state:
        settings.HEARTH_SLACK_API_URL = server.url
        settings.HEARTH_SLACK_SIGNING_SECRET = SIGNING_SECRET
        settings.HEARTH_SLACK_CLIENT_ID = "1234.5678"
        settings.HEARTH_SLACK_CLIENT_SECRET = "client-secret"
        settings.HEARTH_SLACK_AUTHORIZE_URL = "https://slack.test/oauth/v2/authorize"
        settings.SITE_URL = "https://hearth.test"
        yield state


@pytest.fixture
def workspace(db):
    ws = SlackWorkspace(team_id=TEAM_ID, name="Hearth Test", bot_user_id=BOT_USER)
    ws.bot_token = BOT_TOKEN
    ws.save()
    return ws


def linked(workspace, person, user_id: str, slack=None) -> SlackAccount:
    if slack is not None:
        slack.add_user(user_id, person.email, person.display_name)
    return SlackAccount.objects.create(workspace=workspace, person=person, slack_user_id=user_id)


def signed_headers(body: bytes, *, at: dt.datetime | None = None, secret: str = SIGNING_SECRET):
    timestamp = str(int((at or NOW).timestamp()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_SLACK_SIGNATURE": f"v0={digest.hexdigest()}",
    }


def post_event(
    client, event: dict, *, event_id: str = "Ev01", team: str = TEAM_ID, at=None, **headers
):
    body = json.dumps(
        {
            "token": "unused-verification-token",
            "team_id": team,
            "api_app_id": "A0HEARTH",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(NOW.timestamp()),
        }
    ).encode()
    return client.post(
        "/chat/slack/events/",
        body,
        content_type="application/json",
        **(signed_headers(body, at=at) | headers),
    )


def post_form(client, path: str, fields: dict, **headers):
    body = urlencode(fields).encode()
    return client.post(
        path,
        body,
        content_type="application/x-www-form-urlencoded",
        **(signed_headers(body) | headers),
    )


def post_interaction(client, payload: dict, **headers):
    payload = {"team": {"id": TEAM_ID, "domain": "hearth-test"}, "api_app_id": "A0HEARTH"} | payload
    return post_form(
        client, "/chat/slack/interactions/", {"payload": json.dumps(payload)}, **headers
    )


def post_command(client, user_id: str, text: str, team: str = TEAM_ID, **headers):
    fields = {
        "token": "unused",
        "team_id": team,
        "team_domain": "hearth-test",
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": user_id,
        "user_name": "someone",
        "command": "/hearth",
        "text": text,
        "api_app_id": "A0HEARTH",
        "response_url": "https://hooks.slack.test/commands/T0/1/abc",
        # Slack gives every command its own trigger id, so two are never one body.
        "trigger_id": f"13345224609.738474920.{next(TRIGGERS):020x}",
    }
    return post_form(client, "/chat/slack/commands/", fields, **headers)


@pytest.fixture
def pia(team):
    return make_user(
        email="pia@example.com",
        display_name="Pia Lund",
        team=team,
        time_zone="Europe/London",
        nudge_channel="slack",
    )


@pytest.fixture
def sam(other_team):
    return make_user(
        email="sam@example.com",
        display_name="Sam Okafor",
        team=other_team,
        time_zone="Europe/Dublin",
        nudge_channel="slack",
    )


def dms_to(slack, user_id: str) -> list[dict]:
    return [c.params for c in slack.called("chat.postMessage") if c.params["channel"] == user_id]


def deliver_when_due(person) -> None:
    """Deliver at the moment `person`'s first pending nudge is due (the invitations
    and introductions wait for the person's morning)."""
    due = Nudge.objects.filter(recipient=person, status=Nudge.Status.PENDING).order_by("due_at")
    deliver_due_nudges(now=due.first().due_at)


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def micro_update(team, owner):
    """The catalogue's daily micro-update for `team`, due at 11:30 UTC: its prompt
    is due at NOW."""
    return make_ritual(
        team=team,
        created_by=owner,
        name="Daily micro-update",
        format="async",
        rule="FREQ=DAILY",
        start_time=dt.time(11, 30),
        time_zone="UTC",
        template=RitualTemplate.objects.get(slug="micro-update"),
    )


def coffee_pair(*people) -> MatchGroup:
    """A coffee-chat programme that pairs `people` in a round today (NOW)."""
    programme = Programme.objects.create(kind="coffee", name="Coffee chat", group_size=2)
    for person in people:
        join_programme(programme=programme, person=person)
    run_round(programme=programme, today=NOW.date())
    return MatchGroup.objects.get(round__programme=programme)
