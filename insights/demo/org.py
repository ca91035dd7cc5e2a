"""The demo's people and teams, written as an org chart CSV and loaded through the same
import HR admins use, so the demo exercises that code."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction

from connection.models import User
from connection.services import import_org_chart
from connection.spreadsheets import csv_writer
from insights.demo.story import (
    DEMO_TEAMS,
    DOMAIN,
    FIRST,
    LAST,
    LOCATIONS,
    PERSONA_TENURE,
    PERSONAS,
    TEAM_ZONES,
    ZONES,
)

COLUMNS = [
    "email",
    "name",
    "team",
    "parent team",
    "manager email",
    "start date",
    "time zone",
    "location",
]


def load_org(size: int, today: dt.date, seed: int) -> tuple[int, int]:
    """Import the demo org chart of `size` people; (people, teams) written."""
    rows, teams_made = build_org(size, today, random.Random(seed))
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    with transaction.atomic():
        plan = import_org_chart(data=buffer.getvalue().encode(), filename="demo.csv")
        if not plan.ok:
            raise CommandError("; ".join(str(p) for p in plan.chart.problems[:5]))
        password = make_password(settings.HEARTH_DEMO_PASSWORD)
        User.objects.filter(email__endswith=f"@{DOMAIN}").update(password=password)
        User.objects.filter(email=f"hana@{DOMAIN}").update(
            is_hr_admin=True, is_staff=True, is_superuser=True
        )
        vary_working_hours(random.Random(seed))
        # The micro-moments the personas chose (docs/moments.md): Alice asks for a
        # weekly check-in suggestion; Bob shares his work anniversary and asks to be
        # reminded to thank whoever helps him.
        User.objects.filter(email=f"alice@{DOMAIN}").update(checkin_suggestions=True)
        User.objects.filter(email=f"bob@{DOMAIN}").update(
            share_anniversary=True, thanks_prompts=True
        )
    return len(rows), teams_made


def team_sizes(teams: list[tuple[str, str, int]], size: int) -> dict[str, int]:
    """Each team's headcount, scaled to `size` people, at least 3 a team; Alice's
    Platform (12) and its sub-team Reliability (4) keep the story's sizes."""
    total = sum(n for _, _, n in teams)
    sizes = {name: max(3, round(n * size / total)) for name, _, n in teams}
    sizes["Platform"] = 12
    sizes["Reliability"] = 4
    # Rounding leaves a few people over or short: spread them over the rest.
    flexible = [name for name, _, _ in teams if name not in ("Platform", "Reliability")]
    step = 1 if sum(sizes.values()) < size else -1
    index = 0
    while sum(sizes.values()) != size:
        name = flexible[index % len(flexible)]
        if sizes[name] + step >= 3:
            sizes[name] += step
        index += 1
    return sizes


class Emails:
    """A unique address for each generated name (the personas' are taken)."""

    def __init__(self) -> None:
        self.used = {f"{local}@{DOMAIN}" for local in PERSONAS}

    def __call__(self, name: str) -> str:
        base = name.lower().replace(" ", ".").replace("ü", "u")
        email, n = f"{base}@{DOMAIN}", 1
        while email in self.used:
            n += 1
            email = f"{base}{n}@{DOMAIN}"
        self.used.add(email)
        return email


def team_members(name: str, size: int, email_for: Emails, rng: random.Random) -> list[tuple]:
    """(email, name, zone, location, role) of a team's people, its lead first."""
    zones = TEAM_ZONES.get(name, rng.sample(ZONES, 2))
    persona_rows = [(k, v) for k, v in PERSONAS.items() if v[1] == name]
    lead = next((f"{k}@{DOMAIN}" for k, v in persona_rows if v[4] == "lead"), None)
    members = []
    if lead is None:
        lead_name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        lead = email_for(lead_name)
        members.append((lead, lead_name, zones[0], rng.choice(LOCATIONS), "lead"))
    for local, (pname, _, zone, location, role) in persona_rows:
        members.append((f"{local}@{DOMAIN}", pname, zone, location, role))
    while len(members) < size:
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        # Round-robin over the team's zones, so every zone it spans has people.
        zone = zones[len(members) % len(zones)]
        members.append((email_for(person), person, zone, rng.choice(LOCATIONS), "member"))
    return members


def start_date(email: str, role: str, today: dt.date, rng: random.Random) -> dt.date:
    if role == "new":
        return today - dt.timedelta(days=2)
    if email.split("@")[0] in PERSONAS:
        return today - dt.timedelta(days=PERSONA_TENURE[email.split("@")[0]])
    if rng.random() < 0.08:
        return today - dt.timedelta(days=rng.randint(5, 85))
    return today - dt.timedelta(days=rng.randint(120, 2400))


def build_org(size: int, today: dt.date, rng: random.Random) -> tuple[list[list[str]], int]:
    """The org chart's rows for `size` people, and how many teams they make."""
    teams = DEMO_TEAMS if size <= 150 else scaled_teams(size)
    sizes = team_sizes(teams, size)
    rows: list[list[str]] = []
    lead_of: dict[str, str] = {}
    parent_of = {name: parent for name, parent, _ in teams}
    email_for = Emails()
    for name, _, _ in teams:
        members = team_members(name, sizes[name], email_for, rng)
        lead = lead_of[name] = next(email for email, *_, role in members if role == "lead")
        for email, pname, zone, location, role in members:
            if role == "lead":
                boss = lead_of.get(parent_of[name], "") if parent_of[name] else ""
                # Hana and the top-level heads report to the first head (the CEO's chair).
                boss = boss or (rows[0][0] if rows and rows[0][0] != email else "")
            else:
                boss = lead
            start = start_date(email, role, today, rng)
            rows.append(
                [email, pname, name, parent_of[name], boss, start.isoformat(), zone, location]
            )
    return rows, len(teams)


def scaled_teams(size: int) -> list[tuple[str, str, int]]:
    """A three-level org of about 12 people a team, for benchmarks."""
    teams = list(DEMO_TEAMS)
    extra = max(0, size // 12 - len(teams))
    departments = [f"Division {i + 1}" for i in range(max(1, extra // 20))]
    for department in departments:
        teams.append((department, "", 3))
    groups = []
    for i in range(max(1, extra // 5)):
        group = f"Group {i + 1}"
        groups.append(group)
        teams.append((group, departments[i % len(departments)], 4))
    for i in range(extra - len(departments) - len(groups)):
        teams.append((f"Squad {i + 1}", groups[i % len(groups)], 12))
    return teams


def vary_working_hours(rng: random.Random) -> None:
    """Early birds and late starters, so shared hours are realistic."""
    people = list(
        User.objects.filter(email__endswith=f"@{DOMAIN}")
        .exclude(email__in=[f"{k}@{DOMAIN}" for k in PERSONAS])
        .only("pk")
    )
    for person in people:
        shift = rng.choice([-1, 0, 0, 0, 1])
        person.work_start = dt.time(9 + shift, 0)
        person.work_end = dt.time(17 + shift, 30)
    User.objects.bulk_update(people, ["work_start", "work_end"], batch_size=2000)
