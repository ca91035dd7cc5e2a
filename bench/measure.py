"""What every benchmark shares: tables, the request-timing loop, steps run in a subprocess
on a PostgreSQL database of their own, peak memory, and seeding the org.

Importable before Django is set up (no model imports): `bench/__main__.py` uses it to
print, and the benchmark modules, which import models, load after `django.setup()`.
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psycopg2
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import OperationalError, connection, reset_queries
from django.template import Template
from django.test import Client
from django.test.utils import CaptureQueriesContext, _TestState

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
# A step's last line starting so carries its result as JSON (see bench/step.py).
RESULT = "RESULT "
T = TypeVar("T")

# Headers, rows, notes (printed in brackets under the table) and problems found.
Section = tuple[list[str], list[list[str]], list[str], list[str]]


class StepFailed(Exception):
    """A bench step (not the app) could not run; the message says which and why."""


# ---------------------------------------------------------------- output


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    numeric = [
        all(str(r[i]).replace(".", "").replace(",", "").isdigit() for r in rows)
        for i in range(len(headers))
    ]

    def line(cells: list[str]) -> str:
        return " | ".join(
            str(c).rjust(w) if num else str(c).ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        )

    print(line(headers))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def print_section(section: Section) -> list[str]:
    """Print a section's table and notes; its problems, for the caller to collect."""
    headers, rows, notes, problems = section
    print_table(headers, rows)
    for note in notes:
        print(f"({note})")
    return problems


# ---------------------------------------------------------------- timing


@dataclass(frozen=True)
class PageTiming:
    queries: int  # the most of any request: counts should not vary between identical ones
    median_ms: float
    status: int
    kb: int  # of the last response's body


def time_page(
    path: str, user, repeats: int, *, before_each: Callable[[], object] | None = None
) -> PageTiming:
    """GET `path` as `user` once to warm up (templates, the session, caches), then
    `repeats` times through django.test.Client, each request's queries counted.
    `before_each` runs before each timed request (to drop a cache, say), untimed."""
    client = Client()
    client.force_login(user)
    timings, counts = [], []
    with production_templates():
        client.get(path)
        for _ in range(repeats):
            # With DEBUG on, the connection's query log is capped (9,000 entries); once
            # it is full CaptureQueriesContext counts nothing, so it is emptied first.
            reset_queries()
            if before_each is not None:
                before_each()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(queries))
    return PageTiming(
        queries=max(counts),
        median_ms=statistics.median(timings),
        status=response.status_code,
        kb=len(response.content) // 1024,
    )


@contextmanager
def production_templates() -> Iterator[None]:
    """Templates render as a server renders them. `setup_test_environment` (the bench
    sets it up for the test client) makes every render, each {% include %} and form
    widget, send a signal on which the client copies the whole context: a page with a
    select of a few hundred options spent most of its measured time there."""
    saved = getattr(_TestState, "saved_data", None)
    instrumented = Template._render
    if saved is not None:
        Template._render = saved.template_render
    try:
        yield
    finally:
        Template._render = instrumented


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB.

    Linux's ru_maxrss (RUSAGE_SELF) starts a process at the RSS of whatever
    exec'd it: run from `make bench`, whose process holds ~300 MB, every step
    would report at least that. VmHWM is the high-water mark of this process's
    own memory; ru_maxrss is the fallback where /proc is missing.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def within(limit: float, function: Callable[[], T]) -> tuple[bool, T | None, float]:
    """Run `function`, cancelling its running PostgreSQL statement (rolled back) past
    `limit` seconds: a slow step is a finding, not a reason to blow the bench's time.
    Whether it finished, what it returned, and the seconds spent."""
    timer = threading.Timer(limit, connection.connection.cancel)
    started = time.perf_counter()
    timer.start()
    try:
        return True, function(), time.perf_counter() - started
    except OperationalError as error:
        if "cancel" not in str(error):
            raise
        return False, None, time.perf_counter() - started
    finally:
        timer.cancel()


# ---------------------------------------------------------------- the org


def seed_org(people: int) -> float:
    """`seed_demo --people N --bare` on the current database; seconds taken."""
    started = time.perf_counter()
    call_command("seed_demo", people=people, bare=True, stdout=io.StringIO())
    return time.perf_counter() - started


def ensure_org(people: int) -> None:
    """An org of at least `people` active people: flushed and seeded when smaller."""
    if get_user_model().objects.filter(is_active=True).count() < people:
        call_command("flush", interactive=False, verbosity=0)
        seed_org(people)


# ---------------------------------------------------------------- PostgreSQL steps


def pg_url(database: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def pg_env(database: str, *, debug: bool = False) -> dict[str, str]:
    """The environment of a process on `database`. DEBUG off by default (no query log);
    pages need it on, as in the main bench, since DEBUG off needs collectstatic's
    manifest to render templates."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="connection.settings",
        DATABASE_URL=pg_url(database),
        DEBUG="true" if debug else "false",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def _connect_admin():
    return psycopg2.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3
    )


def postgres_unavailable() -> str | None:
    """None when the server answers, else why not."""
    try:
        _connect_admin().close()
    except psycopg2.Error as error:
        first = (str(error).strip().splitlines() or ["no answer"])[0]
        return f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} as {PG_USER} ({first})"
    return None


def recreate_database(database: str) -> None:
    """Drop and create `database`: each run starts from nothing, whatever the last one left."""
    try:
        conn = _connect_admin()
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


def run_process(
    args: list[str], what: str, *, timeout: float, database: str, debug: bool = False
) -> dict:
    """Run `python ARGS` on `database`; the JSON of its RESULT line, if any."""
    try:
        done = subprocess.run(
            [PYTHON, *args],
            cwd=BASE_DIR,
            env=pg_env(database, debug=debug),
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


def migrate(database: str) -> float:
    """`manage.py migrate` on `database` in a subprocess; seconds taken."""
    started = time.perf_counter()
    run_process(
        ["manage.py", "migrate", "--noinput", "-v0"],
        "manage.py migrate",
        timeout=180,
        database=database,
    )
    return time.perf_counter() - started


def step(
    benchmark: str,
    name: str,
    value: int,
    *,
    timeout: float,
    database: str,
    debug: bool = False,
    what: str = "",
) -> dict:
    """One of a benchmark's STEPS, in a fresh process on `database` (bench/step.py)."""
    return run_process(
        ["-m", "bench.step", benchmark, name, str(value)],
        what or name,
        timeout=timeout,
        database=database,
        debug=debug,
    )
