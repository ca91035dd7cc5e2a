"""Monthly partitions of a ledger on PostgreSQL (docs/scaling.md, "Signal ledger partitions").

There the signal ledger is one table PARTITION BY RANGE on its date, a partition a month
(`connection_signal_p202612` holds December 2026, UTC) and a DEFAULT partition that
catches a row no month holds yet. `ensure_partitions` makes the months ahead and moves
what the DEFAULT caught into a month of its own; `drop_past` lets retention detach and
drop a month wholly past its window instead of deleting its rows one by one. Months are
UTC months. SQLite keeps one plain table: nothing here acts there.

Functions take the connection to act on (a migration passes its schema editor's), and
the table and column, so nothing here depends on the model as it is today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import OperationalError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from connection.lifecycle.registry import Retention, kept_rows

AHEAD = 3  # months made ahead of the current one: nightly runs can fail for weeks
LOCK_TIMEOUT = "3s"  # ATTACH and DETACH wait for readers; queries queue behind them meanwhile

PARTITIONED_SQL = (
    "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)"
)

# Each partition with its bounds (NULL for DEFAULT), read from PostgreSQL's own text
# of the bound: FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00').
PARTITIONS_SQL = r"""
SELECT c.relname, b[1]::timestamptz, b[2]::timestamptz
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
LEFT JOIN LATERAL regexp_match(
    pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)'
) b ON true
WHERE i.inhparent = %s::regclass
ORDER BY 2 NULLS LAST
"""

MOVE_SQL = """
WITH moved AS (DELETE FROM {default} WHERE {column} >= %s AND {column} < %s RETURNING *)
INSERT INTO {month} SELECT * FROM moved
"""


@dataclass(frozen=True)
class Partition:
    name: str
    start: dt.datetime | None  # None: the DEFAULT partition
    end: dt.datetime | None


def month_start(when: dt.datetime) -> dt.datetime:
    when = when.astimezone(dt.UTC)
    return dt.datetime(when.year, when.month, 1, tzinfo=dt.UTC)


def next_month(start: dt.datetime) -> dt.datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def is_partitioned(connection: BaseDatabaseWrapper, table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(PARTITIONED_SQL, [connection.ops.quote_name(table)])
        return cursor.fetchone()[0]


def partitions(connection: BaseDatabaseWrapper, table: str) -> list[Partition]:
    """The table's partitions, oldest month first, DEFAULT last; [] if not partitioned."""
    if not is_partitioned(connection, table):
        return []
    with connection.cursor() as cursor:
        cursor.execute(PARTITIONS_SQL, [connection.ops.quote_name(table)])
        return [Partition(name, start, end) for name, start, end in cursor.fetchall()]


def _literal(when: dt.datetime) -> str:
    # Bounds are computed here, never typed by anyone: safe to write into the DDL.
    return f"'{when.astimezone(dt.UTC).isoformat(sep=' ')}'"


def _default_months(connection, table: str, column: str, default: str) -> set[dt.datetime]:
    """The months of the rows the DEFAULT partition caught (normally none)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', {qn(column)}, 'UTC') FROM {qn(default)}"
        )
        return {month_start(when) for (when,) in cursor.fetchall()}


def ensure_partitions(
    connection: BaseDatabaseWrapper,
    *,
    table: str,
    column: str,
    now: dt.datetime,
    since: dt.datetime | None = None,
) -> list[str]:
    """Make a partition for every month from `since` (default: this month) to AHEAD
    months after `now`, and for every month the DEFAULT partition holds rows of (those
    rows move into it). Returns the partitions made; does nothing if not partitioned."""
    existing = partitions(connection, table)
    if not existing:
        return []
    default = next((p.name for p in existing if p.start is None), None)
    covered = {p.start for p in existing if p.start is not None}
    caught = _default_months(connection, table, column, default) if default else set()
    wanted, month = set(caught), month_start(since or now)
    last = month_start(now)
    for _ in range(AHEAD):
        last = next_month(last)
    while month <= last:
        wanted.add(month)
        month = next_month(month)
    made = [
        _make_month(
            connection, table, column, start, moving_from=default if start in caught else None
        )
        for start in sorted(wanted - covered)
    ]
    return [name for name in made if name is not None]


@contextmanager
def _short_lock_wait(connection: BaseDatabaseWrapper) -> Iterator:
    """A transaction (a savepoint inside one) whose statements wait at most LOCK_TIMEOUT
    for a lock, as queries queue behind a statement that waits; raises OperationalError
    past it, having changed nothing. The session's own setting is back after it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        with transaction.atomic(using=connection.alias):
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            yield cursor
        if connection.in_atomic_block:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def _make_month(
    connection, table: str, column: str, start: dt.datetime, *, moving_from: str | None
) -> str | None:
    """Make the month as a table of its own, then attach it: ATTACH leaves the ledger
    readable and writable (CREATE TABLE ... PARTITION OF would lock it whole). None when
    the ledger stayed busy: the month is made another night (AHEAD gives months)."""
    qn = connection.ops.quote_name
    name = f"{table}_p{start:%Y%m}"
    bounds = f"FROM ({_literal(start)}) TO ({_literal(next_month(start))})"
    try:
        with _short_lock_wait(connection) as cursor:
            cursor.execute(f"CREATE TABLE {qn(name)} (LIKE {qn(table)} INCLUDING DEFAULTS)")
            if moving_from is not None:
                # The DEFAULT holds rows of this month: a month over them would be
                # refused, so they move into the table before it becomes the month.
                cursor.execute(
                    MOVE_SQL.format(default=qn(moving_from), column=qn(column), month=qn(name)),
                    [start, next_month(start)],
                )
            cursor.execute(
                f"ALTER TABLE {qn(table)} ATTACH PARTITION {qn(name)} FOR VALUES {bounds}"
            )
    except OperationalError:
        return None
    return name


def drop_partition(connection: BaseDatabaseWrapper, table: str, name: str) -> int | None:
    """Detach and drop one partition; returns the rows it held, or None when the table
    stayed busy past LOCK_TIMEOUT (nothing changed: retention deletes instead)."""
    qn = connection.ops.quote_name
    try:
        with _short_lock_wait(connection) as cursor:
            cursor.execute(f"SELECT count(*) FROM {qn(name)}")
            (rows,) = cursor.fetchone()
            cursor.execute(f"ALTER TABLE {qn(table)} DETACH PARTITION {qn(name)}")
            cursor.execute(f"DROP TABLE {qn(name)}")
    except OperationalError:
        return None
    return rows


def droppable(rule: Retention, month: Partition, alias: str) -> bool:
    """Every row of the month may go: none is kept by an app (keep_from_retention) and
    all match the rule's `only`. A month with a kept row is left to row deletes."""
    rows = rule.model._base_manager.using(alias).filter(
        **{f"{rule.date_field}__gte": month.start, f"{rule.date_field}__lt": month.end}
    )
    kept = kept_rows(rule.model)
    if kept is not None and rows.filter(kept).exists():
        return False
    return not (rule.only and rows.exclude(rule.only).exists())


def drop_past(connection: BaseDatabaseWrapper, rule: Retention, cutoff: dt.datetime) -> int:
    """Drop each month of `rule.model` wholly older than `cutoff` whose rows may all go;
    returns the rows dropped. What is left older than `cutoff` (the month the cutoff
    falls in, the DEFAULT, months with kept rows) is for row deletes."""
    table, dropped = rule.model._meta.db_table, 0
    for month in partitions(connection, table):
        if month.end is None or month.end > cutoff or not droppable(rule, month, connection.alias):
            continue
        dropped += drop_partition(connection, table, month.name) or 0
    return dropped
