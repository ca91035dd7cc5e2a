"""Retention benchmark: the nightly clean-up on a 10,000-person org with a year of data.

On the bench database (PostgreSQL only: set BENCH_DATABASE_URL, for example
postgres://postgres@127.0.0.1:5432/hearth_bench_ret; it is flushed first):

1. `seed_demo --people N --bare` (bench.measure.ensure_org);
2. a year of signals, SIGNALS_PER_PERSON a person, with bench/insights_steps.py's
   INSERT ... SELECT (5 million at 10,000 people); NUDGES_PER_PERSON finished messages a
   person over a year, POSTS_PER_PERSON thread posts a person over two years and
   AUDIT_ENTRIES audit entries over eight years, each made in SQL;
3. published figures: one closed pulse round (bench/loaders.py) with its snapshot and
   verdicts, and the insights figures of a week WEEK_AGO days back (compute_week);
4. short windows (signals 90 days, messages 30, thread 90, audit 365), then
   apply_retention() timed, twice (the second run must delete nothing); the signal
   ledger is partitioned by month, so most of its old rows go as whole months
   (connection/lifecycle/partitions.py) and the table's month count is reported;
5. every row of the published tables hashed before and after: they must match.

Problems (returned): a run over TARGET_SECONDS, published figures that moved, a second
run that deleted anything, rows past a window still there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time

from django.db import connection
from django.utils import timezone

from bench.insights_steps import load_signals
from bench.loaders import load_closed_round
from bench.measure import ensure_org, print_table
from connection.lifecycle import apply_retention
from connection.lifecycle.partitions import ensure_partitions, partitions
from connection.models import AuditEntry, Nudge, OrgSettings, Signal
from insights import nightly
from insights.models import Alert, TeamTie, TeamWeek
from pulse.models import CellAnswer, Published, Round, RoundCell, RoundTeam
from pulse.services import aggregate_round
from rituals.models import ThreadPost

SIGNALS_PER_PERSON = 500  # as the insights bench: a year's worth
NUDGES_PER_PERSON = 40
POSTS_PER_PERSON = 20
AUDIT_ENTRIES = 20_000
WEEK_AGO = 200  # the stored week whose signals retention deletes
RESPONSES_PER_PERSON = 5
TARGET_SECONDS = 300.0
WINDOWS = {
    "signal_retention_days": 90,
    "nudge_retention_days": 30,
    "thread_retention_days": 90,
    "audit_retention_days": 365,
}
PUBLISHED = (Round, RoundCell, CellAnswer, RoundTeam, Published, TeamWeek, TeamTie, Alert)

NUDGES_SQL = """
INSERT INTO connection_nudge (recipient_id, kind, channel, priority, payload, dedupe_key,
    due_at, expires_at, status, attempts, last_error, created_at, claim_token, sent_at)
SELECT u.id, 'recognition', 'email', 1, '{}'::jsonb, 'bench-ret:' || u.id || ':' || g,
    t, t + interval '1 day', 'sent', 1, '', t, '', t
FROM connection_user u, generate_series(1, %(each)s) g,
    LATERAL (SELECT now() - random() * interval '365 days' + (g * 0) * interval '1 s' AS t) w
WHERE u.is_active
"""

POSTS_SQL = """
INSERT INTO rituals_threadpost (team_id, author_id, status, highlight, is_question, created_at)
SELECT u.team_id, u.id, 'A day''s update', '', false,
    now() - random() * interval '730 days' + (g * 0) * interval '1 s'
FROM connection_user u, generate_series(1, %(each)s) g
WHERE u.is_active AND u.team_id IS NOT NULL
"""

AUDIT_SQL = """
INSERT INTO connection_auditentry (at, kind, action, target_type, target_label, detail)
SELECT now() - random() * interval '2920 days', 'budget', 'budget.set', '', '', '{}'::jsonb
FROM generate_series(1, %(entries)s)
"""


# The signal ledger's size on disk, its partitions included (a plain table is its own tree).
SIZE_SQL = "SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(%s::regclass)"


def ledger_mb() -> int:
    with connection.cursor() as cursor:
        cursor.execute(SIZE_SQL, [Signal._meta.db_table])
        return int(cursor.fetchone()[0]) // 2**20


def published_digest() -> str:
    digest = hashlib.sha256()
    for model in PUBLISHED:
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(json.dumps(row, default=str).encode())
    return digest.hexdigest()


def load(people: int) -> dict:
    started = time.perf_counter()
    ensure_org(people)
    seeded = time.perf_counter() - started
    # The year's months exist before its signals come (flush empties tables, it makes no
    # partitions, and an earlier run dropped the old ones): none lands in the DEFAULT.
    ensure_partitions(
        connection,
        table=Signal._meta.db_table,
        column="occurred_at",
        now=timezone.now(),
        since=timezone.now() - dt.timedelta(days=366),
    )
    load_signals(people)
    with connection.cursor() as cursor:
        cursor.execute(NUDGES_SQL, {"each": NUDGES_PER_PERSON})
        cursor.execute(POSTS_SQL, {"each": POSTS_PER_PERSON})
        cursor.execute(AUDIT_SQL, {"entries": AUDIT_ENTRIES})
        cursor.execute("ANALYZE")
    now = timezone.now()
    round_ = load_closed_round(
        items=6,
        opens_at=now - dt.timedelta(days=8),
        closes_at=now - dt.timedelta(days=1),
        responses=people * RESPONSES_PER_PERSON,
    )
    aggregate_round(round_=round_)
    nightly.compute_week((now - dt.timedelta(days=WEEK_AGO)).date(), now=now)
    return {"seed_s": seeded, "load_s": time.perf_counter() - started - seeded}


def counts() -> dict[str, int]:
    return {
        "signals": Signal.objects.count(),
        "nudges": Nudge.objects.count(),
        "thread_posts": ThreadPost.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def run(people: int) -> list[str]:
    print("Retention: the nightly clean-up with short windows", flush=True)
    if connection.vendor != "postgresql":
        print("  skipped: needs PostgreSQL (set BENCH_DATABASE_URL to a throwaway database)")
        return []
    loaded = load(people)
    OrgSettings.objects.filter(pk=OrgSettings.load().pk).update(**WINDOWS)
    before, figures = counts(), published_digest()
    months, size = len(partitions(connection, Signal._meta.db_table)), ledger_mb()
    timings, results = [], []
    now = timezone.now()  # one instant for both runs: rows age while the first one runs
    for _ in range(2):
        started = time.perf_counter()
        results.append(apply_retention(now=now))
        timings.append(time.perf_counter() - started)
    after = counts()
    unchanged = published_digest() == figures
    rows = [
        [key, f"{before[key]:,}", f"{results[0].get(key, 0):,}", f"{after[key]:,}"]
        for key in before
    ]
    print_table(["rows", "before", "deleted", "after"], rows)
    print(
        f"({people:,} people; seeded in {loaded['seed_s']:.0f} s, data loaded in "
        f"{loaded['load_s']:.0f} s; windows {WINDOWS}; retention took {timings[0]:.1f} s, "
        f"the second run {timings[1]:.1f} s and deleted {sum(results[1].values())} rows; "
        f"signal partitions {months} before, "
        f"{len(partitions(connection, Signal._meta.db_table))} after; "
        f"the signal ledger {size:,} MB before, {ledger_mb():,} MB after (deleted rows keep "
        f"their space until VACUUM, dropped months free it); "
        f"published pulse and insights figures unchanged: {'yes' if unchanged else 'NO'})"
    )
    return problems(now, timings, results, unchanged)


def problems(
    now: dt.datetime, timings: list[float], results: list[dict], unchanged: bool
) -> list[str]:
    found = []
    if timings[0] > TARGET_SECONDS:
        found.append(f"retention: {timings[0]:.0f} s (target {TARGET_SECONDS:.0f} s)")
    if not unchanged:
        found.append("retention: published figures changed")
    if any(results[1].values()):
        found.append(f"retention: a second run deleted {results[1]}")
    cutoff = now - dt.timedelta(days=WINDOWS["signal_retention_days"])
    if Signal.objects.filter(occurred_at__lt=cutoff).exists():
        found.append("retention: signals past the window are still there")
    return found
