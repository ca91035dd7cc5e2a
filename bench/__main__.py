"""`make bench` (`python -m bench`): every benchmark in turn, then the problems found.

1. pages (bench/pages.py): server time and query counts of the pages that grow with
   the org, at 150, 10,000 and 100,000 people;
2. nudges (bench/nudges.py): 10,000 nudges planned and delivered by two workers, and
   any duplicates;
3. pulse (bench/pulse.py): queries per submission, submissions through gunicorn and
   wrk, and the aggregation of 500,000 responses, the last two on a PostgreSQL database
   of their own (skipped when PostgreSQL or wrk is missing);
3b. burst (bench/burst.py): the Monday 09:00 burst, Locust headless against one
   gunicorn (4 workers) and then two behind nginx, on PostgreSQL: requests a second
   and p50/p95/p99 per endpoint at growing numbers of simulated people, errors
   (must be 0), and where it saturates;
4. rituals (bench/rituals.py): a quarter of occurrences and reminders for the
   10,000-person org's rituals, run twice to check it is idempotent, and a team thread
   of 1,000 posts whose query counts must equal a 10-post thread's;
5. matching (bench/matching.py): 26 rounds of coffee pairs for 50, 51, 500 and 2,000
   people and a six-person org the rules make impossible, against a baseline (no
   database): repeats within 12 rounds, cross-team, an hour together, hard rules,
   turns in threes, the left out and told, seconds per round;
6. insights (bench/insights.py), on PostgreSQL databases of their own: the nightly
   computation for 10,000 and 20,000 people (time, peak memory, the 20k/10k ratio, at
   most 2.2), and the dashboards, whose query counts must not grow with the org;
   nightly (bench/nightly.py), the same at 100,000 and 200,000 people (50 and 100
   million signals; under 10 minutes and 1 GB, x2.2 at most) and the pulse snapshot
   with its privacy audit for those rounds (under 2 minutes), about 45 minutes;
7. privacy (bench/privacy.py): what the audited publication shows HR before and
   after, in the demo and in a generated org of 10,000 people, the time it takes,
   and the results pages at that size (at most 15 queries and 100 ms each);
8. evidence (bench/evidence.py): "which rituals work" judged on 500 synthetic orgs
   per scenario whose true effect is known: false alarms, interval coverage, power;
9. retention (bench/retention.py), on PostgreSQL only (BENCH_DATABASE_URL): the nightly
   clean-up on the 10,000-person org with a year of signals, messages, thread posts and
   audit entries and short windows: rows deleted, seconds (under 5 minutes), a second
   run that deletes nothing, and published figures unchanged;
10. backup (bench/backup.py), on PostgreSQL databases of its own: the insights org of
   10,000 people backed up with `manage.py backup` and restored with `manage.py
   restore` into a new database: rows, file size, seconds each, and identical digests;
11. slack (bench/slack.py): 10,000 Slack DMs planned and delivered by two workers
   against the local Slack Web API, which answers some calls 429 with Retry-After:
   DMs per second, 429s waited out, and duplicates (must be 0).

Name some to run only those: `python -m bench pages matching`. `--people N` shrinks
every org from 10,000 to N, and the nightly bench's from 100,000 to 10 N (a quick
check that the bench still runs; the figures are only comparable at the default).

By default the run uses a fresh SQLite file under var/bench/. Set
BENCH_DATABASE_URL (for example a PostgreSQL URL) to benchmark another
database; it is flushed before seeding, so never point it at real data.
"""

import argparse
import importlib
import os
import sys
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.test.utils import setup_test_environment

BASE_DIR = Path(__file__).resolve().parent.parent
BENCHMARKS = (
    "pages",
    "nudges",
    "pulse",
    "burst",
    "rituals",
    "matching",
    "insights",
    "nightly",
    "privacy",
    "evidence",
    "retention",
    "backup",
    "slack",
)
PEOPLE = 10_000


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "benchmarks",
        nargs="*",
        metavar="BENCHMARK",
        help=f"run only these, in the usual order ({', '.join(BENCHMARKS)}); default: all",
    )
    parser.add_argument(
        "--people",
        type=int,
        default=PEOPLE,
        help=f"size of the large org (default {PEOPLE:,}); smaller for a quick check",
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.benchmarks) - set(BENCHMARKS))
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})")
    if args.people < 50:
        parser.error("--people: seed_demo needs 50 people or more")
    return args


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


def prepare_database(external: bool) -> None:
    setup_test_environment()  # lets the test client's 'testserver' host through
    database = settings.DATABASES["default"]
    where = database["NAME"] if database["ENGINE"].endswith("sqlite3") else database["HOST"]
    print(f"Hearth bench on {database['ENGINE'].rsplit('.', 1)[-1]} ({where})", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if external:
        call_command("flush", interactive=False, verbosity=0)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    chosen = [name for name in BENCHMARKS if not args.benchmarks or name in args.benchmarks]
    external = use_bench_database()
    django.setup()
    prepare_database(external)
    problems: list[str] = []
    for name in chosen:
        # Loaded by name once Django is set up on the bench database: they import models.
        benchmark = importlib.import_module(f"bench.{name}")
        print(flush=True)
        problems += benchmark.run(args.people)
    if problems:
        print()
        print("PROBLEMS (bugs in the app, not in the bench):")
        for problem in problems:
            print(f"  - {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
