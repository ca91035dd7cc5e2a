"""Pages that grow with the org must not grow in queries.

The demo organisation, then 40 more teams and 600 more people with what a team and a
person bring (a budget and a spend, a ritual that met, a recognition, office hours,
a Slack channel, a thread post, an audit entry, the week's figures and ties, a
coffee-chat pairing, a message): every page runs the same queries before and after,
and at most 15. Each page is counted at its first view (the org-wide tables HR pages
keep for a few minutes dropped first), its most expensive. `make bench` runs the same
pages at 150, 10,000 and 100,000 people and times them.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.models import TeamSlackChannel
from connection.calendar import quarter_start
from connection.models import AuditEntry, Nudge, Team, User
from insights.dashboards.common import forget_org_wide
from insights.models import TeamTie, TeamWeek
from mentorship.models import MatchGroup, MatchRound, Membership, OfficeHours, Programme
from rituals.models import (
    Attendance,
    Budget,
    Occurrence,
    Recognition,
    RitualTemplate,
    Spend,
    TeamRitual,
    ThreadPost,
)
from tests.helpers import make_team

MAX_QUERIES = 15
H, A, B, N = (f"{who}@hearth.example" for who in ("hana", "alice", "bob", "nia"))
PAGES = [
    (H, "/"),
    (A, "/"),
    (B, "/"),
    (N, "/"),
    (H, "/people/"),
    (H, "/people/?q=a&page=2"),
    (A, "/people/"),
    (B, "/people/pick/?name=receivers&many=1&part=options&q=a"),
    (H, "/teams/pick/?name=team&scope=visible&q=team"),
    (H, "/api/people/"),
    (H, "/api/teams/"),
    (A, "/insights/"),
    (H, "/insights/"),
    (H, "/insights/org/"),
    (H, "/insights/org/?level=2"),
    (H, "/api/insights/org/"),
    (A, "/api/insights/teams/{platform}/"),
    (H, "/insights/rituals/"),
    (H, "/api/insights/rituals/"),
    (B, "/me/connection/"),
    # The pulse results read what each round published: one query a round or a team.
    (A, "/pulse/results/"),
    (H, "/pulse/org/"),
    (H, "/pulse/org/?by=location"),
    (H, "/pulse/org.csv"),
    (H, "/settings/"),
    (H, "/pulse/settings/"),
    (H, "/nudges/outbox/"),
    (H, "/audit/"),
    (H, "/chat/"),
    (H, "/rituals/"),
    (A, "/rituals/"),
    (B, "/rituals/"),
    (A, "/rituals/catalogue/"),
    (A, "/rituals/adopt/coworking/"),
    (H, "/rituals/adopt/coworking/"),
    (H, "/rituals/budgets/"),
    (A, "/rituals/budgets/"),
    (H, "/api/budgets/"),
    (H, "/api/rituals/"),
    (B, "/rituals/recognition/"),
    (H, "/rituals/recognition/?scope=org"),
    (H, "/api/recognition/"),
    (B, "/rituals/thread/"),
    (H, "/rituals/thread/"),
    (B, "/mentorship/"),
    (N, "/mentorship/"),
    (H, "/mentorship/programmes/"),
    (B, "/mentorship/office-hours/"),
    (A, "/mentorship/log/"),
    (H, "/api/programmes/"),
    (B, "/api/office-hours/"),
    (B, "/notifications/"),
]


def count_queries(client, email: str, url: str) -> int:
    client.force_login(User.objects.get(email=email))
    url = url.format(platform=Team.objects.get(name="Platform").pk)
    client.get(url)  # once first: a page may write a settings row the first time it is read
    forget_org_wide()  # the first view of a page: its org-wide tables computed, not kept
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def grow_org(extra_people: int, extra_teams: int) -> None:
    """Add people and teams everywhere, including under Alice's team, each with what
    the pages list of a team and a person."""
    platform = Team.objects.get(name="Platform")
    parents = [platform, *Team.objects.filter(depth=0)]
    teams = [make_team(parent=parents[i % len(parents)]) for i in range(extra_teams)]
    people = User.objects.bulk_create(
        User(
            email=f"extra{i}@hearth.example",
            display_name=f"Extra {i}",
            team=teams[i % len(teams)],
            time_zone=["Europe/Lisbon", "Asia/Kolkata", "America/New_York"][i % 3],
        )
        for i in range(extra_people)
    )
    leads = {team.pk: next(p for p in people if p.team_id == team.pk) for team in teams}
    _team_content(teams, leads)
    _person_content(people)


def _team_content(teams: list[Team], leads: dict) -> None:
    now = timezone.now()
    template = RitualTemplate.objects.get(slug="coworking")
    for team in teams:
        lead = leads[team.pk]
        team.managers.add(lead)
        budget = Budget.objects.create(team=team, quarter=quarter_start(now.date()), money=500)
        Spend.objects.create(
            budget=budget, category="other", amount=Decimal(50), spent_on=now.date(), logged_by=lead
        )
        ritual = TeamRitual.objects.create(
            team=team,
            template=template,
            name=template.name,
            format=template.format,
            rule="FREQ=WEEKLY;BYDAY=TU",
            start_time=dt.time(10),
            time_zone="UTC",
            duration=30,
            host=lead,
            hypothesis="We help each other more.",
            review_on=now.date() + dt.timedelta(weeks=6),
            created_by=lead,
        )
        past = now - dt.timedelta(days=2)
        occurrence = Occurrence.objects.create(
            ritual=ritual, starts_at=past, ends_at=past + dt.timedelta(minutes=30)
        )
        Attendance.objects.create(occurrence=occurrence, person=lead, worth_it=True)
        recognition = Recognition.objects.create(
            giver=lead, team=team, message="Thanks!", visibility=Recognition.Visibility.PUBLIC
        )
        recognition.receivers.add(lead)
        OfficeHours.objects.create(host=lead, weekday=2, start_time=dt.time(14), time_zone="UTC")
        TeamSlackChannel.objects.create(team=team, channel_id="C0EXTRA")
        ThreadPost.objects.create(team=team, author=lead, status="Shipped it.")
        AuditEntry.objects.create(actor=lead, kind="budget", action=AuditEntry.Action.BUDGET_SET)
    _figures(teams)


def _figures(teams: list[Team]) -> None:
    """The latest week's figures for the new teams, as the nightly job writes them."""
    week = TeamWeek.objects.aggregate(w=Max("week"))["w"]
    TeamWeek.objects.bulk_create(
        TeamWeek(team=team, week=week, members=15, people_shown=True, score=70, score_rolling=70)
        for team in teams
    )
    TeamTie.objects.bulk_create(
        TeamTie(week=week, depth=a.depth, team_a=a, team_b=b, ties=6)
        for a, b in zip(teams, teams[1:], strict=False)
        if a.depth == b.depth
    )


def _person_content(people: list[User]) -> None:
    now = timezone.now()
    coffee = Programme.objects.filter(kind=Programme.Kind.COFFEE).first()
    latest = MatchRound.objects.filter(programme=coffee).order_by("-number").first()
    Membership.objects.bulk_create(Membership(programme=coffee, person=p) for p in people)
    groups = MatchGroup.objects.bulk_create(MatchGroup(round=latest) for _ in people[::2])
    MatchGroup.members.through.objects.bulk_create(
        MatchGroup.members.through(matchgroup_id=group.pk, user_id=person.pk)
        for group, pair in zip(groups, zip(people[::2], people[1::2], strict=False), strict=False)
        for person in pair
    )
    Nudge.objects.bulk_create(
        Nudge(
            recipient=person,
            kind="recognition",
            channel="email",
            dedupe_key=f"extra:{person.pk}",
            due_at=now,
            expires_at=now + dt.timedelta(days=7),
            status=Nudge.Status.SENT,
            sent_at=now,
        )
        for person in people
    )


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_org(client):
    call_command("seed_demo")
    # Lists empty in the demo would be read by no query at all: one row each.
    TeamSlackChannel.objects.create(team=Team.objects.get(name="Platform"), channel_id="C0DEMO")
    small = {page: count_queries(client, *page) for page in PAGES}
    grow_org(extra_people=600, extra_teams=40)
    large = {page: count_queries(client, *page) for page in PAGES}
    assert large == small
    assert {page: n for page, n in large.items() if n > MAX_QUERIES} == {}
