"""Pages that grow with the org must not grow in queries."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connection.models import Team, User
from insights.dashboards.common import forget_org_wide
from tests.helpers import make_team

PAGES = [
    ("hana@hearth.example", "/"),
    ("alice@hearth.example", "/"),
    ("bob@hearth.example", "/"),
    ("hana@hearth.example", "/people/"),
    ("hana@hearth.example", "/people/?q=a&page=2"),
    ("alice@hearth.example", "/people/"),
    ("hana@hearth.example", "/api/people/"),
    ("hana@hearth.example", "/api/teams/"),
    # The pulse results read what each round published: one query a round or a team.
    ("alice@hearth.example", "/pulse/results/"),
    ("hana@hearth.example", "/pulse/org/"),
    ("hana@hearth.example", "/pulse/org/?by=location"),
    ("hana@hearth.example", "/pulse/org.csv"),
]


def count_queries(client, email: str, url: str) -> int:
    client.force_login(User.objects.get(email=email))
    forget_org_wide()  # the first view of a page: its org-wide tables computed, not kept
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow_org(extra_people: int, extra_teams: int) -> None:
    """Add people and teams everywhere, including under Alice's team."""
    platform = Team.objects.get(name="Platform")
    parents = [platform, *Team.objects.filter(depth=0)]
    teams = [make_team(parent=parents[i % len(parents)]) for i in range(extra_teams)]
    teams.append(platform)
    User.objects.bulk_create(
        User(
            email=f"extra{i}@hearth.example",
            display_name=f"Extra {i}",
            team=teams[i % len(teams)],
            time_zone=["Europe/Lisbon", "Asia/Kolkata", "America/New_York"][i % 3],
        )
        for i in range(extra_people)
    )


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_org(client):
    call_command("seed_demo")
    small = {page: count_queries(client, *page) for page in PAGES}
    grow_org(extra_people=600, extra_teams=40)
    large = {page: count_queries(client, *page) for page in PAGES}
    assert large == small
    assert max(large.values()) < 15, large
