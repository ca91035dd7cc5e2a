"""Backup and restore of the 10,000-person org on PostgreSQL (docs/backup.md).

The org is the insights benchmark's: `seed_demo --people N --bare`, a year of behaviour
signals and a reported pulse round loaded in SQL, and one nightly computation (so the
stored weekly figures exist). Then, each through the commands an operator types:
`manage.py backup` (pg_dump, custom format), `manage.py restore` into a new database
(pg_restore, two jobs), and `manage.py data_digest` on both, which must be identical.
The database is kept as hearth_bench_backup_<people> until the next run.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, no password) and pg_dump/pg_restore
on the PATH, else prints why it skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import time

from bench.insights import Size
from bench.measure import (
    BASE_DIR,
    PYTHON,
    StepFailed,
    pg_env,
    postgres_unavailable,
    print_table,
    recreate_database,
)

RESTORE_LIMIT = 1800.0


class Org(Size):
    """The insights benchmark's org, in a database of the backup benchmark's own."""

    def __init__(self, people: int) -> None:
        super().__init__(people)
        self.database = f"hearth_bench_backup_{people}"


def manage(args: list[str], database: str) -> tuple[str, float]:
    """`manage.py ARGS` on `database`: its output and the seconds it took."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=pg_env(database),
        capture_output=True,
        text=True,
        timeout=RESTORE_LIMIT,
    )
    if done.returncode:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise StepFailed(f"manage.py {args[0]} exited {done.returncode}: {tail}")
    return done.stdout, time.perf_counter() - started


def run(people: int) -> list[str]:
    print("Backup and restore on PostgreSQL", flush=True)
    reason = postgres_unavailable()
    if reason or not shutil.which("pg_restore"):
        print(f"  skipped: {reason or 'pg_restore is not installed'}")
        return []
    org = Org(people)
    org.prepare()
    if not org.loaded or not org.attempt(
        "the nightly computation", lambda: org.step("compute", 600)
    ):
        return org.failures
    dump = BASE_DIR / "var" / "bench" / f"backup-{people}.dump"
    dump.parent.mkdir(parents=True, exist_ok=True)
    dump.unlink(missing_ok=True)
    restored = f"{org.database}_restored"
    try:
        _, backup_s = manage(["backup", str(dump)], org.database)
        recreate_database(restored)
        _, restore_s = manage(["restore", str(dump)], restored)
        original, _ = manage(["data_digest"], org.database)
        copy, _ = manage(["data_digest"], restored)
    except StepFailed as error:
        print(f"  failed: {error}")
        return [f"backup at {people:,} people: {error}"]
    rows = sum(int(line.split("\t")[1]) for line in original.splitlines())
    identical = original == copy
    print_table(
        ["people", "rows", "backup MB", "backup s", "restore s", "identical"],
        [
            [
                f"{people:,}",
                f"{rows:,}",
                f"{dump.stat().st_size / 1e6:.0f}",
                f"{backup_s:.1f}",
                f"{restore_s:.1f}",
                "yes" if identical else "NO",
            ]
        ],
    )
    print("(restore s: pg_restore with two jobs plus migrate, in a fresh database)")
    return [] if identical else [f"backup at {people:,} people: the restored database differs"]
