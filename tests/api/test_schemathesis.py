"""Schemathesis against the schema the app serves (/api/schema/), as an employee and
as HR: every operation gets boundary and hostile values (the coverage phase) and a
few generated requests (fuzzing), and every answer must be a documented status with
a body that matches its schema. No server errors, and bad input is refused.

Path ids point at a small org built for each test, so actions run against objects
that exist, some the caller may reach and some not. Deterministic: a fixed
seed, derandomised generation and a pinned clock, so CI never flakes."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from connection.models import OrgSettings
from connection.wsgi import application
from mentorship.models import Programme
from mentorship.services import host_office_hours, join_programme, publish_note, run_round
from pulse.services import open_round
from rituals.models import Value
from rituals.services import adopt_ritual, post_to_thread, recognise, set_budget
from tests.helpers import make_user

NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)  # a Monday
EXAMPLES = 5  # generated requests per operation and role, on top of the coverage phase

config = schemathesis.Config.from_dict(
    {
        "seed": 11,
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            "mode": "all",
            # The token is ours (below); generated credentials would only be refused.
            "with-security-parameters": False,
        },
        "phases": {"coverage": {"unexpected-methods": ["DELETE", "PATCH", "PUT"]}},
        "checks": {
            # A well-formed request can still break a rule (a date outside the
            # quarter, a programme you are not in): a 400 with a message, by design.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


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


@pytest.fixture(params=["employee", "hr"])
def token(request, org_ids, bob, hana):
    """The caller's API token, and the org's clock pinned while Schemathesis calls."""
    user = {"employee": bob, "hr": hana}[request.param]
    key = Token.objects.create(user=user).key
    # The WSGI app runs inside the test's transaction: Django must not close the
    # connection at the end of each request (its test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        # Calls happen just after the ritual's first occurrence began, so it can be rated.
        with time_machine.travel(NOW + dt.timedelta(minutes=75), tick=False):
            yield key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def aim_at_org(case, org_ids: dict[str, list[int]]) -> None:
    """Point a generated `{id}` at a row of the org. Only in-range whole numbers move:
    negative, huge and non-integer ids (the hostile ones) are sent as generated."""
    value = (case.path_parameters or {}).get("id")
    # The coverage phase sends ids as strings, fuzzing as integers.
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,9}", str(value)):
        return
    ids = next((ids for prefix, ids in org_ids.items() if case.path.startswith(prefix)), [])
    if ids:
        case.path_parameters["id"] = ids[int(value) % len(ids)]


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_api_answers_as_documented(case, token, org_ids):
    aim_at_org(case, org_ids)
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
