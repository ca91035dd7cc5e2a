"""Server time and query counts of the pages that grow with the org, at three sizes.

The demo-sized org (150 people), the large org (10,000 people by default, as every
other benchmark seeds it: `seed_demo --bare`) and one ten times larger (100,000 people
in 8,333 teams, written in bulk by bench/big_org.py: the import takes 50,000 at most).
Each gets the same content in proportion to its size (bench/page_data.py: budgets,
rituals, recognition, office hours, coffee chats, figures, messages) and one closed,
published pulse round. Every page is then requested as the person it is for.

A page fails when, at the largest size, it runs more than 15 queries or its median
server time passes 150 ms, or when its query count differs between sizes (queries per
row: the count grows with the org).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.management import call_command

from bench import page_data
from bench.big_org import seed_bulk
from bench.measure import PageTiming, print_table, seed_org, time_page
from connection.models import Team, User
from insights.dashboards.common import forget_org_wide

SMALL = 150
GROWTH = 10  # the largest org is this many times the large one
REPEATS = 7
MAX_QUERIES = 15
MAX_MS = 150

ROLES = {"hana": "HR admin", "alice": "manager", "bob": "employee", "nia": "newcomer"}
# (path, persona); {platform} is the id of Alice's team. Exports (CSV) are left out:
# they hold every team by design.
PAGES = [
    ("/", "hana"),
    ("/", "alice"),
    ("/", "bob"),
    ("/", "nia"),
    ("/people/", "hana"),
    ("/people/?q=silva", "hana"),
    ("/people/?page=200", "hana"),
    ("/people/", "alice"),
    ("/people/pick/?name=receivers&many=1&part=options&q=an", "bob"),
    ("/teams/pick/?name=team&scope=visible&q=squad", "hana"),
    ("/api/people/", "hana"),
    ("/api/teams/", "hana"),
    ("/insights/", "alice"),
    ("/insights/", "hana"),
    ("/insights/org/", "hana"),
    ("/insights/org/?level=2", "hana"),
    ("/api/insights/org/", "hana"),
    ("/api/insights/teams/{platform}/", "alice"),
    ("/insights/rituals/", "hana"),
    ("/api/insights/rituals/", "hana"),
    ("/me/connection/", "bob"),
    ("/pulse/results/", "alice"),
    ("/pulse/org/", "hana"),
    ("/pulse/org/?by=location", "hana"),
    ("/settings/", "hana"),
    ("/pulse/settings/", "hana"),
    ("/org/import/", "hana"),
    ("/nudges/outbox/", "hana"),
    ("/audit/", "hana"),
    ("/chat/", "hana"),
    ("/rituals/", "hana"),
    ("/rituals/", "alice"),
    ("/rituals/", "bob"),
    ("/rituals/catalogue/", "alice"),
    ("/rituals/adopt/coworking/", "alice"),
    ("/rituals/adopt/coworking/", "hana"),
    ("/rituals/budgets/", "hana"),
    ("/rituals/budgets/", "alice"),
    ("/api/budgets/", "hana"),
    ("/api/rituals/", "hana"),
    ("/rituals/recognition/", "bob"),
    ("/rituals/recognition/?scope=org", "hana"),
    ("/api/recognition/", "hana"),
    ("/rituals/thread/", "bob"),
    ("/rituals/thread/", "hana"),
    ("/mentorship/", "bob"),
    ("/mentorship/", "nia"),
    ("/mentorship/programmes/", "hana"),
    ("/mentorship/office-hours/", "bob"),
    ("/mentorship/log/", "alice"),
    ("/api/programmes/", "hana"),
    ("/api/office-hours/", "bob"),
    ("/notifications/", "bob"),
]


@dataclass
class Size:
    people: int
    seed_s: float
    fill_s: float
    written: dict[str, int]
    timings: list[PageTiming]  # views after the first
    firsts: list[PageTiming]  # the first view, org-wide tables not kept yet


def page(path: str, user) -> tuple[PageTiming, PageTiming]:
    """The page's usual view (median of REPEATS), and its first view: HR pages keep an
    org-wide table for a few minutes (`insights.dashboards.common.org_wide`), so the
    first view after that computes it, with more queries and more time."""
    usual = time_page(path, user, REPEATS)
    first = time_page(path, user, 1, before_each=forget_org_wide)
    return usual, first


def prepare(people: int, *, bulk: bool) -> tuple[float, float, dict[str, int]]:
    """Seed an org of `people` on the flushed database, then its content: seconds for
    each, and the content's rows by table."""
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    if bulk:
        seed_bulk(people)
        seeded = time.perf_counter() - started
    else:
        seeded = seed_org(people)
    started = time.perf_counter()
    written = page_data.fill()
    return seeded, time.perf_counter() - started, written


def measure(people: int, *, bulk: bool = False) -> Size:
    seeded, filled, written = prepare(people, bulk=bulk)
    platform = Team.objects.get(name="Platform").pk
    users = {who: User.objects.get(email=f"{who}@hearth.example") for who in ROLES}
    views = [page(path.format(platform=platform), users[who]) for path, who in PAGES]
    timings, firsts = [usual for usual, _ in views], [first for _, first in views]
    return Size(people, seeded, filled, written, timings, firsts)


def compare(sizes: list[Size]) -> tuple[list[list[str]], list[str]]:
    """A row per page, and the problems: counts that grow, over the limits at the
    largest size, not 200."""
    rows, problems = [], []
    largest = sizes[-1].people
    for index, (path, who) in enumerate(PAGES):
        timings = [size.timings[index] for size in sizes]
        firsts = [size.firsts[index] for size in sizes]
        # A page's queries: those of its first view, when that is the most.
        counts = [max(t.queries, f.queries) for t, f in zip(timings, firsts, strict=True)]
        label = f"{path} as {ROLES[who]}"
        rows.append(
            [
                path,
                ROLES[who],
                *map(str, counts),
                *(f"{t.median_ms:.1f}" for t in timings[1:]),
                f"{firsts[-1].median_ms:.0f}",
            ]
        )
        if len(set(counts)) > 1:
            problems.append(f"{label}: queries grow with the org ({' / '.join(map(str, counts))})")
        if counts[-1] > MAX_QUERIES:
            problems.append(f"{label}: {counts[-1]} queries at {largest:,} (limit {MAX_QUERIES})")
        if timings[-1].median_ms > MAX_MS:
            problems.append(
                f"{label}: {timings[-1].median_ms:.0f} ms at {largest:,} (limit {MAX_MS} ms)"
            )
        bad = [f"{s.people:,}: {t.status}" for s, t in zip(sizes, timings, strict=True)]
        if any(t.status != 200 for t in timings):
            problems.append(f"{label}: HTTP {', '.join(bad)}")
    return rows, problems


def run(people: int) -> list[str]:
    """Measure at SMALL, `people` and GROWTH times `people`; print the table and the
    FAIL lines, and return the problems."""
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per forced login
    sizes = [measure(SMALL), measure(people), measure(people * GROWTH, bulk=True)]
    rows, problems = compare(sizes)
    short = [f"{s.people // 1000}k" if s.people >= 1000 else str(s.people) for s in sizes]
    print("Pages: queries and median server time as the org grows")
    print_table(
        [
            "page",
            "role",
            *(f"queries {label}" for label in short),
            *(f"ms {label}" for label in short[1:]),
            f"first view ms {short[-1]}",
        ],
        rows,
    )
    for size in sizes:
        teams = Team.objects.count() if size is sizes[-1] else None
        print(
            f"({size.people:,} people{f', {teams:,} teams' if teams else ''}: seeded in "
            f"{size.seed_s:.1f} s, content in {size.fill_s:.1f} s)"
        )
    rows_written = ", ".join(f"{n:,} {table}" for table, n in sizes[-1].written.items())
    print(f"(content at {sizes[-1].people:,} people: {rows_written})")
    print(
        f"(ms: median of {REPEATS} requests after one warm-up, through django.test.Client; "
        "first view: one request with the org-wide tables HR pages keep for 5 minutes "
        "dropped; queries: the most of either)"
    )
    for problem in problems:
        print(f"FAIL {problem}")
    return problems
