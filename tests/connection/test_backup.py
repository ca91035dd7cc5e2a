"""Backup and restore of a whole installation (docs/backup.md): the demo organisation is
backed up with `manage.py backup`, restored into a new, empty database with `manage.py
restore`, and the two are identical table by table (published figures, receipts, the
outbox, the audit trail and the rest); the restored Hearth then serves the same figures.

It runs on the database the suite runs on: PostgreSQL (pg_dump and pg_restore) in CI's
PostgreSQL pass, the embedded SQLite file otherwise. Everything happens in databases of
its own, through the commands an operator types."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hearth-demo"


def manage(*args: str, env: dict, timeout: int = 600) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture
def databases(tmp_path):
    """Two fresh databases, the installation's and the one restored into: (env, env)."""
    base = os.environ | {"HEARTH_VAR_DIR": str(tmp_path), "DEBUG": "true", "LOG_LEVEL": "WARNING"}
    if connection.vendor != "postgresql":
        base.pop("DATABASE_URL", None)
        yield (
            base | {"DATABASE_URL": f"sqlite:///{tmp_path / 'original.sqlite3'}"},
            base | {"DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}"},
        )
        return
    url = urlsplit(os.environ["DATABASE_URL"])
    names = [f"hearth_backup_{uuid.uuid4().hex[:10]}_{n}" for n in ("a", "b")]
    admin = urlunsplit(url._replace(path="/postgres"))
    for name in names:
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        yield tuple(
            base | {"DATABASE_URL": urlunsplit(url._replace(path=f"/{name}"))} for name in names
        )
    finally:
        for name in names:
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served(env: dict, paths: list[str]) -> list:
    """What a running Hearth on this database answers HR for each API path."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env | {"SITE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    site = f"http://127.0.0.1:{port}"
    try:
        browser = requests.Session()
        for _ in range(100):
            try:
                browser.get(f"{site}/login/", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        signed_in = browser.post(
            f"{site}/login/",
            data={
                "username": "hana@hearth.example",
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            headers={"Referer": f"{site}/login/"},
            timeout=30,
        )
        assert signed_in.url.rstrip("/") != f"{site}/login", "HR could not sign in"
        answers = []
        for path in paths:
            reply = browser.get(f"{site}{path}", timeout=60)
            assert reply.status_code == 200, (path, reply.status_code)
            answers.append(reply.json())
        return answers
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_backup_of_the_demo_restores_identical_and_is_served(databases, tmp_path):
    original, restored = databases
    manage("migrate", "--noinput", env=original)
    manage("seed_demo", env=original)
    dump = tmp_path / "hearth.backup"
    assert "Backed up" in manage("backup", str(dump), env=original)

    assert "Restored" in manage("restore", str(dump), env=restored)
    before = manage("data_digest", env=original).splitlines()
    after = manage("data_digest", env=restored).splitlines()
    assert before == after
    counts = {line.split("\t")[0]: int(line.split("\t")[1]) for line in before}
    # The digest covers what a restore must keep, and the demo has each of them.
    for table in ("pulse_published", "pulse_receipt", "connection_nudge", "connection_auditentry"):
        assert counts[table] > 0, table
    paths = ["/api/insights/org/", "/api/insights/rituals/"]
    assert served(restored, paths) == served(original, paths)


def test_restore_refuses_a_database_that_is_not_empty(databases, tmp_path):
    original, _ = databases
    manage("migrate", "--noinput", env=original)
    dump = tmp_path / "empty.backup"
    manage("backup", str(dump), env=original)
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore", str(dump)],
        cwd=ROOT,
        env=original,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "The database is not empty" in refused.stderr
    again = subprocess.run(
        [sys.executable, "manage.py", "backup", str(dump)],
        cwd=ROOT,
        env=original,
        capture_output=True,
        text=True,
    )
    assert again.returncode != 0 and "exists already" in again.stderr
