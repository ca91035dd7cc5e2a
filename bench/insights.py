"""Insights benchmarks: the nightly computation at 10,000 and 20,000 people, and the dashboards.

Each org size (SMALL, the large org of `--people`, 10,000 by default, and twice
that) gets a PostgreSQL database of its own (hearth_bench_insights_<people>,
dropped and created afresh, migrated):

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
   process's peak RSS (bench.measure.peak_rss_mb()). The organisation's row must count
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
Steps run as `python -m bench.step insights seed|load|compute|dashboards N`
subprocesses with DATABASE_URL set; `python -m bench insights` runs it all
(about eight minutes).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import F, Max
from django.test.utils import setup_test_environment
from django.utils import timezone

from bench.loaders import bulk_load, load_closed_round
from bench.measure import (
    PG_HOST,
    PG_PORT,
    StepFailed,
    migrate,
    peak_rss_mb,
    postgres_unavailable,
    print_table,
    recreate_database,
    seed_org,
    step,
    time_page,
)
from connection import insights
from connection.models import OrgSettings, Signal, Team, TeamTie, TeamWeek, User
from connection.privacy import effective_k
from pulse.models import Response as PulseResponse
from pulse.models import Round
from pulse.services import aggregate_round

PG_DATABASE = "hearth_bench_insights"  # one database a size: hearth_bench_insights_<people>

SMALL = 150  # then the large org (10,000 by default) and twice that
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

# (label, path, persona); {platform} is the id of alice's team.
PAGES = [
    ("manager: /insights/?team=<Platform>", "/insights/?team={platform}", "alice"),
    ("HR: /insights/org/?level=1", "/insights/org/?level=1", "hana"),
]


# ---------------------------------------------------------------- entry point


def run(people: int) -> list[str]:
    """Prepare, compute and measure each size; print the tables and return problems."""
    print(f"Insights on PostgreSQL ({PG_HOST}:{PG_PORT}, databases {PG_DATABASE}_*)", flush=True)
    reason = postgres_unavailable()
    if reason:
        print(f"  nightly computation and dashboards: skipped: {reason}")
        return []

    # Three sizes that differ even when --people is small.
    large = max(people, 2 * SMALL)
    started = time.perf_counter()
    sizes = [Size(SMALL), Size(large), Size(2 * large)]
    prepare_and_measure(*sizes)
    total_s = time.perf_counter() - started

    problems = [p for size in sizes for p in size.failures]
    print()
    problems += print_nightly(sizes)
    print(flush=True)
    problems += print_dashboards(sizes)
    print(
        f"(median server time of {REPEATS} requests after one warm-up, DEBUG on as in the "
        f"main bench; KB of HTML; insights bench took {total_s:.0f} s in all; databases "
        f"{', '.join(size.database for size in sizes)} are kept until the next run)"
    )
    for problem in problems:
        print(f"FAIL: {problem}")
    return problems


def prepare_and_measure(small: Size, big: Size, bigger: Size) -> None:
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


NIGHTLY_HEADERS = [
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
]


def print_nightly(sizes: list[Size]) -> list[str]:
    """The nightly table and its notes; the problems: too slow, or growing too fast."""
    print_table(NIGHTLY_HEADERS, [size.nightly_row() for size in sizes])
    _, big, bigger = sizes
    notes, problems = [], []
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
            f"best of {COMPUTE_RUNS} nights in a row ({runs}); {big.people:,} people: "
            f"{nightly_s:.1f} s, target under {TARGET_SECONDS:.0f} s: {'yes' if met else 'NO'}"
        )
        if not met:
            problems.append(
                f"insights nightly: {nightly_s:.1f} s at {big.people:,} people "
                f"(target {TARGET_SECONDS:.0f} s)"
            )
    if big.computed and bigger.computed:
        ratio_note, ratio_problems = growth(big, bigger)
        notes.append(ratio_note)
        problems += ratio_problems
    notes += [
        "max RSS: peak resident memory of the subprocess that computed both weeks "
        "(VmHWM; ru_maxrss would include its parent's, copied at exec), Django loaded; "
        "in brackets, its peak before computing",
        *[note for r in (big, bigger) if r.computed for note in r.computed_notes()],
        f"data: {SIGNALS_PER_PERSON} signals a person a year (fewer for newcomers), "
        f"{1 - NO_OTHER:.0%} with another person: a teammate {SAME_TEAM:.0%} of the time, "
        f"else one of {DIVISION_CONTACTS} contacts in the division or {ORG_CONTACTS} in the "
        f"org; {RESPONSES_PER_PERSON} pulse responses a person ({PULSE_ITEMS} items) in one "
        "round opened this Monday, then aggregate_round(); made in PostgreSQL (INSERT ... "
        "SELECT generate_series, indexes rebuilt after, VACUUM ANALYZE)",
    ]
    for note in notes:
        print(f"({note})")
    return problems


def growth(big: Size, bigger: Size) -> tuple[str, list[str]]:
    """How the nightly time grows from the big org to the bigger: a note, and a problem
    past MAX_RATIO."""
    ratio = bigger.computed["nightly_s"] / big.computed["nightly_s"]
    this = bigger.computed["this_s"] / big.computed["this_s"]
    note = (
        f"{bigger.people:,} / {big.people:,} people: nightly x{ratio:.2f}, this week alone "
        f"x{this:.2f}; limit x{MAX_RATIO}: {'yes' if ratio <= MAX_RATIO else 'NO'}"
    )
    if ratio <= MAX_RATIO:
        return note, []
    phases = ", ".join(
        f"{name} {s:.1f} -> {bigger.computed['phases'][name]:.1f} s"
        for name, s in big.computed["phases"].items()
    )
    return note, [
        f"insights nightly: {bigger.people:,} people take x{ratio:.2f} the time of "
        f"{big.people:,} (limit x{MAX_RATIO}); this week by phase: {phases}"
    ]


def size_label(people: int, what: str) -> str:
    return f"{people // 1000}k {what}" if people >= 1000 else f"{people} {what}"


def print_dashboards(sizes: list[Size]) -> list[str]:
    """The dashboards' table; the problems: query counts that grow, pages not 200."""
    print("Insights dashboards: server time and queries (django.test.Client, in-process)")
    problems, rows = [], []
    for index, (label, _, who) in enumerate(PAGES):
        measured = {s.people: s.pages[index] for s in sizes if s.pages}
        counts = {p: m["queries"] for p, m in measured.items()}
        same = len(counts) == len(sizes) and len(set(counts.values())) == 1
        rows.append(
            [
                label,
                *[str(counts.get(s.people, "n/a")) for s in sizes],
                "yes" if same else "NO",
                *[f"{m['ms']:.0f}" if (m := measured.get(s.people)) else "n/a" for s in sizes],
                *[f"{m['kb']:,}" if (m := measured.get(s.people)) else "n/a" for s in sizes],
            ]
        )
        if counts and not same:
            detail = ", ".join(f"{n} at {p:,}" for p, n in counts.items())
            problems.append(f"insights dashboard {label}: query count differs ({detail})")
        for p, m in measured.items():
            if m["status"] != 200:
                problems.append(f"insights dashboard {label} as {who}: HTTP {m['status']} at {p:,}")
    print_table(
        [
            "page",
            *[size_label(s.people, "queries") for s in sizes],
            "same?",
            *[size_label(s.people, "ms") for s in sizes],
            *[size_label(s.people, "KB") for s in sizes],
        ],
        rows,
    )
    drawn = "; ".join(
        f"{s.people:,}: {s.level['teams']:,} teams, {s.level['edges']:,} tied pairs, "
        f"{s.level['edges_k']:,} with {s.level['k']} ties or more"
        for s in sizes
        if s.level
    )
    print(f"(level 1 of the HR page's network: {drawn})")
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
        try:
            function()
        except StepFailed as error:
            print(f"  {self.people:,} people: {what} failed: {error}", flush=True)
            self.failures.append(f"insights at {self.people:,} people: {what}: {error}")
            return False
        return True

    def step(self, name: str, timeout: float, debug: bool = False) -> dict:
        return step(
            "insights",
            name,
            self.people,
            timeout=timeout,
            database=self.database,
            debug=debug,
            what=f"{name} {self.people}",
        )

    def seed(self) -> None:
        def seed() -> None:
            recreate_database(self.database)
            started = time.perf_counter()
            migrate(self.database)
            seeded = self.step("seed", SEED_LIMIT)
            # Printed as "migrate + seed_demo": both, from the parent's clock.
            self.seeded = seeded | {"migrate_s": time.perf_counter() - started}

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

    def computed_notes(self) -> list[str]:
        phases = ", ".join(f"{name} {s:.1f}" for name, s in self.computed["phases"].items())
        slowest = "; ".join(f"{q['s']:.1f} s {q['sql']}" for q in self.computed["slowest"])
        return [
            f"{self.people:,} people, this week by phase, s: {phases}",
            f"{self.people:,} people, slowest statements of both weeks: {slowest}",
        ]

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


def load_pulse(people: int) -> tuple[Round, int, float]:
    """One closed round opened this Monday with the responses and answers loaded in SQL."""
    now = timezone.now()
    opens, _ = insights.week_bounds(now.date())
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
    return {"seed_s": seed_org(people), "teams": Team.objects.count()}


def step_load(people: int) -> dict:
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


PHASES = ["Hierarchy", "_people", "_activity", "_network", "_onboarding", "_pulse"]


def time_phases(spent: dict[str, float]) -> None:
    """Instrumentation only: wrap each phase of compute_week() in a timer adding to `spent`."""

    def timed(name: str, function: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    for name in PHASES:
        setattr(insights, name, timed(name, getattr(insights, name)))


def one_night(now: dt.datetime, spent: dict[str, float]) -> dict:
    """compute_week() for last week, then this week, as nightly() does; every statement
    timed, and this week's time by phase."""
    statements: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, " ".join(sql[:400].split())[:90]))

    this_week = insights.monday(now.astimezone(dt.UTC).date())
    with connection.execute_wrapper(record):
        started = time.perf_counter()
        insights.compute_week(this_week - dt.timedelta(weeks=1), now=now)
        last_s = time.perf_counter() - started
        spent.clear()
        started = time.perf_counter()
        rows = insights.compute_week(this_week, now=now)
        this_s = time.perf_counter() - started
    phases = {name.strip("_"): spent.get(name, 0.0) for name in PHASES}
    phases["rest (rows, writes)"] = this_s - sum(phases.values())
    return {
        "nightly_s": last_s + this_s,
        "last_s": last_s,
        "this_s": this_s,
        "phases": phases,
        "slowest": [{"s": s, "sql": sql} for s, sql in sorted(statements, key=lambda x: -x[0])[:3]],
        "queries": len(statements),
        "teamweeks": rows,
    }


def organisation_checks(this_week: dt.date, rows: int) -> list[str]:
    """Sanity: the organisation's row against plain counts; what does not match."""
    start, end = insights.week_bounds(this_week)
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
    return bad


def step_compute(people: int) -> dict:
    """Last week then this week, as nightly() does; timed per phase, with the peak RSS."""
    connection.ensure_connection()
    baseline_mb = peak_rss_mb()
    spent: dict[str, float] = {}
    time_phases(spent)
    now = timezone.now()
    # The machine is shared and timings wander by 10-20 %: the best of COMPUTE_RUNS
    # nights counts. A rerun replaces the weeks' rows, as every night does.
    runs = [one_night(now, spent) for _ in range(COMPUTE_RUNS)]
    maxrss_mb = peak_rss_mb()
    best = min(runs, key=lambda run: run["nightly_s"])
    this_week = insights.monday(now.astimezone(dt.UTC).date())
    return best | {
        "people": people,
        "runs_s": [run["nightly_s"] for run in runs],
        "baseline_mb": baseline_mb,
        "maxrss_mb": maxrss_mb,
        "ties": TeamTie.objects.filter(week=this_week).count(),
        "bad": organisation_checks(this_week, best["teamweeks"]),
    }


# ---------------------------------------------------------------- subprocess: dashboards


def step_dashboards(people: int) -> dict:
    """Each page REPEATS times after a warm-up: worst query count, median ms, size."""
    setup_test_environment()  # lets the test client's 'testserver' host through
    platform = Team.objects.get(name="Platform")
    out = []
    for _, path, who in PAGES:
        user = User.objects.get(email=f"{who}@hearth.example")
        timing = time_page(path.format(platform=platform.pk), user, REPEATS)
        out.append(
            {
                "queries": timing.queries,
                "ms": timing.median_ms,
                "status": timing.status,
                "kb": timing.kb,
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


# `python -m bench.step insights <step> N` runs one of these on the database in DATABASE_URL.
STEPS = {
    "seed": step_seed,
    "load": step_load,
    "compute": step_compute,
    "dashboards": step_dashboards,
}
