"""Server time and query counts of the pages that grow with the org.

Seeds a 150-person org, measures every page, then flushes, seeds 10,000
people and measures again. A page whose query count differs between the
two sizes does per-row queries: that is a bug, and the table says so.
Then plans and delivers 10,000 nudges with two workers (bench/nudges.py)
and reports the time and any duplicates. Last, the pulse (bench/pulse.py):
queries per submission, submissions through gunicorn and wrk, and the
aggregation of 500,000 responses, the last two on a PostgreSQL database of
their own (skipped when PostgreSQL or wrk is missing). Then the rituals
(bench/rituals.py): a quarter of occurrences and reminders materialised for
the 10,000-person org's rituals, run twice to check it is idempotent, and a
team thread of 1,000 posts whose query counts must equal a 10-post thread's.
Last, the insights (bench/insights.py), on PostgreSQL databases of their own:
the nightly computation for 10,000 and 20,000 people with a year of signals
and a pulse round (time, peak memory, and the 20k/10k ratio, at most 2.2),
and the manager and HR dashboards, whose query counts must not grow with the
org (skipped when PostgreSQL is missing).

By default the run uses a fresh SQLite file under var/bench/. Set
BENCH_DATABASE_URL (for example a PostgreSQL URL) to benchmark another
database; it is flushed before seeding, so never point it at real data.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SMALL, LARGE = 150, 10_000
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


def use_bench_database() -> bool:
    """Point Django at the bench database before settings load; True when it is external."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "connection.settings"
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        os.environ["DATABASE_URL"] = url
        return True
    folder = BASE_DIR / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "bench.sqlite3"
    # WAL mode leaves -wal and -shm files beside the database.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    return False


def measure(path: str, email: str) -> tuple[int, float, int]:
    """Query count, median milliseconds and status code of one page for one person."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from connection.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    client.get(path)  # warm-up: template loading, the session, caches
    timings, counts, status = [], [], 0
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries))
        status = response.status_code
    # Counts should not vary between identical requests; report the worst.
    return max(counts), statistics.median(timings), status


def measure_all() -> list[tuple[int, float, int]]:
    return [measure(path, f"{who}@hearth.example") for path, who in PAGES]


def seed(people: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", people=people, bare=True, stdout=io.StringIO())
    return time.perf_counter() - started


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    numeric = [
        all(str(r[i]).replace(".", "").replace(",", "").isdigit() for r in rows)
        for i in range(len(headers))
    ]

    def line(cells: list[str]) -> str:
        return " | ".join(
            str(c).rjust(w) if num else str(c).ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        )

    print(line(headers))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def main() -> int:
    external = use_bench_database()

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's 'testserver' host through
    database = settings.DATABASES["default"]
    where = database["NAME"] if database["ENGINE"].endswith("sqlite3") else database["HOST"]
    print(f"Hearth bench on {database['ENGINE'].rsplit('.', 1)[-1]} ({where})", flush=True)

    call_command("migrate", interactive=False, verbosity=0)
    if external:
        call_command("flush", interactive=False, verbosity=0)

    seed_small = seed(SMALL)
    small = measure_all()
    call_command("flush", interactive=False, verbosity=0)
    seed_large = seed(LARGE)
    large = measure_all()

    rows, problems = [], []
    for (path, who), (q_small, _, s_small), (q_large, ms, s_large) in zip(
        PAGES, small, large, strict=True
    ):
        same = q_small == q_large
        rows.append(
            [path, ROLES[who], str(q_small), str(q_large), "yes" if same else "NO", f"{ms:.1f}"]
        )
        if not same:
            problems.append(
                f"{path} as {who}: {q_small} queries at {SMALL}, {q_large} at {LARGE:,}"
            )
        if max(q_small, q_large) > MAX_QUERIES:
            problems.append(
                f"{path} as {who}: {max(q_small, q_large)} queries (limit {MAX_QUERIES})"
            )
        if s_small != 200 or s_large != 200:
            problems.append(f"{path} as {who}: HTTP {s_small} at {SMALL}, {s_large} at {LARGE:,}")

    print()
    print_table(
        [
            "page",
            "role",
            f"{SMALL} people: queries",
            f"{LARGE:,} people: queries",
            "same?",
            f"median ms ({LARGE // 1000}k)",
        ],
        rows,
    )
    print()
    print(f"seed_demo --people {SMALL}: {seed_small:.1f} s")
    print(f"seed_demo --people {LARGE}: {seed_large:.1f} s")
    print(f"(median of {REPEATS} requests after one warm-up, through django.test.Client)")

    from bench import nudges

    print(flush=True)
    headers, nudge_rows, notes, nudge_problems = nudges.run()
    print_table(headers, nudge_rows)
    for note in notes:
        print(f"({note})")
    problems.extend(nudge_problems)

    from bench import pulse

    print(flush=True)
    problems.extend(pulse.run(print_table))

    from bench import rituals

    print(flush=True)
    problems.extend(rituals.run(print_table))
    from bench import matching

    problems.extend(matching.run(print_table))

    from bench import insights

    problems.extend(insights.run(print_table))
    if problems:
        print()
        print("PROBLEMS (bugs in the app, not in the bench):")
        for problem in problems:
            print(f"  - {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
