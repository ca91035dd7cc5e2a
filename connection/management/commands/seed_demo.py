"""Build the demo organisation: the people of JOURNEYS.md and their colleagues.

The org is written as an org chart CSV and goes through the same import as
a real one, so the demo exercises the code HR admins use.
"""

import csv
import datetime as dt
import io
import random
import time

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from connection.models import User
from connection.services import import_org_chart

DOMAIN = "hearth.example"
FIRST = [
    "Aisha",
    "Ana",
    "Arjun",
    "Ben",
    "Carla",
    "Chen",
    "Daniel",
    "Dara",
    "Diego",
    "Elena",
    "Emeka",
    "Farah",
    "Felix",
    "Grace",
    "Hamid",
    "Ines",
    "Ivan",
    "Jana",
    "Jonas",
    "Kai",
    "Kavya",
    "Lara",
    "Leo",
    "Lina",
    "Luca",
    "Maya",
    "Mateo",
    "Mei",
    "Nadia",
    "Noah",
    "Omar",
    "Priya",
    "Quinn",
    "Rafael",
    "Rosa",
    "Sami",
    "Sara",
    "Sofia",
    "Tariq",
    "Tomas",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
    "Amara",
    "Bruno",
    "Chloe",
    "Dev",
    "Eva",
    "Femi",
    "Gil",
    "Hugo",
    "Isla",
    "Joao",
    "Kenji",
    "Lea",
    "Marta",
    "Nils",
    "Olga",
    "Pedro",
    "Rhea",
    "Sven",
    "Tess",
    "Vik",
]
LAST = [
    "Silva",
    "Costa",
    "Pereira",
    "Santos",
    "Müller",
    "Schmidt",
    "Fischer",
    "Weber",
    "Becker",
    "Sharma",
    "Patel",
    "Iyer",
    "Rao",
    "Gupta",
    "Nair",
    "Khan",
    "Okafor",
    "Mensah",
    "Smith",
    "Johnson",
    "Garcia",
    "Rodriguez",
    "Chen",
    "Wang",
    "Kim",
    "Tanaka",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Martin",
    "Novak",
    "Kowalski",
    "Jensen",
    "Larsen",
    "Andersson",
    "Haddad",
    "Aziz",
    "Ferreira",
    "Lopez",
    "Moreau",
    "Brooks",
    "Reyes",
    "Ortiz",
    "Castro",
    "Mendes",
    "Kaur",
    "Bose",
    "Das",
    "Menon",
    "Ito",
]
ZONES = ["America/New_York", "Europe/Lisbon", "Europe/Berlin", "Asia/Kolkata"]
LOCATIONS = ["remote"] * 5 + ["hybrid"] * 4 + ["office"] * 2

# (team, parent, size): 12 teams in 3 levels; sizes add up to the default 150
# with the personas. Platform is Alice's team; Reliability, her sub-team of 4.
DEMO_TEAMS = [
    ("Engineering", "", 3),
    ("Platform", "Engineering", 12),
    ("Reliability", "Platform", 4),
    ("Payments", "Engineering", 16),
    ("Mobile", "Engineering", 15),
    ("Data", "Engineering", 14),
    ("Product & Design", "", 3),
    ("Product Management", "Product & Design", 12),
    ("Design", "Product & Design", 11),
    ("People & Operations", "", 3),
    ("Customer Success", "People & Operations", 45),
    ("People", "People & Operations", 12),
]
PERSONAS = {
    # email local part: (name, team, zone, location, role in team)
    "alice": ("Alice Moreau", "Platform", "America/New_York", "remote", "lead"),
    "bob": ("Bob Ferreira", "Platform", "Europe/Lisbon", "remote", "member"),
    "nia": ("Nia Okafor", "Platform", "Europe/Berlin", "hybrid", "new"),
    "hana": ("Hana Ito", "People", "Europe/London", "hybrid", "lead"),
}
PERSONA_TENURE = {"alice": 1150, "bob": 540, "hana": 1460}
TEAM_ZONES = {
    "Platform": ["America/New_York", "Europe/Lisbon", "Asia/Kolkata", "Europe/Berlin"],
    "Reliability": ["Asia/Kolkata", "Europe/Lisbon"],
    "Customer Success": ["America/New_York", "Europe/Lisbon", "Europe/Berlin"],
}


class Command(BaseCommand):
    help = "Create the demo organisation (about 150 people) or a large one for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=150, help="How many people (50 or more).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when people already exist."
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--bare",
            action="store_true",
            help="People and teams only: no pulse history, rituals, thread or budgets.",
        )

    def handle(self, *args, people: int, if_empty: bool, seed: int, bare: bool = False, **options):
        if people < 50:
            raise CommandError("The demo needs at least 50 people (12 teams of three or more).")
        if if_empty and User.objects.exists():
            self.stdout.write("People already exist; the demo organisation was not loaded.")
            return
        started = time.perf_counter()
        for app_config in apps.get_app_configs():
            if hasattr(app_config, "ensure_reference_data"):
                app_config.ensure_reference_data()
        today = timezone.now().date()
        rows, teams_made = build_org(people, today, random.Random(seed))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "email",
                "name",
                "team",
                "parent team",
                "manager email",
                "start date",
                "time zone",
                "location",
            ]
        )
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
        extras = []
        if people <= 500 and not bare:  # the large benchmark org stays people and teams only
            for app_config in apps.get_app_configs():
                if hasattr(app_config, "seed_demo"):
                    done = app_config.seed_demo(today=today)
                    if done:
                        extras.append(done)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Demo organisation ready: {len(rows)} people in {teams_made} teams ({elapsed:.1f} s)."
        )
        if extras:
            self.stdout.write("Also: " + "; ".join(extras) + ".")
        self.stdout.write(f"Sign in with password “{settings.HEARTH_DEMO_PASSWORD}” as:")
        for local, (name, team, zone, _, _) in PERSONAS.items():
            role = {"alice": "manager", "hana": "HR admin"}.get(local, "employee")
            self.stdout.write(f"  {local}@{DOMAIN:<16} {name}, {role}, {team}, {zone}")


def build_org(size: int, today: dt.date, rng: random.Random) -> tuple[list[list[str]], int]:
    teams = DEMO_TEAMS if size <= 150 else scaled_teams(size)
    total = sum(n for _, _, n in teams)
    # Scale team sizes to the requested headcount, keeping at least 3 a team.
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
    rows: list[list[str]] = []
    lead_of: dict[str, str] = {}
    parent_of = {name: parent for name, parent, _ in teams}
    used: set[str] = set()

    def email_for(name: str) -> str:
        base = name.lower().replace(" ", ".").replace("ü", "u")
        email, n = f"{base}@{DOMAIN}", 1
        while email in used:
            n += 1
            email = f"{base}{n}@{DOMAIN}"
        used.add(email)
        return email

    used.update(f"{local}@{DOMAIN}" for local in PERSONAS)
    for name, _, _ in teams:
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
        while len(members) < sizes[name]:
            person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            # Round-robin over the team's zones, so every zone it spans has people.
            zone = zones[len(members) % len(zones)]
            members.append((email_for(person), person, zone, rng.choice(LOCATIONS), "member"))
        lead_of[name] = lead
        for email, pname, zone, location, role in members:
            if role == "lead":
                boss = lead_of.get(parent_of[name], "") if parent_of[name] else ""
                # Hana and the top-level heads report to the first head (the CEO's chair).
                boss = boss or (rows[0][0] if rows and rows[0][0] != email else "")
            else:
                boss = lead
            if role == "new":
                start = today - dt.timedelta(days=2)
            elif email.split("@")[0] in PERSONAS:
                start = today - dt.timedelta(days=PERSONA_TENURE[email.split("@")[0]])
            elif rng.random() < 0.08:
                start = today - dt.timedelta(days=rng.randint(5, 85))
            else:
                start = today - dt.timedelta(days=rng.randint(120, 2400))
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
