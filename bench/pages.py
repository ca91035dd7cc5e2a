"""Server time and query counts of the pages that grow with the org.

Seeds a 150-person org, measures every page, then flushes, seeds the large org
(10,000 people by default) and measures again. A page whose query count differs
between the two sizes does per-row queries: that is a bug, and the table says so.
"""

from __future__ import annotations

from django.core.management import call_command

from bench.measure import PageTiming, print_table, seed_org, time_page
from connection.models import User

SMALL = 150
REPEATS = 10
MAX_QUERIES = 15

# (path, persona): the persona's role is looked up for the table.
PAGES = [
    ("/", "hana"),
    ("/", "alice"),
    ("/", "bob"),
    ("/people/", "hana"),
    ("/people/?q=silva", "hana"),
    ("/people/?page=200", "hana"),
    ("/api/people/", "hana"),
]
ROLES = {"hana": "HR admin", "alice": "manager", "bob": "employee"}


def measure_all() -> list[PageTiming]:
    return [
        time_page(path, User.objects.get(email=f"{who}@hearth.example"), REPEATS)
        for path, who in PAGES
    ]


def compare(
    small: list[PageTiming], large: list[PageTiming], people: int
) -> tuple[list[list[str]], list[str]]:
    """A row per page, and the problems: counts that grow, too many queries, not 200."""
    rows, problems = [], []
    for (path, who), at_small, at_large in zip(PAGES, small, large, strict=True):
        q_small, q_large = at_small.queries, at_large.queries
        same = q_small == q_large
        rows.append(
            [
                path,
                ROLES[who],
                str(q_small),
                str(q_large),
                "yes" if same else "NO",
                f"{at_large.median_ms:.1f}",
            ]
        )
        if not same:
            problems.append(
                f"{path} as {who}: {q_small} queries at {SMALL}, {q_large} at {people:,}"
            )
        if max(q_small, q_large) > MAX_QUERIES:
            problems.append(
                f"{path} as {who}: {max(q_small, q_large)} queries (limit {MAX_QUERIES})"
            )
        if at_small.status != 200 or at_large.status != 200:
            problems.append(
                f"{path} as {who}: HTTP {at_small.status} at {SMALL}, "
                f"{at_large.status} at {people:,}"
            )
    return rows, problems


def run(people: int) -> list[str]:
    """Measure at SMALL and at `people`; print the table and return the problems."""
    seed_small = seed_org(SMALL)
    small = measure_all()
    call_command("flush", interactive=False, verbosity=0)
    seed_large = seed_org(people)
    large = measure_all()
    rows, problems = compare(small, large, people)

    print_table(
        [
            "page",
            "role",
            f"{SMALL} people: queries",
            f"{people:,} people: queries",
            "same?",
            f"median ms ({people // 1000}k)",
        ],
        rows,
    )
    print()
    print(f"seed_demo --people {SMALL}: {seed_small:.1f} s")
    print(f"seed_demo --people {people}: {seed_large:.1f} s")
    print(f"(median of {REPEATS} requests after one warm-up, through django.test.Client)")
    return problems
