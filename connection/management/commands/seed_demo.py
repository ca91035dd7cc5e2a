"""Build the demo organisation: the people of JOURNEYS.md and their colleagues.

The org is written as an org chart CSV and goes through the same import as
a real one, so the demo exercises the code HR admins use. Then each app's
`seed_demo` hook adds its part, the connection ledger gets 12 weeks of
history, and the nightly insights are computed for those weeks, so the
dashboards have a true story to tell (see HISTORY_WEEKS and below).
"""

import datetime as dt
import io
import random
import time
import zoneinfo
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone

from connection.alerts import send_alerts
from connection.calendar import NEWCOMER_DAYS, monday
from connection.insights import HELP_SEEKING, compute_week
from connection.models import Nudge, Signal, Team, User
from connection.services import import_org_chart
from connection.spreadsheets import csv_writer

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

# The story the 12 weeks of history tell; the pulse, rituals and ledger seeds share it.
# Most teams are steady. Four teams adopted the co-working window six weeks ago and
# their connection rose (HR's "which rituals work" card). Alice's Platform, with its
# sub-team Reliability, drifted down over the last four weeks and its people connected
# less (Alice's alert).
HISTORY_WEEKS = 12
RITUAL_TEMPLATE = "coworking"
ADOPTERS = ("Payments", "Mobile", "Customer Success", "People")
ADOPTED_WEEKS_AGO = 6
DRIFTING = "Platform"
DRIFT_WEEKS = 4


def story_shift(team_names: set[str], weeks_ago: int) -> float:
    """Points on the 0-100 connection score the story adds to a team's usual level in
    the pulse round opened `weeks_ago` weeks ago. `team_names`: the team and those above."""
    shift = 0.0
    if DRIFTING in team_names and 1 <= weeks_ago <= DRIFT_WEEKS:
        shift -= 4.5 * (DRIFT_WEEKS + 1 - weeks_ago)  # -4.5 ... -18 last week
    since = ADOPTED_WEEKS_AGO - weeks_ago
    if since >= 1 and team_names & set(ADOPTERS):
        shift += min(10.0, 4.0 * since)
    return shift


def story_activity(team_names: set[str], weeks_ago: int) -> tuple[float, float]:
    """(chance a person connects with anyone that week, how many acts they do, as a factor)."""
    if DRIFTING in team_names and weeks_ago <= 3:
        return (0.55, 0.55, 0.66, 0.78)[weeks_ago], 0.8
    if team_names & set(ADOPTERS) and weeks_ago < ADOPTED_WEEKS_AGO:
        return 0.95, 1.5
    return 0.88, 1.0


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
        writer = csv_writer(buffer)
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
            added = add_signal_history(timezone.now(), random.Random(seed))
            if added:
                extras.append(f"{HISTORY_WEEKS} weeks of connection history ({added} acts)")
            compute_history(timezone.now())
        settled = settle_outbox(timezone.now())
        if settled:
            extras.append(f"{settled} messages of the past marked as delivered")
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


TIE_KINDS = [  # acts with one colleague, and how common each is
    (Signal.Kind.REPLIED, 10),
    (Signal.Kind.RECOGNISED, 3),
    (Signal.Kind.BOOKED, 1),
    (Signal.Kind.CHECKED_IN, 2),
]
TEAM_KINDS = [(Signal.Kind.POSTED, 2), (Signal.Kind.ASKED, 1)]  # acts for the whole team


def add_signal_history(now: dt.datetime, rng: random.Random) -> int:
    """Twelve weeks (and this week so far) of the connection ledger, following the story.

    Most people connect a few times a week, mostly inside their team; a few have no
    ties at all; newcomers ask their first question within days of starting, except
    two. Written with one bulk insert; sources are `demo:<n>`, so a re-run adds nothing.
    """
    if Signal.objects.filter(source__startswith="demo:").exists():
        return 0
    today = now.astimezone(dt.UTC).date()
    this_monday = monday(today)
    teams = {team.pk: team for team in Team.objects.all()}
    people = list(User.objects.active().exclude(team__isnull=True).order_by("pk"))
    if not people:
        return 0

    def names(person: User) -> set[str]:
        return {teams[pk].name for pk in teams[person.team_id].lineage_ids}

    team_names = {person.pk: names(person) for person in people}
    department = {person.pk: teams[person.team_id].lineage_ids[0] for person in people}
    by_team: dict[int, list[User]] = defaultdict(list)
    for person in people:
        by_team[person.team_id].append(person)
    leads = set(Team.managers.through.objects.values_list("user_id", flat=True))
    personas = {f"{local}@{DOMAIN}" for local in PERSONAS}
    newcomer_since = today - dt.timedelta(days=NEWCOMER_DAYS)

    def started(person: User) -> dt.date:
        return person.start_date or today - dt.timedelta(days=3650)

    # A few people with no ties in 90 days: two in the big support team, one in Data,
    # one in Alice's team (after the first four, who post in its thread).
    isolated: set[int] = set()
    for name, count in (("Customer Success", 2), ("Data", 1), (DRIFTING, 1)):
        team = next((t for t in teams.values() if t.name == name), None)
        members = by_team.get(team.pk, [])[4:] if team else []
        members = [
            p
            for p in members
            if p.pk not in leads and p.email not in personas and started(p) < newcomer_since
        ]
        isolated.update(p.pk for p in rng.sample(members, min(count, len(members))))

    # Newcomers ask (or book) within days of starting; the two longest here never have.
    newcomers = sorted(
        (p for p in people if started(p) > newcomer_since), key=lambda p: (started(p), p.pk)
    )
    silent = {
        p.pk
        for p in [p for p in newcomers if (today - started(p)).days >= 21][:2]
        if p.email != f"nia@{DOMAIN}"
    }
    first_ask: dict[int, dt.datetime] = {}
    for person in newcomers:
        if person.pk in silent or person.pk in isolated:
            continue
        # Nia's first question was on her third day (JOURNEYS.md); others' on day 2 to 5.
        days = 2 if person.email == f"nia@{DOMAIN}" else rng.randint(1, 4)
        day = started(person) + dt.timedelta(days=days)
        while day.weekday() >= 5 and day < today:
            day += dt.timedelta(days=1)
        when = _at_work(person, day, rng)
        when = min(when, now - dt.timedelta(minutes=10))
        first_ask[person.pk] = max(
            when, dt.datetime.combine(started(person), dt.time(0), tzinfo=dt.UTC)
        )

    signals: list[Signal] = []

    def add(actor: User, kind: str, when: dt.datetime, other: User | None = None) -> None:
        signals.append(
            Signal(
                actor=actor,
                other=other,
                team_id=actor.team_id,
                kind=kind,
                occurred_at=when,
                source=f"demo:{len(signals) + 1}",
            )
        )

    for person in newcomers:
        if person.pk in first_ask:
            kind = rng.choice([Signal.Kind.ASKED, Signal.Kind.ASKED, Signal.Kind.BOOKED])
            host = None
            if kind == Signal.Kind.BOOKED:
                seniors = [p for p in by_team[person.team_id] if p.pk in leads and p != person]
                host = seniors[0] if seniors else None
                kind = kind if host else Signal.Kind.ASKED
            add(person, kind, first_ask[person.pk], host)

    for weeks_ago in range(HISTORY_WEEKS, -1, -1):
        week_start = this_monday - dt.timedelta(weeks=weeks_ago)
        after_adoption = weeks_ago < ADOPTED_WEEKS_AGO
        # Who connects with anyone this week (and so may be the other side of an act).
        # Each team has exactly its story's share of active people, the lowest draws:
        # a coin per person let a dozen people rise or drift against the story by
        # chance, and which draws landed where followed the weekday of the seeding
        # (start dates are relative to today), so on Sundays Alice had no alert.
        draws: dict[int, list[tuple[float, int]]] = defaultdict(list)
        chances, factor = {}, {}
        for person in people:
            if person.pk in isolated or started(person) > week_start + dt.timedelta(days=4):
                continue
            chance, factor[person.pk] = story_activity(team_names[person.pk], weeks_ago)
            chances[person.team_id] = chance
            draws[person.team_id].append((rng.random(), person.pk))
        active_ids = {
            pk
            for team_id, team_draws in draws.items()
            for _, pk in sorted(team_draws)[: round(chances[team_id] * len(team_draws))]
        }
        active = [person for person in people if person.pk in active_ids]
        in_team = {
            team_id: [p for p in members if p.pk in active_ids]
            for team_id, members in by_team.items()
        }
        in_department: dict[int, list[User]] = defaultdict(list)
        for person in active:
            in_department[department[person.pk]].append(person)
        for person in active:
            earliest = first_ask.get(person.pk) or dt.datetime.combine(
                started(person), dt.time(0), tzinfo=dt.UTC
            )
            acts = max(1, round(rng.choice([1, 2, 2, 3, 3, 4, 5]) * factor[person.pk]))
            for _ in range(acts):
                when = _at_work(person, week_start + dt.timedelta(days=rng.randint(0, 4)), rng)
                if when >= now or when < earliest:
                    continue
                kind, other = _act(person, rng, in_team, in_department, active, department)
                if person.pk in silent and kind in HELP_SEEKING:
                    kind = Signal.Kind.REPLIED if other else Signal.Kind.POSTED
                add(person, kind, when, other)
            # The co-working window (Tuesdays) in the teams that adopted it.
            if after_adoption and team_names[person.pk] & set(ADOPTERS) and rng.random() < 0.8:
                when = _at_work(person, week_start + dt.timedelta(days=1), rng)
                if earliest <= when < now:
                    add(person, Signal.Kind.ATTENDED, when)
        # The isolated still post now and then: they are present, just not connected.
        for person in people:
            if person.pk in isolated and rng.random() < 0.3:
                when = _at_work(person, week_start + dt.timedelta(days=rng.randint(0, 4)), rng)
                if when < now:
                    add(person, Signal.Kind.POSTED, when)
    Signal.objects.bulk_create(signals, batch_size=2000, ignore_conflicts=True)
    return len(signals)


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _colleague(person: User, in_team: dict, rng: random.Random) -> User | None:
    others = [p for p in in_team.get(person.team_id, []) if p.pk != person.pk]
    return rng.choice(others) if others else None


def _act(person, rng, in_team, in_department, active, department) -> tuple[str, User | None]:
    """One act: with a teammate three times in four, else someone in another team
    (of the same department more often than not); or one for the whole team."""
    if rng.random() < 0.3:
        return _weighted(rng, TEAM_KINDS), None
    kind = _weighted(rng, TIE_KINDS)
    if kind != Signal.Kind.CHECKED_IN and rng.random() < 0.75:
        other = _colleague(person, in_team, rng)
    else:
        near = in_department[department[person.pk]] if rng.random() < 0.6 else active
        others = [p for p in near if p.team_id != person.team_id]
        other = rng.choice(others) if others else None
    if other is None:
        return Signal.Kind.POSTED, None
    return kind, other


def _at_work(person: User, day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment inside `person`'s working hours on `day` (their calendar), in UTC."""
    start = person.work_start.hour * 60 + person.work_start.minute
    end = person.work_end.hour * 60 + person.work_end.minute
    if end <= start:
        end += 24 * 60
    minute = rng.randrange(start, end)
    local = dt.datetime.combine(day, dt.time(0), tzinfo=zoneinfo.ZoneInfo(person.time_zone))
    return (local + dt.timedelta(minutes=minute)).astimezone(dt.UTC)


def settle_outbox(now: dt.datetime) -> int:
    """Mark every message the seed made due by `now` as delivered when it was due.

    The demo's history happened in the past, so its invitations and
    recognitions were sent then: left pending, the first beat tick (or test)
    after seeding would deliver or expire them depending on the hour of the
    day. Messages of the past read as read; the newest few days stay unread
    so the bell still has something to show. Only what is due later stays in
    the outbox.
    """
    return Nudge.objects.filter(status=Nudge.Status.PENDING, due_at__lte=now).update(
        status=Nudge.Status.SENT,
        sent_at=F("due_at"),
        read_at=Case(When(due_at__lt=now - dt.timedelta(days=3), then=F("due_at")), default=None),
    )


def compute_history(now: dt.datetime) -> None:
    """The nightly insights for the last 12 weeks and this one, oldest first, then last
    week's alerts (Alice's, for Platform)."""
    this_monday = monday(now.astimezone(dt.UTC).date())
    for weeks_ago in range(HISTORY_WEEKS, -1, -1):
        compute_week(this_monday - dt.timedelta(weeks=weeks_ago), now=now)
    send_alerts(this_monday - dt.timedelta(weeks=1), now=now)
