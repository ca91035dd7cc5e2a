"""Back up and restore a whole installation's database, and a digest to prove a
restore identical (docs/backup.md).

PostgreSQL goes through pg_dump's custom format and pg_restore; the embedded SQLite
database through SQLite's online backup API (a consistent copy while Hearth runs).
The digest hashes every table row by row, so two databases with equal digests hold
the same published figures, receipts, outbox and audit trail, and everything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import connection


class BackupError(Exception):
    """A backup or restore that could not be done; nothing was changed. Its text is
    for the operator running the command: in English, like the commands' output."""


def _database() -> dict:
    return connection.settings_dict


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_env() -> dict[str, str]:
    db = _database()
    env = {
        "PGHOST": str(db.get("HOST") or ""),
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "PGDATABASE": str(db["NAME"]),
    }
    return os.environ | {key: value for key, value in env.items() if value}


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    except FileNotFoundError:
        problem = f"{command[0]} is not installed (apt-get install postgresql-client)."
        raise BackupError(problem) from None
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def back_up(target: Path) -> None:
    """Write the whole database to `target` (a new file)."""
    if target.exists():
        problem = f"{target} exists already: give a new file name."
        raise BackupError(problem)
    if _is_postgres():
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"])
        return
    source = sqlite3.connect(_database()["NAME"])
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()


def restore(source: Path, *, jobs: int = 2) -> None:
    """Load a backup into this installation's database, which must be empty."""
    if not source.is_file():
        problem = f"{source} is not a file."
        raise BackupError(problem)
    if connection.introspection.table_names():
        problem = (
            "The database is not empty: restore into a new, empty database "
            "(createdb, then point DATABASE_URL at it)."
        )
        raise BackupError(problem)
    if _is_postgres():
        connection.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--jobs={jobs}",
                f"--dbname={_database()['NAME']}",
                str(source),
            ]
        )
        return
    connection.close()
    backup = sqlite3.connect(source)
    target = sqlite3.connect(_database()["NAME"])
    try:
        with target:
            backup.backup(target)
    finally:
        target.close()
        backup.close()


@dataclass(frozen=True)
class TableDigest:
    table: str
    rows: int
    sha256: str


def digest() -> list[TableDigest]:
    """Every model's table: its row count and a SHA-256 of its rows in key order."""
    tables = []
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table):
        columns = [field.attname for field in model._meta.concrete_fields]
        hashed, rows = hashlib.sha256(), 0
        for row in model._base_manager.order_by("pk").values_list(*columns).iterator(5000):
            hashed.update(json.dumps(row, default=str, sort_keys=True).encode())
            rows += 1
        tables.append(TableDigest(model._meta.db_table, rows, hashed.hexdigest()))
    return tables
