"""Redirect targets from the request stay on this site (no open redirect)."""

import datetime as dt

import pytest
import time_machine

from connection.nudges import create_nudge, deliver_due_nudges
from rituals.models import Attendance, Occurrence
from rituals.services.rituals import adopt_ritual

WEDNESDAY = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
ELSEWHERE = [
    "//evil.example",
    "//evil.example/rituals/",
    "https://evil.example/",
    "http://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https:evil.example",
    " //evil.example",
    "/\x00/evil.example",
]


@pytest.fixture
def past_session(alice, bob, team):
    with time_machine.travel(WEDNESDAY, tick=False):
        ritual = adopt_ritual(
            team=team,
            created_by=alice,
            name="Co-working",
            format="sync",
            rule="FREQ=DAILY",
            start_time=dt.time(10, 0),
            time_zone="UTC",
            duration=15,
            hypothesis="We ask more small questions.",
            confirm_outside_hours=True,
        )
    occurrence = Occurrence.objects.filter(ritual=ritual).order_by("starts_at").first()
    with time_machine.travel(occurrence.ends_at + dt.timedelta(hours=1), tick=False):
        yield occurrence


@pytest.mark.parametrize("target", ELSEWHERE)
def test_saying_how_a_session_went_never_leaves_the_site(client_for, bob, past_session, target):
    response = client_for(bob).post(
        f"/rituals/occurrences/{past_session.pk}/say/", {"worth_it": "yes", "next": target}
    )
    assert response.status_code == 302
    assert response.url == "/rituals/"
    assert Attendance.objects.filter(occurrence=past_session, person=bob, worth_it=True).exists()


def test_a_next_on_this_site_is_followed(client_for, bob, past_session):
    response = client_for(bob).post(
        f"/rituals/occurrences/{past_session.pk}/say/",
        {"worth_it": "yes", "next": "/rituals/thread/?team=1"},
    )
    assert response.url == "/rituals/thread/?team=1"


@pytest.mark.parametrize("target", ELSEWHERE[:5])
def test_a_notification_link_off_the_site_is_not_followed(client_for, bob, target):
    bob.nudge_channel = "in_app"
    bob.save(update_fields=["nudge_channel"])
    with time_machine.travel(WEDNESDAY, tick=False):
        nudge = create_nudge(
            recipient=bob,
            kind="ritual_reminder",
            dedupe_key="k",
            payload={"title": "Hi", "url": target},
        )
        deliver_due_nudges()
        response = client_for(bob).get(f"/notifications/{nudge.pk}/")
    assert response.status_code == 302
    assert response.url == "/notifications/"


@pytest.mark.parametrize("target", ELSEWHERE[:5])
def test_signing_in_never_leaves_the_site(client, bob, target):
    response = client.post(
        f"/login/?next={target}", {"username": bob.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response.url == "/"
