"""Nightly work at 100,000 and 200,000 people, on PostgreSQL (issue 18, "Scale").

The org of bench/insights.py at ten times `--people` (100,000 by default) and twice
that, each in a PostgreSQL database of its own (hearth_bench_nightly_<people>,
dropped and made afresh; the same steps, bench/insights_steps.py):

1. the org in bulk inserts (bench/big_org.py: seed_demo's people and teams, past the
   org chart import's 50,000);
2. a year of signals, SIGNALS_PER_PERSON a person (50 million at 100,000 people),
   and PULSE_ROUNDS weekly pulse rounds answered by 76-92 % of every team (about
   5 million responses at 100,000), all made inside PostgreSQL;
3. the latest REPORTED rounds reported one after the other with aggregate_round(),
   as the pulse tick does when a round closes: the snapshot (cells and item counts),
   the frozen tree and the audited publication (pulse/publication.py with
   connection/disclosure.py), each timed, the publication apart. Every round but the
   first has a round before it, so its slices are also checked for small changes;
4. the nightly computation in a fresh process: compute_week() for last week, then
   this week, as nightly() does, COMPUTE_RUNS nights in a row (the best counts); its
   time, per phase, and the process's peak RSS (VmHWM).

Targets (the issue's): the nightly computation at 100,000 people under
NIGHTLY_SECONDS and MAX_RSS_MB, 200,000 people at most MAX_RATIO times the time
of 100,000; a 100,000-person round's snapshot with its audit under SNAPSHOT_SECONDS.
Each miss is printed as a FAIL line and returned.

About 45 minutes on two cores, most of it making the data (150 million signals);
the databases stay until the next run. `python -m bench nightly --people 1000` runs
it at 10,000 and 20,000 people (a quick check; the figures compare only at the
default). The dashboards are measured by bench/insights.py and bench/pages.py.
"""

from __future__ import annotations

import threading
import time

from bench.insights import NIGHTLY_HEADERS, Size, growth
from bench.insights_steps import COMPUTE_RUNS, PULSE_ROUNDS, REPORTED, SIGNALS_PER_PERSON
from bench.measure import PG_HOST, PG_PORT, postgres_unavailable, print_table

PG_DATABASE = "hearth_bench_nightly"
SCALE = 10  # the orgs are 10 and 20 times --people
NIGHTLY_SECONDS = 600.0
MAX_RSS_MB = 1024.0
MAX_RATIO = 2.2
SNAPSHOT_SECONDS = 120.0


def run(people: int) -> list[str]:
    print(
        f"Nightly work on PostgreSQL ({PG_HOST}:{PG_PORT}, databases {PG_DATABASE}_*)",
        flush=True,
    )
    reason = postgres_unavailable()
    if reason:
        print(f"  skipped: {reason}")
        return []
    started = time.perf_counter()
    big = Size(SCALE * people, prefix=PG_DATABASE, pages=False)
    bigger = Size(2 * SCALE * people, prefix=PG_DATABASE, pages=False)
    big.seed()
    # The bigger org is seeded (mostly Python) while the big one loads (mostly
    # PostgreSQL); nothing else runs while a computation is timed.
    seeding = threading.Thread(target=bigger.seed)
    seeding.start()
    big.load()
    seeding.join()
    bigger.load()
    big.measure()
    bigger.measure()
    total_s = time.perf_counter() - started

    problems = big.failures + bigger.failures
    print()
    problems += print_nightly(big, bigger)
    print()
    problems += print_snapshots(big, bigger)
    print(f"(nightly bench took {total_s / 60:.0f} minutes in all)")
    for problem in problems:
        print(f"FAIL: {problem}")
    return problems


def print_nightly(big: Size, bigger: Size) -> list[str]:
    print("Nightly insights: compute_week() for last week and this week, as nightly() does")
    print_table(NIGHTLY_HEADERS, [big.nightly_row(), bigger.nightly_row()])
    problems, notes = [], []
    if big.computed:
        c = big.computed
        fast, small = c["nightly_s"] < NIGHTLY_SECONDS, c["maxrss_mb"] < MAX_RSS_MB
        notes.append(
            f"{big.people:,} people: {c['nightly_s']:.1f} s (target under "
            f"{NIGHTLY_SECONDS:.0f} s: {'yes' if fast else 'NO'}), peak RSS "
            f"{c['maxrss_mb']:.0f} MB (target under {MAX_RSS_MB:.0f} MB: "
            f"{'yes' if small else 'NO'})"
        )
        if not fast:
            problems.append(f"nightly: {c['nightly_s']:.0f} s at {big.people:,} people")
        if not small:
            problems.append(f"nightly: peak RSS {c['maxrss_mb']:.0f} MB at {big.people:,}")
    if bigger.computed and bigger.computed["maxrss_mb"] >= MAX_RSS_MB:
        problems.append(
            f"nightly: peak RSS {bigger.computed['maxrss_mb']:.0f} MB at {bigger.people:,}"
        )
    if big.computed and bigger.computed:
        note, grew = growth(big, bigger)
        notes.append(note)
        problems += grew
    notes += [note for r in (big, bigger) if r.computed for note in r.computed_notes()]
    notes.append(
        f"best of {COMPUTE_RUNS} nights in a row; max RSS: the computing process's peak "
        f"(VmHWM), in brackets before computing; data: {SIGNALS_PER_PERSON} signals a "
        f"person a year, {PULSE_ROUNDS} weekly pulse rounds, the latest {REPORTED} "
        "reported (aggregate s: their sum)"
    )
    for note in notes:
        print(f"({note})")
    return problems


SNAPSHOT_HEADERS = [
    "people",
    "round",
    "responses",
    "cells",
    "groups",
    "shown",
    "snapshot s",
    "of which audit s",
]


def print_snapshots(big: Size, bigger: Size) -> list[str]:
    """Each reported round's aggregate_round(); the problem: the big org's latest
    round over SNAPSHOT_SECONDS."""
    print("Pulse snapshot with the privacy audit: aggregate_round() as a round closes")
    rows = [
        [
            f"{size.people:,}",
            f"{r['number']}{'' if i else ' (first)'}",
            f"{r['responses']:,}",
            f"{r['cells']:,}",
            f"{r['published']:,}",
            f"{r['shown']:,}",
            f"{r['s']:.1f}",
            f"{r['publish_s']:.1f}",
        ]
        for size in (big, bigger)
        if size.loaded
        for i, r in enumerate(size.loaded["reported"])
    ]
    print_table(SNAPSHOT_HEADERS, rows)
    print(
        "(snapshot s: aggregate_round(), the cells, item counts, frozen tree and "
        "publication; audit s: pulse.publication.publish(), every figure decided and "
        "audited together; groups: figures listed, shown: those published; the first "
        "round has no round before it, the others are also checked for small changes; "
        f"peak RSS of the loading process: {', '.join(_peaks(big, bigger))})"
    )
    if not big.loaded:
        return []
    slowest = max(r["s"] for r in big.loaded["reported"])
    met = slowest < SNAPSHOT_SECONDS
    print(
        f"({big.people:,} people: slowest round {slowest:.1f} s, target under "
        f"{SNAPSHOT_SECONDS:.0f} s: {'yes' if met else 'NO'})"
    )
    if met:
        return []
    return [f"pulse snapshot: {slowest:.0f} s for a round at {big.people:,} people"]


def _peaks(*sizes: Size) -> list[str]:
    return [f"{s.people:,}: {s.loaded['peak_mb']:.0f} MB" for s in sizes if s.loaded]
