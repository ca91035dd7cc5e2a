"""A double click (or twenty at once) leaves one row and no error (PostgreSQL)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from connection.models import Team
from rituals.models import Attendance, Occurrence, Reaction, TeamRitual
from rituals.services.rituals import adopt_ritual
from rituals.services.thread import post_to_thread
from tests.helpers import make_user, post_at_once

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
]
WEDNESDAY = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def crew():
    with time_machine.travel(WEDNESDAY, tick=False):
        team = Team.objects.create(name="Racers")
        lead = make_user(team=team, time_zone="UTC")
        team.managers.add(lead)
        member = make_user(team=team, time_zone="UTC")
        yield team, lead, member


def test_twenty_taps_on_a_reaction_leave_one(crew):
    team, lead, member = crew
    post = post_to_thread(author=lead, team=team, status="Shipped it")
    path = f"/rituals/thread/{post.pk}/react/"
    statuses = post_at_once(member, path, {"kind": "thanks", "on": "1"})
    assert statuses == [302] * 20
    assert Reaction.objects.filter(post=post, person=member).count() == 1


def test_twenty_taps_taking_a_reaction_back_leave_none(crew):
    team, lead, member = crew
    post = post_to_thread(author=lead, team=team, status="Shipped it")
    Reaction.objects.create(post=post, person=member, kind="thanks")
    path = f"/rituals/thread/{post.pk}/react/"
    assert post_at_once(member, path, {"kind": "thanks", "on": "0"}) == [302] * 20
    assert not Reaction.objects.exists()


def test_twenty_joins_of_a_ritual_leave_one_participant(crew):
    team, lead, member = crew
    with time_machine.travel(WEDNESDAY, tick=False):
        ritual = adopt_ritual(
            team=team,
            created_by=lead,
            name="Show and tell",
            format="sync",
            rule="FREQ=WEEKLY;BYDAY=TH",
            start_time=dt.time(10, 0),
            time_zone="UTC",
            duration=15,
            hypothesis="We learn from each other.",
            participation=TeamRitual.Participation.OPT_IN,
        )
        statuses = post_at_once(member, f"/rituals/{ritual.pk}/join/", {})
    assert statuses == [302] * 20
    assert list(ritual.participants.all()) == [member]


def test_twenty_answers_to_how_it_went_leave_one(crew):
    team, lead, member = crew
    with time_machine.travel(WEDNESDAY, tick=False):
        ritual = adopt_ritual(
            team=team,
            created_by=lead,
            name="Co-working",
            format="sync",
            rule="FREQ=DAILY",
            start_time=dt.time(10, 0),
            time_zone="UTC",
            duration=15,
            hypothesis="We ask more small questions.",
        )
        occurrence = Occurrence.objects.filter(ritual=ritual).order_by("starts_at").first()
    with time_machine.travel(occurrence.ends_at + dt.timedelta(hours=1), tick=False):
        path = f"/rituals/occurrences/{occurrence.pk}/say/"
        statuses = post_at_once(member, path, {"attended": "yes", "worth_it": "yes"})
    assert statuses == [302] * 20
    assert Attendance.objects.filter(occurrence=occurrence, person=member).count() == 1
