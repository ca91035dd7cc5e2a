"""Two requests racing for one thing leave one winner (PostgreSQL): a pairing's group
introduction claimed by two members' deliveries at once, ten Slack submissions of one
person's pulse, ten clicks on the link that connects a Slack account."""

from __future__ import annotations

import itertools
import json
import threading

import pytest
from django.db import connection
from django.test import Client

from chat.models import SlackAccount, SlackIntroduction
from chat.slack.delivery import deliver
from chat.slack.people import SlackIdentity, link_token
from connection.models import Nudge, OrgSettings
from connection.nudge_channels import TransientFailure
from connection.nudges import message_context
from mentorship.models import MatchGroup
from pulse import reference as pulse_reference
from pulse.models import Receipt, Response
from pulse.services import open_round
from tests.chat.conftest import NOW, coffee_pair, linked, post_interaction
from tests.chat.slack_api import TEAM_ID
from tests.chat.test_slack_pulse import _answers
from tests.helpers import make_user, post_at_once, race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("slack"),
]


def test_two_members_delivered_at_once_introduce_their_group_once(slack, workspace, team):
    pia, sam = make_user(team=team, time_zone="Europe/London"), make_user(time_zone="UTC")
    linked(workspace, pia, "U0PIA", slack)
    linked(workspace, sam, "U0SAM", slack)
    coffee_pair(pia, sam)
    intros = [
        (nudge, nudge.recipient)
        for nudge in Nudge.objects.filter(dedupe_key__startswith="match:").select_related(
            "recipient"
        )
    ]
    turns = iter(intros)
    lock = threading.Lock()

    def attempt():
        with lock:
            nudge, person = next(turns)
        assert deliver([nudge], person, message_context([nudge], person))

    # The second finds the group introduced, or being introduced (its delivery is then
    # tried again later by the outbox); never a second post.
    assert race(attempt, refused=TransientFailure) in (
        ["TransientFailure", "won"],
        ["won", "won"],
    )
    group_posts = [c for c in slack.called("chat.postMessage") if c.params["channel"][0] == "G"]
    assert len(group_posts) == 1
    assert SlackIntroduction.objects.get().group == MatchGroup.objects.get()


def test_ten_slack_submissions_of_one_pulse_store_one_response(slack, workspace, team):
    pia = make_user(team=team, time_zone="Europe/London")
    for _ in range(3):
        make_user(team=team)
    linked(workspace, pia, "U0PIA", slack)
    OrgSettings.load()
    # An earlier transactional test may have truncated the migrated question bank.
    pulse_reference.ensure_reference_data()
    round_ = open_round(now=NOW)
    views = itertools.count(1)
    answers = []

    def attempt():
        response = post_interaction(
            Client(),
            {
                "type": "view_submission",
                "user": {"id": "U0PIA"},
                "view": {
                    "id": f"V{next(views):04d}",  # each a request of its own (no replay)
                    "callback_id": "pulse_answer",
                    "private_metadata": f"{round_.pk}::",
                    "state": {"values": _answers(round_)},
                },
            },
        )
        answers.append(json.dumps(response.json()))

    race(attempt, threads=10)
    assert (Receipt.objects.count(), Response.objects.count()) == (1, 1)
    assert sum("Your answers are in" in a for a in answers) == 1
    assert sum("already answered" in a for a in answers) == 9


def test_ten_clicks_on_the_connect_button_link_one_account(slack, workspace):
    pia = make_user(email="pia@example.com")
    token = link_token(SlackIdentity(TEAM_ID, "U0PIA", "pia@example.com", "Pia"))
    statuses = post_at_once(pia, f"/chat/slack/link/{token}/", {}, times=10)
    assert set(statuses) <= {200, 400} and 200 in statuses
    assert SlackAccount.objects.filter(person=pia, slack_user_id="U0PIA").count() == 1
