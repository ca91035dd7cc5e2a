"""The org `seed_demo --people N --bare` makes, written in a few bulk inserts, for sizes
the org chart import refuses (it takes 50,000 people at most) or makes slow.

The same rows as the demo's generator (`insights.demo.org.build_org`: the same teams,
people, line managers, zones and start dates), the same team managers (the import's
rule, `OrgChart.team_managers`), the demo password and Hana's HR rights; ids are
given here, so a person's manager and a team's parent and path are known before
anything is written. For the benchmark's empty database only.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bench.bulk import reset_sequences
from connection.models import OrgImport, Team, User
from connection.orgchart import OrgChart, Person
from insights.demo import REFERENCE_DATA
from insights.demo.org import build_org
from insights.demo.story import DOMAIN, PERSONAS

BATCH = 2000


def seed_bulk(people: int, *, seed: int = 7) -> tuple[int, int]:
    """(people, teams) written, in one transaction."""
    for module in REFERENCE_DATA:
        module.ensure_reference_data()
    today = timezone.now().date()
    rows, _ = build_org(people, today, random.Random(seed))
    chart = _chart(rows)
    with transaction.atomic():
        team_ids = _write_teams(chart)
        user_ids = _write_people(chart, team_ids, random.Random(seed))
        _write_managers(chart, team_ids, user_ids)
        OrgImport.objects.create(
            filename="demo.csv",
            content="",
            status=OrgImport.Status.APPLIED,
            applied_at=timezone.now(),
            summary={"created": len(rows), "teams_created": len(team_ids)},
        )
        reset_sequences([Team, User])
    return len(rows), len(team_ids)


def _chart(rows: list[list[str]]) -> OrgChart:
    chart = OrgChart()
    for line, (email, name, team, parent, boss, start, zone, location) in enumerate(rows, 2):
        chart.people.append(
            Person(
                line=line,
                email=email,
                name=name,
                team=team,
                parent_team=parent,
                manager_email=boss,
                start_date=dt.date.fromisoformat(start) if start else None,
                time_zone=zone,
                location=location,
            )
        )
        chart.team_parents.setdefault(team, parent)
    return chart


def _next_id(model) -> int:
    return (model.objects.aggregate(n=Max("pk"))["n"] or 0) + 1


def _write_teams(chart: OrgChart) -> dict[str, int]:
    """Every team with its parent, path and depth; {name: id}."""
    first = _next_id(Team)
    ids = {name: first + i for i, name in enumerate(chart.team_parents)}
    paths: dict[str, str] = {}

    def path_of(name: str) -> str:
        if name not in paths:
            parent = chart.team_parents[name]
            paths[name] = (path_of(parent) if parent else "/") + f"{ids[name]}/"
        return paths[name]

    Team.objects.bulk_create(
        (
            Team(
                id=ids[name],
                name=name,
                parent_id=ids[parent] if parent else None,
                path=path_of(name),
                depth=path_of(name).count("/") - 2,
            )
            for name, parent in chart.team_parents.items()
        ),
        batch_size=BATCH,
    )
    return ids


def _write_people(chart: OrgChart, team_ids: dict[str, int], rng: random.Random) -> dict:
    """Everyone, with their line manager; the demo's working hours (early birds and late
    starters) and password; {email: id}."""
    first = _next_id(User)
    ids = {person.email: first + i for i, person in enumerate(chart.people)}
    password = make_password(settings.HEARTH_DEMO_PASSWORD)
    personas = {f"{local}@{DOMAIN}" for local in PERSONAS}
    hr = f"hana@{DOMAIN}"
    # The demo shifts everyone's hours but the personas', in the default ordering.
    others = sorted((p.name, p.email) for p in chart.people if p.email not in personas)
    shifts = {email: rng.choice([-1, 0, 0, 0, 1]) for _, email in others}

    def person_row(person: Person) -> User:
        shift = shifts.get(person.email, 0)
        return User(
            id=ids[person.email],
            email=person.email,
            display_name=person.name,
            team_id=team_ids[person.team],
            manager_id=ids.get(person.manager_email),
            start_date=person.start_date,
            time_zone=person.time_zone,
            location=person.location,
            password=password,
            work_start=dt.time(9 + shift, 0),
            work_end=dt.time(17 + shift, 30),
            is_hr_admin=person.email == hr,
            is_staff=person.email == hr,
            is_superuser=person.email == hr,
        )

    User.objects.bulk_create((person_row(p) for p in chart.people), batch_size=BATCH)
    return ids


def _write_managers(chart: OrgChart, team_ids: dict[str, int], user_ids: dict) -> None:
    through = Team.managers.through
    through.objects.bulk_create(
        (
            through(team_id=team_ids[team], user_id=user_ids[email])
            for team, emails in chart.team_managers().items()
            for email in sorted(emails)
        ),
        batch_size=BATCH,
    )
