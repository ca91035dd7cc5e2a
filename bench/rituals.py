"""Rituals benchmarks: a quarter of occurrences for the whole org, and a long team thread.

A. Materialise: on the 10,000-person org (seeded when it is not there), two
   rituals for every team, written with bulk_create: a weekly sync on
   Tuesdays and a daily async on weekdays, in the zone of the team's first
   member. Then materialise_all() is timed with rituals.services.occurrences.HORIZON
   set to 13 weeks (it is put back afterwards): occurrences, and for the
   sync rituals a reminder nudge per member per occurrence. A second run
   with the same `now` must write nothing (idempotent).
B. Thread: 1,000 posts in one team's thread (about 30% with a reply and a
   reaction or two), 10 in another's, all with bulk_create. A member of each
   team GETs /rituals/thread/?team=<id> and ?page=40 through
   django.test.Client; the query counts must not depend on the thread's
   length.

Run on its own with `python -m bench rituals` (it seeds the org first when the
bench database has none; `--people` sets its size).
"""

from __future__ import annotations

import datetime as dt
import time
import traceback

from django.db.models import Count, Q
from django.utils import timezone

from bench.measure import Section, ensure_org, print_section, time_page
from connection.models import Nudge, Team, User
from rituals.models import Occurrence, Reaction, TeamRitual, ThreadPost
from rituals.services import occurrences as occurrence_services

QUARTER = dt.timedelta(weeks=13)
# A Monday at midnight UTC; the quarter after it spans the US (8 March) and
# EU (29 March) daylight-saving changes.
START = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)
WEEKS = QUARTER.days // 7
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
RITUALS = [
    # name, format, rule, start time, duration, occurrences a quarter
    ("Bench weekly sync", "sync", "FREQ=WEEKLY;BYDAY=TU", dt.time(15, 0), 30, WEEKS),
    ("Bench daily async", "async", WEEKDAYS, dt.time(9, 0), 15, 5 * WEEKS),
]
TARGET_SECONDS = 60.0

THREAD_POSTS = 1_000
SMALL_THREAD = 10
DEEP_PAGE = 40
REPLY_SHARE = 0.3
REPEATS = 10
POST_PREFIX = "Bench thread post"


# ---------------------------------------------------------------- A. materialise


def create_rituals() -> tuple[int, int, int]:
    """Two rituals a team; returns (rituals, nominal occurrences, nominal reminders)."""
    TeamRitual.objects.filter(name__startswith="Bench ").delete()  # a rerun on the same file
    zones: dict[int, str] = {}
    members: dict[int, int] = {}
    for team_id, zone in (
        User.objects.filter(is_active=True, team__isnull=False)
        .order_by("team_id", "pk")
        .values_list("team_id", "time_zone")
    ):
        zones.setdefault(team_id, zone or "UTC")
        members[team_id] = members.get(team_id, 0) + 1
    teams = list(Team.objects.order_by("pk").values_list("pk", flat=True))
    rituals = [
        TeamRitual(
            team_id=team_id,
            name=name,
            format=format,
            rule=rule,
            start_time=start_time,
            time_zone=zones.get(team_id, "UTC"),
            starts_on=START.date(),
            duration=duration,
            hypothesis=f"A {name.split()[1]} {format} ritual keeps the team in step.",
            review_on=START.date() + dt.timedelta(days=30),
        )
        for team_id in teams
        for name, format, rule, start_time, duration, _ in RITUALS
    ]
    TeamRitual.objects.bulk_create(rituals, batch_size=1000)
    occurrences = sum(per for *_, per in RITUALS) * len(teams)
    reminders = sum(
        per * members.get(team_id, 0)
        for team_id in teams
        for _, format, *_, per in RITUALS
        if format == "sync"
    )
    return len(rituals), occurrences, reminders


def materialise_quarter() -> tuple[float, int, int]:
    """Seconds, occurrences written and reminder nudges written by one materialise_all()."""
    occurrences = Occurrence.objects.filter(ritual__name__startswith="Bench ")
    reminders = Nudge.objects.filter(kind="ritual_reminder")
    occurrences_before, reminders_before = occurrences.count(), reminders.count()
    horizon = occurrence_services.HORIZON
    occurrence_services.HORIZON = QUARTER
    try:
        started = time.perf_counter()
        occurrence_services.materialise_all(now=START)
        seconds = time.perf_counter() - started
    finally:
        occurrence_services.HORIZON = horizon
    return (
        seconds,
        occurrences.count() - occurrences_before,
        reminders.count() - reminders_before,
    )


def materialise(people: int) -> Section:
    ensure_org(people)
    rituals, nominal, nominal_reminders = create_rituals()
    others = TeamRitual.objects.active().exclude(name__startswith="Bench ").count()
    first_s, occurrences, reminders = materialise_quarter()
    second_s, again, reminders_again = materialise_quarter()
    idempotent = again == 0 and reminders_again == 0

    headers = [
        "rituals",
        "occurrences",
        "reminder nudges",
        "seconds",
        "occ/s",
        "2nd run: new occ",
        "2nd run: new nudges",
        "2nd run s",
        "idempotent?",
    ]
    row = [
        f"{rituals:,}",
        f"{occurrences:,}",
        f"{reminders:,}",
        f"{first_s:.1f}",
        f"{occurrences / first_s:,.0f}" if first_s else "-",
        f"{again:,}",
        f"{reminders_again:,}",
        f"{second_s:.1f}",
        "yes" if idempotent else "NO",
    ]
    notes = [
        f"materialise_all(now={START:%Y-%m-%d %H:%M} UTC) with HORIZON = {WEEKS} weeks; "
        f"{rituals // 2:,} teams x (weekly sync, weekday async); nominal {nominal:,} "
        f"occurrences and {nominal_reminders:,} reminders (one per sync occurrence per member)",
    ]
    if others:
        notes.append(f"{others} other active rituals were on the database and materialised too")
    problems = []
    if not idempotent:
        problems.append(
            f"rituals: a second materialise_all() wrote {again:,} occurrences "
            f"and {reminders_again:,} reminders (should be 0)"
        )
    if occurrences != nominal:
        problems.append(f"rituals: {occurrences:,} occurrences written, {nominal:,} expected")
    if reminders != nominal_reminders:
        problems.append(f"rituals: {reminders:,} reminders written, {nominal_reminders:,} expected")
    if first_s > TARGET_SECONDS:
        problems.append(
            f"rituals: materialising a quarter took {first_s:.1f} s (target {TARGET_SECONDS:.0f} s)"
        )
    return headers, [row], notes, problems


# ---------------------------------------------------------------- B. thread


def pick_teams():
    """Two teams with at least three members, and an employee (no managed team) of each."""
    teams = (
        Team.objects.annotate(size=Count("members", filter=Q(members__is_active=True)))
        .filter(size__gte=3)
        .order_by("-size", "pk")[:2]
    )
    picked = []
    for team in teams:
        people = list(User.objects.active().filter(team=team).order_by("pk"))
        reader = next(
            (p for p in people if not p.is_hr_admin and not p.managed_team_paths), people[0]
        )
        picked.append((team, people, reader))
    return picked


def fill_thread(team, people, posts: int) -> None:
    ThreadPost.objects.filter(team=team).delete()  # a rerun on the same file
    now = timezone.now()
    tops = ThreadPost.objects.bulk_create(
        [
            ThreadPost(
                team=team,
                author=people[i % len(people)],
                status=f"{POST_PREFIX} {i}: on the onboarding flow today, then reviews.",
                highlight="Fresh bread from the bakery downstairs." if i % 3 == 0 else "",
                is_question=i % 10 == 0,
                created_at=now - dt.timedelta(minutes=10 * (posts - i)),
            )
            for i in range(posts)
        ],
        batch_size=500,
    )
    busy = [post for i, post in enumerate(tops) if i % 10 < REPLY_SHARE * 10]
    ThreadPost.objects.bulk_create(
        [
            ThreadPost(
                team=team,
                author=people[(i + 1) % len(people)],
                parent=post,
                status="Nice, shout if you want a second pair of eyes.",
                created_at=post.created_at + dt.timedelta(minutes=3),
            )
            for i, post in enumerate(busy)
        ],
        batch_size=500,
    )
    kinds = ["thanks", "celebrate", "love", "insight", "same"]
    Reaction.objects.bulk_create(
        [
            Reaction(post=post, person=people[(i + k + 2) % len(people)], kind=kinds[(i + k) % 5])
            for i, post in enumerate(busy)
            for k in range(1 + i % 2)
        ],
        batch_size=500,
    )


def thread() -> Section:
    (big, big_people, big_reader), (small, small_people, small_reader) = pick_teams()
    started = time.perf_counter()
    fill_thread(big, big_people, THREAD_POSTS)
    fill_thread(small, small_people, SMALL_THREAD)
    fill_s = time.perf_counter() - started

    results = {}
    for label, team, reader, posts in (
        ("long", big, big_reader, THREAD_POSTS),
        ("short", small, small_reader, SMALL_THREAD),
    ):
        for page in ("1", str(DEEP_PAGE)):
            path = f"/rituals/thread/?team={team.pk}" + (f"&page={page}" if page != "1" else "")
            results[label, page] = (team, posts, path, reader, time_page(path, reader, REPEATS))

    headers = ["thread", "posts", "GET", "as", "queries", "same as short?", "median ms", "status"]
    rows, problems = [], []
    for (label, page), (team, posts, path, reader, timing) in results.items():
        queries, short_queries = timing.queries, results["short", page][4].queries
        same = queries == short_queries
        rows.append(
            [
                f"{team.name} ({label})",
                f"{posts:,}",
                path,
                reader.role,
                str(queries),
                "yes" if same else "NO",
                f"{timing.median_ms:.1f}",
                str(timing.status),
            ]
        )
        if not same:
            problems.append(
                f"thread: {path} ({posts:,} posts) takes {queries} queries, "
                f"{short_queries} with {SMALL_THREAD} posts"
            )
        if timing.status != 200:
            problems.append(f"thread: {path} answered HTTP {timing.status}")
    notes = [
        f"posts written with bulk_create in {fill_s:.1f} s; {REPLY_SHARE:.0%} of them have a "
        f"reply and one or two reactions; ?page={DEEP_PAGE} of the short thread is its last page",
        f"median of {REPEATS} requests after one warm-up, through django.test.Client",
    ]
    return headers, rows, notes, problems


# ---------------------------------------------------------------- both


def run(people: int) -> list[str]:
    """Print both tables; return the problems found."""
    problems: list[str] = []
    steps = [
        (
            f"Rituals: a quarter ({WEEKS} weeks) materialised for the {people:,}-person org",
            lambda: materialise(people),
        ),
        (f"Rituals: team thread with {THREAD_POSTS:,} posts vs {SMALL_THREAD}", thread),
    ]
    for title, step in steps:
        print(title, flush=True)
        try:
            section = step()
        except Exception as error:  # reported, and the next step still runs
            traceback.print_exc()
            print(f"  failed: {type(error).__name__}: {error}")
            problems.append(f"{title}: {type(error).__name__}: {error}")
        else:
            problems += print_section(section)
        print(flush=True)
    return problems
