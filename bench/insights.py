"""Insights benchmarks: the nightly computation at 10,000 and 20,000 people, and the dashboards.

Each org size (SMALL, LARGE and twice LARGE) gets a PostgreSQL database of its
own (hearth_bench_insights_<people>, dropped and created afresh, migrated):

1. `seed_demo --people N --bare`;
2. a year of signals, SIGNALS_PER_PERSON a person (5 million at 10,000
   people), made inside PostgreSQL with INSERT ... SELECT generate_series:
   actors drawn by weeks of tenure (a newcomer acts less), times spread over
   their days here, kinds from Signal.Kind, unique sources; `other` is NULL
   for NO_OTHER of them (attended, posted), a teammate SAME_TEAM of the rest
   of the time, else one of a few fixed contacts in the actor's top-level
   division or in the whole org (never a uniformly random stranger: that
   makes nearly every pair of teams tied); QUIET people connect with no one.
   Indexes are dropped for the load and rebuilt after, then VACUUM ANALYZE;
3. one pulse round opened this Monday with RESPONSES_PER_PERSON responses a
   person (500,000 at 10,000) of PULSE_ITEMS answers, loaded with
   bench/pulse.py's SQL, then aggregate_round(): reported, with its frozen
   tree and verdicts;
4. the nightly computation in a fresh subprocess: compute_week() for last
   week, then this week, as nightly() does, COMPUTE_RUNS nights in a row (the
   best counts); time, a per-phase breakdown, the slowest statements and the
   process's peak RSS (peak_rss_mb()). The organisation's row must count
   every active person, every signal of the week and every pulse response;
5. the manager dashboard (/insights/?team=<Platform> as alice) and the HR
   dashboard (/insights/org/?level=1 as hana) through django.test.Client:
   median server time of REPEATS requests, query count, HTML size.

The 20,000-person org is seeded while the 10,000 one loads; nothing else runs
while a computation or a page is timed. Problems, printed as FAIL lines and
returned: 20k over MAX_RATIO times 10k, 10k over TARGET_SECONDS, query counts
that differ between sizes, pages that are not 200, failed checks.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, no password), else prints
"skipped: <reason>". The databases stay until the next run, for EXPLAIN.
Steps run as `python -m bench.insights seed|load|compute|dashboards N`
subprocesses with DATABASE_URL set; `python -m bench.insights` runs it all
(about eight minutes).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
PG_DATABASE = "hearth_bench_insights"  # one database a size: hearth_bench_insights_<people>

SMALL, LARGE = 150, 10_000
SIZES = (SMALL, LARGE, 2 * LARGE)
SIGNALS_PER_PERSON = 500  # a year's worth
RESPONSES_PER_PERSON = 50
PULSE_ITEMS = 6
# Who the other person of a one-to-one signal is: a teammate SAME_TEAM of the
# time, else one of a few fixed contacts in the division or anywhere in the org.
SAME_TEAM = 0.7
SAME_DIVISION = 0.2
DIVISION_CONTACTS = 6
ORG_CONTACTS = 3
NO_OTHER = 0.2  # attended a ritual, posted to the thread: no `other`
QUIET = 0.03  # people who connect with no one: never an actor nor an `other`
TARGET_SECONDS = 60.0
MAX_RATIO = 2.2
REPEATS = 10
SEED_LIMIT = 300.0
LOAD_LIMIT = 480.0
COMPUTE_RUNS = 2
COMPUTE_LIMIT = 420.0
DASHBOARD_LIMIT = 180.0
RESULT = "RESULT "

# (label, path, persona); {platform} is the id of alice's team.
PAGES = [
    ("manager: /insights/?team=<Platform>", "/insights/?team={platform}", "alice"),
    ("HR: /insights/org/?level=1", "/insights/org/?level=1", "hana"),
]


# ---------------------------------------------------------------- entry point


def run(print_table: Callable[[list[str], list[list[str]]], None]) -> list[str]:
    """Prepare, compute and measure each size; print the tables and return problems."""
    from bench.pulse import postgres_unavailable

    print(flush=True)
    print(f"Insights on PostgreSQL ({PG_HOST}:{PG_PORT}, databases {PG_DATABASE}_*)", flush=True)
    reason = postgres_unavailable()
    if reason:
        print(f"  nightly computation and dashboards: skipped: {reason}")
        return []

    started = time.perf_counter()
    results = {people: Size(people) for people in SIZES}
    small, big, bigger = (results[p] for p in SIZES)
    small.prepare()
    small.measure()
    big.seed()
    # The biggest org is seeded (mostly Python) while the big one loads (mostly
    # PostgreSQL); nothing else runs while a computation or a page is timed.
    seeding = threading.Thread(target=bigger.seed)
    seeding.start()
    big.load()
    seeding.join()
    bigger.load()
    big.measure()
    bigger.measure()
    total_s = time.perf_counter() - started

    problems = [p for r in results.values() for p in r.failures]
    print()
    print_table(
        [
            "people",
            "teams",
            "signals",
            "responses",
            "seed s",
            "load s",
            "aggregate s",
            "last week s",
            "this week s",
            "nightly s",
            "max RSS MB",
            "rows written",
            "checks",
        ],
        [r.nightly_row() for r in results.values()],
    )
    notes = []
    if big.computed:
        nightly_s = big.computed["nightly_s"]
        met = nightly_s < TARGET_SECONDS
        runs = ", ".join(
            f"{r.people:,}: {' and '.join(f'{s:.1f}' for s in r.computed['runs_s'])} s"
            for r in (big, bigger)
            if r.computed
        )
        notes.append(
            "nightly = compute_week() for last week, then this week, as nightly() does; "
            f"best of {COMPUTE_RUNS} nights in a row ({runs}); {LARGE:,} people: "
            f"{nightly_s:.1f} s, target under {TARGET_SECONDS:.0f} s: {'yes' if met else 'NO'}"
        )
        if not met:
            problems.append(
                f"insights nightly: {nightly_s:.1f} s at {LARGE:,} people "
                f"(target {TARGET_SECONDS:.0f} s)"
            )
    if big.computed and bigger.computed:
        ratio = bigger.computed["nightly_s"] / big.computed["nightly_s"]
        this = bigger.computed["this_s"] / big.computed["this_s"]
        notes.append(
            f"{2 * LARGE:,} / {LARGE:,} people: nightly x{ratio:.2f}, this week alone "
            f"x{this:.2f}; limit x{MAX_RATIO}: {'yes' if ratio <= MAX_RATIO else 'NO'}"
        )
        if ratio > MAX_RATIO:
            growth = ", ".join(
                f"{name} {s:.1f} -> {bigger.computed['phases'][name]:.1f} s"
                for name, s in big.computed["phases"].items()
            )
            problems.append(
                f"insights nightly: {2 * LARGE:,} people take x{ratio:.2f} the time of "
                f"{LARGE:,} (limit x{MAX_RATIO}); this week by phase: {growth}"
            )
    notes.append(
        "max RSS: peak resident memory of the subprocess that computed both weeks "
        "(VmHWM; ru_maxrss would include its parent's, copied at exec), Django loaded; "
        "in brackets, its peak before computing"
    )
    for r in (big, bigger):
        if not r.computed:
            continue
        phases = ", ".join(f"{name} {s:.1f}" for name, s in r.computed["phases"].items())
        notes.append(f"{r.people:,} people, this week by phase, s: {phases}")
        slowest = "; ".join(f"{q['s']:.1f} s {q['sql']}" for q in r.computed["slowest"])
        notes.append(f"{r.people:,} people, slowest statements of both weeks: {slowest}")
    notes.append(
        f"data: {SIGNALS_PER_PERSON} signals a person a year (fewer for newcomers), "
        f"{1 - NO_OTHER:.0%} with another person: a teammate {SAME_TEAM:.0%} of the time, "
        f"else one of {DIVISION_CONTACTS} contacts in the division or {ORG_CONTACTS} in the "
        f"org; {RESPONSES_PER_PERSON} pulse responses a person ({PULSE_ITEMS} items) in one "
        "round opened this Monday, then aggregate_round(); made in PostgreSQL (INSERT ... "
        "SELECT generate_series, indexes rebuilt after, VACUUM ANALYZE)"
    )
    for note in notes:
        print(f"({note})")

    print(flush=True)
    print("Insights dashboards: server time and queries (django.test.Client, in-process)")
    measured = {p: r.pages for p, r in results.items() if r.pages}
    rows = []
    for index, (label, _, who) in enumerate(PAGES):
        counts = {p: m[index]["queries"] for p, m in measured.items()}
        same = len(counts) == len(SIZES) and len(set(counts.values())) == 1
        rows.append(
            [
                label,
                *[str(counts.get(p, "n/a")) for p in SIZES],
                "yes" if same else "NO",
                *[f"{m[index]['ms']:.0f}" if (m := measured.get(p)) else "n/a" for p in SIZES],
                *[f"{m[index]['kb']:,}" if (m := measured.get(p)) else "n/a" for p in SIZES],
            ]
        )
        if counts and not same:
            detail = ", ".join(f"{n} at {p:,}" for p, n in counts.items())
            problems.append(f"insights dashboard {label}: query count differs ({detail})")
        for p, m in measured.items():
            if m[index]["status"] != 200:
                status = m[index]["status"]
                problems.append(f"insights dashboard {label} as {who}: HTTP {status} at {p:,}")
    print_table(
        [
            "page",
            *[f"{p // 1000}k queries" if p >= 1000 else f"{p} queries" for p in SIZES],
            "same?",
            *[f"{p // 1000}k ms" if p >= 1000 else f"{p} ms" for p in SIZES],
            *[f"{p // 1000}k KB" if p >= 1000 else f"{p} KB" for p in SIZES],
        ],
        rows,
    )
    drawn = "; ".join(
        f"{r.people:,}: {r.level['teams']:,} teams, {r.level['edges']:,} tied pairs, "
        f"{r.level['edges_k']:,} with {r.level['k']} ties or more"
        for r in results.values()
        if r.level
    )
    print(f"(level 1 of the HR page's network: {drawn})")
    print(
        f"(median server time of {REPEATS} requests after one warm-up, DEBUG on as in the "
        f"main bench; KB of HTML; insights bench took {total_s:.0f} s in all; databases "
        f"{', '.join(r.database for r in results.values())} are kept until the next run)"
    )
    for problem in problems:
        print(f"FAIL: {problem}")
    return problems


class Size:
    """One org size: its database, the steps run on it, what they found."""

    def __init__(self, people: int) -> None:
        self.people = people
        self.database = f"{PG_DATABASE}_{people}"
        self.seeded: dict = {}
        self.loaded: dict = {}
        self.computed: dict = {}
        self.pages: list[dict] = []
        self.level: dict = {}
        self.failures: list[str] = []

    def attempt(self, what: str, function: Callable[[], None]) -> bool:
        from bench.pulse import StepFailed

        try:
            function()
        except StepFailed as error:
            print(f"  {self.people:,} people: {what} failed: {error}", flush=True)
            self.failures.append(f"insights at {self.people:,} people: {what}: {error}")
            return False
        return True

    def step(self, name: str, timeout: float, debug: bool = False) -> dict:
        args = ["-m", "bench.insights", name, str(self.people)]
        return step(args, f"{name} {self.people}", timeout, self.database, debug)

    def seed(self) -> None:
        def seed() -> None:
            recreate_database(self.database)
            started = time.perf_counter()
            step(["manage.py", "migrate", "--noinput", "-v0"], "migrate", 180, self.database)
            self.seeded = self.step("seed", SEED_LIMIT) | {
                "migrate_s": time.perf_counter() - started
            }

        self.attempt("migrate and seed_demo", seed)

    def load(self) -> None:
        if not self.seeded:
            return

        def load() -> None:
            self.loaded = self.step("load", LOAD_LIMIT)

        if self.attempt("loading signals and the pulse", load):
            p = self.seeded | self.loaded
            print(
                f"  {self.people:,} people: migrate + seed_demo {p['migrate_s']:.1f} s, "
                f"{p['signals']:,} signals in {p['signals_s']:.1f} s (indexes "
                f"{p['signal_index_s']:.1f} s), {p['responses']:,} "
                f"responses in {p['pulse_load_s']:.1f} s, aggregate_round {p['aggregate_s']:.1f} s",
                flush=True,
            )

    def prepare(self) -> None:
        self.seed()
        self.load()

    def measure(self) -> None:
        if not self.loaded:
            return

        def compute() -> None:
            self.computed = self.step("compute", COMPUTE_LIMIT)
            c = self.computed
            print(
                f"  {self.people:,} people: nightly {c['nightly_s']:.1f} s (this week "
                f"{c['this_s']:.1f} s), max RSS {c['maxrss_mb']:.0f} MB",
                flush=True,
            )
            self.failures += [f"insights nightly at {self.people:,} people: {b}" for b in c["bad"]]

        def dashboards() -> None:
            result = self.step("dashboards", DASHBOARD_LIMIT, debug=True)
            self.pages, self.level = result["pages"], result["level"]

        # Without the week's figures the dashboards would be empty: nothing to measure.
        if self.attempt("nightly computation", compute):
            self.attempt("dashboards", dashboards)

    def nightly_row(self) -> list[str]:
        p, c = self.seeded | self.loaded, self.computed
        head = [
            f"{self.people:,}",
            f"{p['teams']:,}" if p else "n/a",
            f"{p['signals']:,}" if self.loaded else "n/a",
            f"{p['responses']:,}" if self.loaded else "n/a",
            f"{p['seed_s']:.1f}" if p else "n/a",
            f"{p['signals_s'] + p['pulse_load_s']:.1f}" if self.loaded else "n/a",
            f"{p['aggregate_s']:.1f}" if self.loaded else "n/a",
        ]
        if not c:
            return [*head, "n/a", "n/a", "FAILED", "n/a", "n/a", "NO"]
        return [
            *head,
            f"{c['last_s']:.1f}",
            f"{c['this_s']:.1f}",
            f"{c['nightly_s']:.1f}",
            f"{c['maxrss_mb']:.0f} ({c['baseline_mb']:.0f})",
            f"{c['teamweeks']:,} weeks, {c['ties']:,} ties",
            "ok" if not c["bad"] else "NO",
        ]


# ---------------------------------------------------------------- PostgreSQL plumbing


def pg_env(database: str, debug: bool) -> dict[str, str]:
    """DEBUG off for the computation (no query log); on for the pages, as in the main
    bench, since DEBUG off needs collectstatic's manifest to render templates."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="connection.settings",
        DATABASE_URL=f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
        DEBUG="true" if debug else "false",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def recreate_database(database: str) -> None:
    """Drop and create `database`: each size starts from nothing."""
    import psycopg2

    from bench.pulse import StepFailed

    try:
        conn = psycopg2.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3
        )
    except psycopg2.Error as error:
        raise StepFailed(f"could not connect to create {database}: {error}") from error
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{database}"')
    except psycopg2.Error as error:
        raise StepFailed(f"could not create database {database}: {error}") from error
    finally:
        conn.close()


def step(args: list[str], what: str, timeout: float, database: str, debug: bool = False) -> dict:
    """Run a subprocess on `database`; the JSON of its RESULT line, if any."""
    from bench.pulse import StepFailed

    try:
        done = subprocess.run(
            [PYTHON, *args],
            cwd=BASE_DIR,
            env=pg_env(database, debug),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise StepFailed(f"{what} took over {timeout:.0f} s") from error
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise StepFailed(f"{what} exited {done.returncode}: {tail}")
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    return {}


# ---------------------------------------------------------------- subprocess: prepare

# Active people in org-chart order (team path, then id): a team, and a whole
# top-level division, is then a range of positions first .. first + size - 1.
PEOPLE_SQL = """
CREATE TEMP TABLE bench_people ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY t.path, u.id)::int AS idx, u.id, u.team_id,
       COALESCE(u.team_id, 0) AS team_key,
       COALESCE(NULLIF(split_part(t.path, '/', 2), '')::bigint, 0) AS division,
       GREATEST(1, LEAST(365, CURRENT_DATE - COALESCE(u.start_date, CURRENT_DATE - 365)))::int
           AS days,
       random() < %(quiet)s AS quiet
FROM connection_user u LEFT JOIN connection_team t ON t.id = u.team_id
WHERE u.is_active
"""

GROUPS_SQL = """
CREATE TEMP TABLE bench_{name}s ON COMMIT DROP AS
SELECT {key}, MIN(idx) AS first, COUNT(*)::int AS size FROM bench_people GROUP BY {key}
"""

# One slot per week someone has been here (up to 53): actors are drawn from
# the slots, so a newcomer of two weeks acts about a 26th as often as a veteran.
# Quiet people get none; a one-to-one signal that would involve them is a post.
SLOTS_SQL = """
CREATE TEMP TABLE bench_slots ON COMMIT DROP AS
SELECT row_number() OVER ()::int AS slot, p.idx
FROM bench_people p, generate_series(1, CEIL(p.days / 7.0)::int)
WHERE NOT p.quiet
"""

# One row per signal: an actor drawn from the slots, a time within their days
# here, then `other`: a random teammate (never the actor) SAME_TEAM of the
# time, else one of the actor's DIVISION_CONTACTS in their top-level division
# or ORG_CONTACTS anywhere (fixed per actor: a hash of position and slot), as
# people keep seeing the same few colleagues outside their team.
SIGNALS_SQL = """
INSERT INTO connection_signal (kind, occurred_at, source, actor_id, other_id, team_id)
SELECT CASE WHEN s.rk < %(no_other)s / 2 THEN 'attended'
            WHEN s.rk < %(no_other)s OR o.quiet THEN 'posted'
            ELSE (%(kinds)s::text[])[
                1 + LEAST(%(n_kinds)s - 1,
                          floor((s.rk - %(no_other)s) / (1 - %(no_other)s) * %(n_kinds)s)::int)]
       END,
       now() - s.rt * (a.days * interval '1 day'),
       'bench:' || s.g,
       a.id,
       CASE WHEN s.rk >= %(no_other)s AND NOT o.quiet THEN o.id END,
       a.team_id
FROM (SELECT g, 1 + floor(random() * %(n_slots)s)::int AS si, random() AS rk, random() AS rs,
             random() AS ro, random() AS rt
      FROM generate_series(1, %(signals)s) g) s
JOIN bench_slots sl ON sl.slot = s.si
JOIN bench_people a ON a.idx = sl.idx
JOIN bench_teams t ON t.team_key = a.team_key
JOIN bench_divisions d ON d.division = a.division
JOIN bench_people o ON o.idx = CASE
    WHEN s.rs < %(same_team)s AND t.size > 1
        THEN t.first + (a.idx - t.first + 1 + floor(s.ro * (t.size - 1))::int) %% t.size
    WHEN s.rs < %(same_team)s + %(same_division)s
        THEN d.first + ((a.idx * 2654435761 + floor(s.ro * %(division_contacts)s)::int * 40503)
                        %% d.size)::int
    ELSE 1 + ((a.idx * 2654435761 + (1 + floor(s.ro * %(org_contacts)s)::int) * 40503)
              %% %(n)s)::int
END
"""


def load_signals(people: int) -> dict:
    from django.db import connection, transaction

    from bench.pulse import bulk_load
    from connection.models import Signal

    others = [k.value for k in Signal.Kind if k not in (Signal.Kind.ATTENDED, Signal.Kind.POSTED)]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PEOPLE_SQL, {"quiet": QUIET})
        cursor.execute(GROUPS_SQL.format(name="team", key="team_key"))
        cursor.execute(GROUPS_SQL.format(name="division", key="division"))
        cursor.execute(SLOTS_SQL)
        for table in ("bench_people", "bench_teams", "bench_divisions", "bench_slots"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT (SELECT COUNT(*) FROM bench_people), COUNT(*) FROM bench_slots")
        n, n_slots = cursor.fetchone()
        params = {
            "n": n,
            "n_slots": n_slots,
            "signals": people * SIGNALS_PER_PERSON,
            "no_other": NO_OTHER,
            "same_team": SAME_TEAM,
            "same_division": SAME_DIVISION,
            "division_contacts": DIVISION_CONTACTS,
            "org_contacts": ORG_CONTACTS,
            "kinds": others,
            "n_kinds": len(others),
        }
        signals, index_s = bulk_load(cursor, "connection_signal", [(SIGNALS_SQL, params)])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE connection_signal")
    return {
        "signals": signals,
        "signals_s": time.perf_counter() - started,
        "signal_index_s": index_s,
    }


def load_pulse(people: int) -> tuple[object, int, float]:
    """One closed round opened this Monday with the responses and answers loaded in SQL."""
    from django.db import connection
    from django.utils import timezone

    from bench.pulse import load_closed_round
    from connection.calendar import week_bounds
    from pulse.models import Response as PulseResponse

    now = timezone.now()
    opens, _ = week_bounds(now.date())
    started = time.perf_counter()
    round_ = load_closed_round(
        items=PULSE_ITEMS,
        opens_at=opens,
        closes_at=max(now, opens + dt.timedelta(minutes=1)),
        responses=people * RESPONSES_PER_PERSON,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE pulse_response")
        cursor.execute("VACUUM ANALYZE pulse_answer")
    responses = PulseResponse.objects.filter(round=round_).count()
    return round_, responses, time.perf_counter() - started


def step_seed(people: int) -> dict:
    import io

    from django.core.management import call_command

    from connection.models import Team

    started = time.perf_counter()
    call_command("seed_demo", people=people, bare=True, stdout=io.StringIO())
    return {"seed_s": time.perf_counter() - started, "teams": Team.objects.count()}


def step_load(people: int) -> dict:
    from django.db import connection

    from pulse.models import Round
    from pulse.services import aggregate_round

    signals = load_signals(people)
    round_, responses, pulse_load_s = load_pulse(people)
    started = time.perf_counter()
    cells = aggregate_round(round_=round_)
    aggregate_s = time.perf_counter() - started
    round_.refresh_from_db()
    if round_.status != Round.Status.REPORTED:
        raise RuntimeError(f"aggregate_round() left round {round_.number} {round_.status}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics for every table, as autovacuum would have
    return signals | {
        "responses": responses,
        "pulse_load_s": pulse_load_s,
        "aggregate_s": aggregate_s,
        "cells": cells,
    }


# ---------------------------------------------------------------- subprocess: compute


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB.

    Linux's ru_maxrss (RUSAGE_SELF) starts a process at the RSS of whatever
    exec'd it: run from `make bench`, whose process holds ~300 MB, every step
    would report at least that. VmHWM is the high-water mark of this process's
    own memory; ru_maxrss is the fallback where /proc is missing.
    """
    import resource

    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PHASES = ["Hierarchy", "_people", "_activity", "_network", "_onboarding", "_pulse"]


def step_compute(people: int) -> dict:
    """Last week then this week, as nightly() does; timed per phase, with the peak RSS."""
    from django.db import connection
    from django.utils import timezone

    from connection import insights
    from connection.calendar import monday, week_bounds
    from connection.models import Signal, TeamTie, TeamWeek, User
    from pulse.models import Response as PulseResponse
    from pulse.models import Round

    connection.ensure_connection()
    baseline_mb = peak_rss_mb()

    # Instrumentation only: each phase of compute_week() wrapped in a timer.
    spent: dict[str, float] = {}

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    for name in PHASES:
        setattr(insights, name, timed(name, getattr(insights, name)))
    statements: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, " ".join(sql[:400].split())[:90]))

    now = timezone.now()
    this_week = monday(now.astimezone(dt.UTC).date())
    last_week = this_week - dt.timedelta(weeks=1)
    # The machine is shared and timings wander by 10-20 %: the best of COMPUTE_RUNS
    # nights counts. A rerun replaces the weeks' rows, as every night does.
    runs = []
    for _ in range(COMPUTE_RUNS):
        statements.clear()
        with connection.execute_wrapper(record):
            started = time.perf_counter()
            insights.compute_week(last_week, now=now)
            last_s = time.perf_counter() - started
            spent.clear()
            started = time.perf_counter()
            rows = insights.compute_week(this_week, now=now)
            this_s = time.perf_counter() - started
        phases = {name.strip("_"): spent.get(name, 0.0) for name in PHASES}
        phases["rest (rows, writes)"] = this_s - sum(phases.values())
        slowest = sorted(statements, key=lambda x: -x[0])[:3]
        runs.append((last_s + this_s, last_s, this_s, phases, slowest, len(statements)))
    maxrss_mb = peak_rss_mb()
    nightly_s, last_s, this_s, phases, slowest, queries = min(runs, key=lambda run: run[0])

    # Sanity: the organisation's row against plain counts.
    start, end = week_bounds(this_week)
    org = TeamWeek.objects.get(team__isnull=True, week=this_week)
    active = User.objects.filter(is_active=True).count()
    signals = Signal.objects.filter(occurred_at__gte=start, occurred_at__lt=end).count()
    round_ = Round.objects.reported().order_by("-number").first()
    responses = PulseResponse.objects.filter(round=round_).count() if round_ else 0
    bad = []
    if rows != TeamWeek.objects.filter(week=this_week).count():
        bad.append(f"compute_week returned {rows} but {this_week} has other TeamWeek rows")
    if org.members != active:
        bad.append(f"organisation row counts {org.members:,} members, {active:,} are active")
    if org.signals != signals:
        bad.append(f"organisation row counts {org.signals:,} signals this week, ledger {signals:,}")
    if org.respondents != responses:
        bad.append(f"organisation row has {org.respondents} respondents for {responses:,}")
    if org.score is None:
        bad.append("organisation row has no pulse score")
    if not 0 < org.active_members <= active:
        bad.append(f"organisation row has {org.active_members:,} active members")
    return {
        "people": people,
        "last_s": last_s,
        "this_s": this_s,
        "nightly_s": nightly_s,
        "runs_s": [run[0] for run in runs],
        "baseline_mb": baseline_mb,
        "maxrss_mb": maxrss_mb,
        "phases": phases,
        "slowest": [{"s": s, "sql": sql} for s, sql in slowest],
        "queries": queries,
        "teamweeks": rows,
        "ties": TeamTie.objects.filter(week=this_week).count(),
        "bad": bad,
    }


# ---------------------------------------------------------------- subprocess: dashboards


def step_dashboards(people: int) -> dict:
    """Each page REPEATS times after a warm-up: worst query count, median ms, size."""
    from django.db import connection, reset_queries
    from django.db.models import F, Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from connection.models import OrgSettings, Team, TeamTie, TeamWeek, User
    from connection.privacy import effective_k

    setup_test_environment()  # lets the test client's 'testserver' host through
    platform = Team.objects.get(name="Platform")
    out = []
    for _, path, who in PAGES:
        client = Client()
        client.force_login(User.objects.get(email=f"{who}@hearth.example"))
        url = path.format(platform=platform.pk)
        client.get(url)  # warm-up: templates, the session, caches
        timings, counts = [], []
        for _ in range(REPEATS):
            reset_queries()  # DEBUG's query log is capped; CaptureQueriesContext reads it
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(queries))
        out.append(
            {
                "queries": max(counts),
                "ms": statistics.median(timings),
                "status": response.status_code,
                "kb": len(response.content) // 1024,
            }
        )
    # What the HR page's network covers at level 1: the teams there and the pairs of
    # them with ties (the page leaves out pairs with fewer than k).
    week = TeamWeek.objects.filter(team__isnull=True).aggregate(w=Max("week"))["w"]
    pairs = TeamTie.objects.filter(week=week, depth=1).exclude(team_a=F("team_b"))
    k = effective_k(OrgSettings.load().min_group_size)
    level = {
        "teams": Team.objects.filter(depth=1).count(),
        "edges": pairs.count(),
        "edges_k": pairs.filter(ties__gte=k).count(),
        "k": k,
    }
    return {"people": people, "pages": out, "level": level}


def main(argv: list[str]) -> int:
    """`python -m bench.insights` runs everything; `seed|load|compute|dashboards N` one step,
    on the database in DATABASE_URL."""
    import django

    if not argv:
        from bench.__main__ import print_table

        return 1 if run(print_table) else 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connection.settings")
    django.setup()
    steps = {
        "seed": step_seed,
        "load": step_load,
        "compute": step_compute,
        "dashboards": step_dashboards,
    }
    if len(argv) != 2 or argv[0] not in steps or not argv[1].isdigit():
        print("usage: python -m bench.insights [seed|load|compute|dashboards N]")
        return 2
    print(RESULT + json.dumps(steps[argv[0]](int(argv[1]))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
