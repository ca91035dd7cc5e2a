"""A small org with one of everything the API lists, shared by the API tests."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from connection.models import OrgSettings
from mentorship.models import Programme
from mentorship.services.mentoring_log import publish_note
from mentorship.services.office_hours import host_office_hours
from mentorship.services.programmes import join_programme, run_round
from pulse.services import open_round
from rituals.models import Value
from rituals.services.budgets import set_budget
from rituals.services.recognition import recognise
from rituals.services.rituals import adopt_ritual
from rituals.services.thread import post_to_thread
from tests.helpers import make_user

NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def org_ids(db, team, other_team, alice, bob, charlie, hana):
    """A small org with one of everything the API lists, and for each path the ids an
    `{id}` may take there: first a row the employee (bob) may reach, then rows he may
    not (HR reaches most of them)."""
    with time_machine.travel(NOW, tick=False):
        OrgSettings.load()
        dan = make_user(team=team, manager=alice)
        erin = make_user(team=other_team)
        ritual = adopt_ritual(
            team=team,
            created_by=alice,
            name="Co-working",
            format="sync",
            rule="FREQ=WEEKLY;BYDAY=MO,TH",
            start_time=dt.time(10),
            time_zone="UTC",
            duration=30,
            hypothesis="A shared half hour makes asking easier.",
            confirm_outside_hours=True,
        )
        budgets = [
            set_budget(team=t, quarter=NOW.date(), hours=Decimal(20), money=Decimal(500))
            for t in (team, other_team)
        ]
        coffee = Programme.objects.create(
            kind="coffee", name="Coffee chat", cadence_weeks=2, group_size=2, max_group_size=3
        )
        sales_coffee = Programme.objects.create(
            kind="coffee", name="Sales coffee", team=other_team, group_size=2, max_group_size=3
        )
        for person in (alice, bob, dan, charlie):
            join_programme(programme=coffee, person=person)
        groups = run_round(programme=coffee).groups.order_by("pk")
        office_hours = host_office_hours(
            host=alice, weekday=2, start_time=dt.time(14), minutes=60, block_minutes=20
        )
        notes = [
            publish_note(
                author=author, topic=topic, tried="A", failed="", learned="B", visibility="team"
            )
            for author, topic in ((bob, "Async"), (erin, "Sales"))
        ]
        posts = [
            post_to_thread(author=bob, team=team, status="Shipped the thing"),
            post_to_thread(author=charlie, team=other_team, status="Closed a deal"),
        ]
        recognition = recognise(
            giver=alice,
            receivers=[bob],
            message="Thanks for the review",
            values=[Value.objects.filter(active=True).first()],
            visibility="team",
        )
        open_round(now=NOW)
    teams = [team.pk, other_team.pk]
    return {
        "/api/budgets/": [b.pk for b in budgets],
        "/api/case-notes/": [n.pk for n in notes],
        "/api/insights/teams/": teams,
        "/api/my-groups/": sorted(g.pk for g in groups if bob in g.members.all())
        + sorted(g.pk for g in groups if bob not in g.members.all()),
        "/api/occurrences/": list(
            ritual.occurrences.order_by("starts_at").values_list("pk", flat=True)
        ),
        "/api/office-hours/": [office_hours.pk],
        "/api/people/": [bob.pk, alice.pk, charlie.pk, hana.pk],
        "/api/programmes/": [coffee.pk, sales_coffee.pk],
        "/api/pulse/teams/": teams,
        "/api/recognition/": [recognition.pk],
        "/api/rituals/": [ritual.pk],
        "/api/teams/": teams,
        "/api/thread-posts/": [p.pk for p in posts],
    }
