"""The insights benchmark's steps, each run in a process of its own on one org size's
PostgreSQL database (`python -m bench.step insights_steps <step> N`, started by
bench/insights.py): seed, load a year of signals and a pulse round, compute the
nightly figures, measure the dashboards. Each returns a JSON-able dict.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import F, Max
from django.test.utils import setup_test_environment
from django.utils import timezone

from bench.big_org import seed_bulk
from bench.loaders import bulk_load, load_pulse_history
from bench.measure import peak_rss_mb, seed_org, time_page
from connection import calendar
from connection.models import OrgSettings, Signal, Team, User
from connection.orgchart import MAX_ROWS
from connection.privacy import effective_k
from insights import nightly as insights
from insights.models import TeamTie, TeamWeek
from pulse import services as pulse_services
from pulse.models import Published, Round
from pulse.models import Response as PulseResponse
from pulse.results import ROLLING
from pulse.services import aggregate_round

SIGNALS_PER_PERSON = 500  # a year's worth
# A year and more of weekly pulse rounds, each answered by 76-92 % of every team:
# about 50 responses a person (5 million at 100,000 people). The latest REPORTED
# are reported as the pulse tick would (the snapshot and the audited publication),
# so the trends pool a full window; the older ones stay closed, never read.
PULSE_ROUNDS = 67
PULSE_ITEMS = 6
REPORTED = ROLLING
# Who the other person of a one-to-one signal is: a teammate SAME_TEAM of the
# time, else one of a few fixed contacts in the division or anywhere in the org.
SAME_TEAM = 0.7
SAME_DIVISION = 0.2
DIVISION_CONTACTS = 6
ORG_CONTACTS = 3
NO_OTHER = 0.2  # attended a ritual, posted to the thread: no `other`
QUIET = 0.03  # people who connect with no one: never an actor nor an `other`
COMPUTE_RUNS = 2  # nights in a row; the best counts
REPEATS = 10  # requests a page, after a warm-up

# (label, path, persona); {platform} is the id of alice's team.
PAGES = [
    ("manager: /insights/?team=<Platform>", "/insights/?team={platform}", "alice"),
    ("HR: /insights/org/?level=1", "/insights/org/?level=1", "hana"),
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


def load_pulse() -> tuple[list[Round], int, float]:
    """PULSE_ROUNDS weekly rounds loaded in SQL, the latest opened this Monday and
    closed now; none reported yet."""
    now = timezone.now()
    opens, _ = calendar.week_bounds(now.date())
    started = time.perf_counter()
    rounds = load_pulse_history(
        rounds=PULSE_ROUNDS,
        items=PULSE_ITEMS,
        latest_opens=opens,
        latest_closes=max(now, opens + dt.timedelta(minutes=1)),
    )
    with connection.cursor() as cursor:
        for table in ("pulse_receipt", "pulse_response", "pulse_answer"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return rounds, PulseResponse.objects.count(), time.perf_counter() - started


def report(rounds: list[Round]) -> list[dict]:
    """aggregate_round() for each of `rounds`, oldest first, as the pulse tick reports
    a round that closed: the snapshot, the frozen tree and the audited publication.
    Each timed, publish() apart (instrumentation only: wrapped where aggregate_round
    calls it)."""
    spent: dict[str, float] = {}
    unwrapped = pulse_services.publish

    def publish(round_: Round) -> int:
        started = time.perf_counter()
        try:
            return unwrapped(round_)
        finally:
            spent["publish"] = time.perf_counter() - started

    pulse_services.publish = publish
    out = []
    try:
        for round_ in rounds:
            started = time.perf_counter()
            cells = aggregate_round(round_=round_)
            seconds = time.perf_counter() - started
            round_.refresh_from_db()
            if round_.status != Round.Status.REPORTED:
                raise RuntimeError(f"aggregate_round() left round {round_.number} {round_.status}")
            out.append(
                {
                    "number": round_.number,
                    "responses": PulseResponse.objects.filter(round=round_).count(),
                    "cells": cells,
                    "published": Published.objects.filter(round=round_).count(),
                    "shown": Published.objects.filter(round=round_, shown=True).count(),
                    "s": seconds,
                    "publish_s": spent.pop("publish", 0.0),
                }
            )
    finally:
        pulse_services.publish = unwrapped
    return out


def step_seed(people: int) -> dict:
    """seed_demo --bare up to the import's limit; past it, the same org in bulk inserts."""
    started = time.perf_counter()
    if people > MAX_ROWS:
        seed_bulk(people)
        seconds = time.perf_counter() - started
    else:
        seconds = seed_org(people)
    return {"seed_s": seconds, "teams": Team.objects.count()}


def step_load(people: int) -> dict:
    signals = load_signals(people)
    rounds, responses, pulse_load_s = load_pulse()
    reported = report(rounds[-REPORTED:])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics for every table, as autovacuum would have
    return signals | {
        "responses": responses,
        "pulse_load_s": pulse_load_s,
        "aggregate_s": sum(r["s"] for r in reported),
        "reported": reported,
        "peak_mb": peak_rss_mb(),
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

    this_week = calendar.monday(now.astimezone(dt.UTC).date())
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
    start, end = calendar.week_bounds(this_week)
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
    this_week = calendar.monday(now.astimezone(dt.UTC).date())
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


# `python -m bench.step insights_steps <step> N` runs one of these on the database in DATABASE_URL.
STEPS = {
    "seed": step_seed,
    "load": step_load,
    "compute": step_compute,
    "dashboards": step_dashboards,
}
