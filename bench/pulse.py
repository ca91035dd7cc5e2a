"""Pulse benchmarks: submissions through gunicorn, queries per submission, aggregation.

A. Submissions: a PostgreSQL database of its own (PG_DATABASE, dropped and
   created afresh every run, then migrated), PEOPLE people from seed_demo,
   one open round and an API token each. Gunicorn serves it with four sync
   workers while wrk POSTs /api/pulse/responses/ for WRK_SECONDS, every
   request with the next person's token. Each person can answer once, so
   201s and other statuses are counted apart; the headline is 201s a
   second. Afterwards receipts, responses and 201s must all be equal.
B. Queries per submission, in-process on the main bench database with
   django.test.Client: one POST /api/pulse/responses/ in a round of 5 items
   and one in a round of 8. The counts must be equal.
C. Aggregation: AGG_RESPONSES responses of AGG_ITEMS answers each, spread
   over the teams, tenure bands and locations, generated inside PostgreSQL,
   then aggregate_round() is timed. Cell respondents must add up.

A and C need PostgreSQL at 127.0.0.1:5432 (user postgres, no password); A
needs wrk too. Without them they print "skipped: <reason>". Steps that need
Django on PostgreSQL run as `python -m bench.pulse <step>` subprocesses with
DATABASE_URL set, since the bench process itself is on the main bench database.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
WORK_DIR = BASE_DIR / "var" / "bench" / "pulse"
PYTHON = sys.executable
GUNICORN = Path(sys.executable).parent / "gunicorn"

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
PG_DATABASE = "hearth_bench_pulse"
PG_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DATABASE}"

PEOPLE = 5_000
GUNICORN_WORKERS = 4
WRK_SECONDS = 10
WRK_THREADS = 2
WRK_CONNECTIONS = 8
ITEM_COUNTS = (5, 8)
AGG_RESPONSES = 500_000
AGG_ITEMS = 6
AGG_TARGET_SECONDS = 30.0
AGG_LIMIT_SECONDS = 150.0  # cancelled past this, to keep `make bench` near six minutes
SHUFFLE_LIMIT_SECONDS = 300.0
RESULT = "RESULT "

# Every request takes the next token of its thread's share (thread k of T
# uses tokens k, k+T, k+2T, ...), so no token is sent twice until the list
# runs out; after that they wrap and the repeats get 409.
WRK_SCRIPT = r"""
tokens = {}
counter = 0
id = 0
nthreads = 1
statuses = {}
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   for line in io.lines(args[1]) do
      if #line > 0 then tokens[#tokens + 1] = line end
   end
   local file = io.open(args[2], "r")
   body = file:read("*a")
   file:close()
   nthreads = tonumber(args[3])
end

function request()
   local index = id + counter * nthreads
   counter = counter + 1
   local token = tokens[(index % #tokens) + 1]
   return wrk.format("POST", "/api/pulse/responses/", {
      ["Authorization"] = "Token " .. token,
      ["Content-Type"] = "application/json",
   }, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local totals, issued = {}, 0
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         totals[status] = (totals[status] or 0) + n
      end
      issued = issued + thread:get("counter")
   end
   local parts = {}
   for status, n in pairs(totals) do
      parts[#parts + 1] = string.format('"%d": %d', status, n)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"duration_us": %.0f, "requests": %.0f, "issued": %.0f, ' ..
      '"p50_us": %.0f, "p90_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, "mean_us": %.0f, ' ..
      '"socket_errors": %.0f, "statuses": {%s}}\n',
      summary.duration, summary.requests, issued,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99), latency.mean,
      e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


class StepFailed(Exception):
    """A bench step (not the app) could not run; the message says which and why."""


# ---------------------------------------------------------------- entry point


def run(print_table: Callable[[list[str], list[list[str]]], None]) -> list[str]:
    """Run B, then A and C on PostgreSQL; print their tables and return problems found."""
    problems: list[str] = []

    print("Pulse: queries per submission (POST /api/pulse/responses/, token auth)", flush=True)
    try:
        headers, rows, notes, found = queries_per_submission()
        print_table(headers, rows)
        for note in notes:
            print(f"({note})")
        problems += found
    except Exception as error:  # reported, and the PostgreSQL benches still run
        traceback.print_exc()
        print(f"  failed: {type(error).__name__}: {error}")
        problems.append(f"pulse queries per submission: {type(error).__name__}: {error}")

    print(flush=True)
    print(f"Pulse on PostgreSQL ({PG_HOST}:{PG_PORT}/{PG_DATABASE})", flush=True)
    reason = postgres_unavailable()
    if reason:
        print(f"  submissions through gunicorn: skipped: {reason}")
        print(f"  aggregation of {AGG_RESPONSES:,} responses: skipped: {reason}")
        return problems
    try:
        prepared = prepare_database()
    except StepFailed as error:
        print(f"  submissions through gunicorn: skipped: {error}")
        print(f"  aggregation of {AGG_RESPONSES:,} responses: skipped: {error}")
        problems.append(f"pulse bench setup failed: {error}")
        return problems
    print(
        f"  fresh database migrated in {prepared['migrate_s']:.1f} s; seed_demo --people "
        f"{prepared['people']:,} in {prepared['seed_s']:.1f} s; round {prepared['number']} open "
        f"with {prepared['items']} items; {prepared['tokens']:,} API tokens",
        flush=True,
    )

    print(flush=True)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("Pulse submissions through gunicorn: skipped: wrk not found on PATH")
    else:
        try:
            headers, rows, notes, found = submissions(wrk, prepared)
            print_table(headers, rows)
            for note in notes:
                print(f"({note})")
            problems += found
        except StepFailed as error:
            print(f"Pulse submissions through gunicorn: failed: {error}")
            problems.append(f"pulse submissions: bench step failed: {error}")

    print(flush=True)
    try:
        headers, rows, notes, found = aggregation()
        print_table(headers, rows)
        for note in notes:
            print(f"({note})")
        problems += found
    except StepFailed as error:
        print(f"Pulse aggregation: failed: {error}")
        problems.append(f"pulse aggregation: bench step failed: {error}")
    return problems


# ---------------------------------------------------------------- B: queries per submission


def ensure_question_bank() -> None:
    """The main bench flushes its database, which empties the question bank; put it back."""
    import importlib

    from django.apps import apps

    from pulse.models import Question

    if not Question.objects.exists():
        importlib.import_module("pulse.migrations.0002_question_bank").add_bank(apps, None)


def queries_per_submission() -> tuple[list[str], list[list[str]], list[str], list[str]]:
    import datetime as dt

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from connection.models import User
    from pulse.models import PulseSettings, Round
    from pulse.services import open_round

    ensure_question_bank()
    # The first person warms up (caches, content types); the second is measured.
    people = list(User.objects.filter(is_active=True).order_by("pk")[:2])
    keys = [Token.objects.get_or_create(user=person)[0].key for person in people]
    config = PulseSettings.load()
    config.audience.clear()
    long_ago = timezone.now() - dt.timedelta(days=90)

    measured: list[tuple[int, int, int, list[str]]] = []
    for items in ITEM_COUNTS:
        # Close whatever is open and move it into the past, so a round opens now.
        Round.objects.update(
            status=Round.Status.CLOSED, opens_at=long_ago, closes_at=long_ago + dt.timedelta(1)
        )
        config.items_per_round = items
        config.save(update_fields=["items_per_round"])
        round_ = open_round()
        if round_ is None:
            raise RuntimeError("open_round() opened no round for the query-count bench")
        asked = list(round_.questions.all())
        body = {"answers": {str(q.pk): (8 if q.is_enps else 4) for q in asked}}
        for key in keys:
            client = Client(headers={"authorization": f"Token {key}"})
            # With DEBUG on, the connection's query log is full (9,000) by now,
            # and CaptureQueriesContext would count nothing: empty it first.
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                response = client.post(
                    "/api/pulse/responses/", body, content_type="application/json"
                )
        measured.append(
            (len(asked), len(queries), response.status_code, [q["sql"] for q in queries])
        )

    counts = {count for _, count, _, _ in measured}
    same = len(counts) == 1
    rows = [
        [str(items), str(count), str(status), "yes" if same else "NO"]
        for items, count, status, _ in measured
    ]
    problems = []
    for items, _, status, _ in measured:
        if status != 201:
            problems.append(f"pulse submit: HTTP {status} (expected 201) with {items} items")
    if not same:
        detail = ", ".join(f"{count} with {items} items" for items, count, _, _ in measured)
        problems.append(f"pulse submit: queries grow with the number of items ({detail})")
        for items, _, _, sqls in measured:
            print(f"  queries with {items} items:")
            for sql in sqls:
                print(f"    {sql[:150]}")
    notes = [
        "one POST after a warm-up POST by someone else, in a fresh round each; "
        "open_round() with PulseSettings.items_per_round set to the item count"
    ]
    return ["items in round", "queries per POST", "HTTP status", "same?"], rows, notes, problems


# ---------------------------------------------------------------- PostgreSQL setup


def pg_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="connection.settings",
        DATABASE_URL=PG_URL,
        DEBUG="false",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def postgres_unavailable() -> str | None:
    """None when the server answers, else why not."""
    import psycopg2

    try:
        psycopg2.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3
        ).close()
    except psycopg2.Error as error:
        first = (str(error).strip().splitlines() or ["no answer"])[0]
        return f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} as {PG_USER} ({first})"
    return None


def recreate_database() -> None:
    """Drop and create PG_DATABASE: each run starts from nothing, whatever the last one left."""
    import psycopg2

    conn = psycopg2.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    except psycopg2.Error as error:
        raise StepFailed(f"could not create database {PG_DATABASE}: {error}") from error
    finally:
        conn.close()


def step(args: list[str], what: str, timeout: float) -> dict:
    """Run a subprocess on the PostgreSQL bench database; the JSON of its RESULT line."""
    try:
        done = subprocess.run(
            [PYTHON, *args],
            cwd=BASE_DIR,
            env=pg_env(),
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


def prepare_database() -> dict:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    recreate_database()
    started = time.perf_counter()
    step(["manage.py", "migrate", "--noinput", "-v0"], "manage.py migrate", timeout=180)
    migrate_s = time.perf_counter() - started
    prepared = step(["-m", "bench.pulse", "prepare", str(PEOPLE)], "prepare", timeout=180)
    return prepared | {"migrate_s": migrate_s}


# ---------------------------------------------------------------- A: submissions


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise StepFailed(f"gunicorn exited {server.returncode} before /healthz answered")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}: {error.read()[:200].decode(errors='replace')}"
        except OSError as error:
            last = str(error)
        time.sleep(0.25)
    raise StepFailed(f"/healthz not healthy after {timeout:.0f} s ({last})")


def run_wrk(wrk: str, base: str, prepared: dict) -> dict:
    script = WORK_DIR / "submit.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        wrk,
        "--latency",
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{WRK_SECONDS}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"{base}/api/pulse/responses/",
        "--",
        prepared["tokens_file"],
        prepared["body_file"],
        str(WRK_THREADS),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WRK_SECONDS + 60)
    except subprocess.TimeoutExpired as error:
        raise StepFailed("wrk did not finish") from error
    (WORK_DIR / "wrk.txt").write_text(done.stdout + done.stderr)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line[len("BENCH_RESULT ") :])
    raise StepFailed(f"wrk exited {done.returncode} without a result: {done.stderr.strip()[:200]}")


Section = tuple[list[str], list[list[str]], list[str], list[str]]


def submissions(wrk: str, prepared: dict) -> Section:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = WORK_DIR / "gunicorn.log"
    access_log = WORK_DIR / "access.log"
    access_log.unlink(missing_ok=True)
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(GUNICORN),
                "connection.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(GUNICORN_WORKERS),
                # The status of every response the server sent, including the
                # ones still in flight when wrk stopped counting.
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(s)s %(U)s",
            ],
            cwd=BASE_DIR,
            env=pg_env(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(base, server)
            result = run_wrk(wrk, base, prepared)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    checked = step(["-m", "bench.pulse", "verify", str(prepared["round"])], "verify", timeout=120)
    served = [
        line.split()[0]
        for line in access_log.read_text().splitlines()
        if line.endswith(" /api/pulse/responses/")
    ]
    served_201 = served.count("201")

    statuses = {int(s): n for s, n in result["statuses"].items()}
    created = statuses.get(201, 0)
    conflicts = statuses.get(409, 0)
    others = {s: n for s, n in statuses.items() if s not in (201, 409)}
    seconds = result["duration_us"] / 1e6
    rps = created / seconds if seconds else 0.0
    exhausted = result["issued"] > prepared["tokens"]
    # wrk stops counting at the deadline with up to one request per connection
    # in flight; the server finishes those, so the check uses its log.
    consistent = checked["receipts"] == checked["responses"] == served_201
    in_flight = served_201 - created
    answers_ok = checked["answers"] == served_201 * prepared["items"]

    headers = [
        "server",
        "201/s",
        "all req/s",
        "p95 ms",
        "p99 ms",
        "201",
        "409",
        "other",
        "201 in server log",
        "receipts",
        "responses",
        "consistent?",
    ]
    row = [
        f"gunicorn {GUNICORN_WORKERS} workers",
        f"{rps:.1f}",
        f"{result['requests'] / seconds:.1f}" if seconds else "0",
        f"{result['p95_us'] / 1000:.1f}",
        f"{result['p99_us'] / 1000:.1f}",
        f"{created:,}",
        f"{conflicts:,}",
        ", ".join(f"{n} x {s}" for s, n in sorted(others.items())) or "0",
        f"{served_201:,}",
        f"{checked['receipts']:,}",
        f"{checked['responses']:,}",
        "yes" if consistent and answers_ok else "NO",
    ]
    notes = [
        f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s for {seconds:.1f} s, each "
        f"request with the next of {prepared['tokens']:,} tokens ({result['issued']:,} sent"
        f"{', list exhausted: repeats get 409' if exhausted else ', none twice'}); "
        f"latency over all requests: p50 {result['p50_us'] / 1000:.1f} ms, "
        f"p90 {result['p90_us'] / 1000:.1f} ms, p95 from latency:percentile(95)",
        f"{checked['answers']:,} answers stored ({prepared['items']} per response); "
        f"{checked['people']:,} distinct people in receipts; {in_flight} 201s were in flight "
        f"when wrk stopped; logs in {log.parent.relative_to(BASE_DIR)}/",
    ]
    problems = []
    if not consistent:
        problems.append(
            f"pulse submissions: {served_201:,} 201s served but {checked['receipts']:,} receipts "
            f"and {checked['responses']:,} responses"
        )
    if not answers_ok:
        problems.append(
            f"pulse submissions: {checked['answers']:,} answers for {served_201:,} responses of "
            f"{prepared['items']} items"
        )
    if not 0 <= in_flight <= WRK_CONNECTIONS:
        problems.append(
            f"pulse submissions: wrk counted {created:,} 201s, the server sent {served_201:,}"
        )
    if checked["people"] != checked["receipts"]:
        problems.append("pulse submissions: someone has two receipts for one round")
    if others:
        problems.append(f"pulse submissions: unexpected statuses {others}")
    if conflicts and not exhausted:
        problems.append(f"pulse submissions: {conflicts} 409s although no token was sent twice")
    if result["socket_errors"]:
        problems.append(f"pulse submissions: {result['socket_errors']} socket errors in wrk")
    return headers, [row], notes, problems


# ---------------------------------------------------------------- C: aggregation


def aggregation() -> tuple[list[str], list[list[str]], list[str], list[str]]:
    result = step(
        ["-m", "bench.pulse", "aggregate", str(AGG_RESPONSES)],
        "aggregate",
        timeout=AGG_LIMIT_SECONDS + SHUFFLE_LIMIT_SECONDS + 120,
    )
    finished = result["finished"]
    met = finished and result["aggregate_s"] < AGG_TARGET_SECONDS
    summed = result["respondents"] == AGG_RESPONSES
    answers_summed = result["cell_answers"] == result["answers"]
    headers = [
        "responses",
        "answers",
        "load s",
        "aggregate s",
        "cells",
        "shuffle s",
        "cell respondents",
        "adds up?",
        f"under {AGG_TARGET_SECONDS:.0f} s?",
    ]
    row = [
        f"{result['responses']:,}",
        f"{result['answers']:,}",
        f"{result['load_s']:.1f}",
        f"{result['aggregate_s']:.1f}" if finished else f"> {AGG_LIMIT_SECONDS:.0f}",
        f"{result['cells']:,}",
        f"{result['shuffle_s']:.1f}" if result["shuffle_s"] is not None else "n/a",
        f"{result['respondents']:,}",
        "yes" if summed and answers_summed else "NO",
        "yes" if met else "NO",
    ]
    slowest = "; ".join(f"{q['s']:.1f} s {q['sql']}" for q in result["slowest"])
    notes = [
        f"aggregate_round() on PostgreSQL over {result['teams']} teams x tenure bands x "
        f"locations, {AGG_ITEMS} items; rows made in PostgreSQL (INSERT ... SELECT "
        "generate_series, gen_random_uuid(), answer indexes rebuilt after), then ANALYZE",
        f"{result['queries']} queries, {result['sql_s']:.1f} s in SQL; slowest: {slowest}",
    ]
    if not finished:
        notes.append(
            f"cancelled after {AGG_LIMIT_SECONDS:.0f} s; the slowest statement is the one cut off"
        )
        problem = (
            f"pulse aggregation: aggregate_round() unfinished after {AGG_LIMIT_SECONDS:.0f} s "
            f"for {AGG_RESPONSES:,} responses (target {AGG_TARGET_SECONDS:.0f} s); "
            f"slowest: {slowest}"
        )
        return headers, [row], notes, [problem]
    problems = []
    if not summed:
        problems.append(
            f"pulse aggregation: cells count {result['respondents']:,} respondents for "
            f"{AGG_RESPONSES:,} responses"
        )
    if not answers_summed:
        problems.append(
            f"pulse aggregation: item stats count {result['cell_answers']:,} answers for "
            f"{result['answers']:,}"
        )
    if not met:
        problems.append(
            f"pulse aggregation: {result['aggregate_s']:.1f} s for {AGG_RESPONSES:,} responses "
            f"(target {AGG_TARGET_SECONDS:.0f} s); slowest: {slowest}"
        )
    return headers, [row], notes, problems


# ---------------------------------------------------------------- subprocess steps


def step_prepare(people: int) -> dict:
    """Seed the org, open a round, give everyone an API token; files for wrk."""
    import io

    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from connection.models import User
    from pulse.services import open_round

    started = time.perf_counter()
    call_command("seed_demo", people=people, bare=True, stdout=io.StringIO())
    seed_s = time.perf_counter() - started
    round_ = open_round()
    if round_ is None:
        raise RuntimeError("open_round() opened no round")
    asked = list(round_.questions.all())
    ids = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    tokens = [Token(user_id=pk, key=Token.generate_key()) for pk in ids]
    Token.objects.bulk_create(tokens, batch_size=2000)
    tokens_file = WORK_DIR / "tokens.txt"
    tokens_file.write_text("".join(f"{t.key}\n" for t in tokens))
    body_file = WORK_DIR / "body.json"
    body_file.write_text(
        json.dumps({"answers": {str(q.pk): (8 if q.is_enps else 4) for q in asked}})
    )
    return {
        "people": people,
        "seed_s": seed_s,
        "round": round_.pk,
        "number": round_.number,
        "items": len(asked),
        "tokens": len(tokens),
        "tokens_file": str(tokens_file),
        "body_file": str(body_file),
    }


def step_verify(round_pk: int) -> dict:
    from pulse.models import Answer, Receipt, Response

    receipts = Receipt.objects.filter(round_id=round_pk)
    return {
        "receipts": receipts.count(),
        "people": receipts.values("person_id").distinct().count(),
        "responses": Response.objects.filter(round_id=round_pk).count(),
        "answers": Answer.objects.filter(response__round_id=round_pk).count(),
    }


LOAD_RESPONSES_SQL = """
INSERT INTO pulse_response (id, round_id, team_id, tenure_band, location, comment)
SELECT gen_random_uuid(), %(round)s,
       (%(teams)s::int[])[1 + floor(random() * %(n_teams)s)::int],
       (%(bands)s::text[])[1 + floor(random() * %(n_bands)s)::int],
       (%(locations)s::text[])[1 + floor(random() * %(n_locations)s)::int],
       ''
FROM generate_series(1, %(responses)s)
"""

LOAD_ANSWERS_SQL = """
INSERT INTO pulse_answer (id, response_id, question_id, value)
SELECT gen_random_uuid(), r.id, q.id,
       CASE WHEN q.dimension = 'enps' THEN floor(random() * 11)::int
            ELSE 1 + floor(random() * 5)::int END
FROM pulse_response r
CROSS JOIN (
    SELECT qq.id, qq.dimension
    FROM pulse_roundquestion rq JOIN pulse_question qq ON qq.id = rq.question_id
    WHERE rq.round_id = %(round)s
) q
WHERE r.round_id = %(round)s
"""

CONSTRAINTS_SQL = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass AND contype IN ('p', 'u')
"""

INDEXES_SQL = """
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = %s AND indexname <> ALL(%s)
"""


def bulk_load(cursor, table: str, statements: list[tuple[str, dict]]) -> tuple[int, float]:
    """Run INSERTs into `table` with its indexes dropped, then rebuild them; returns
    rows inserted and seconds spent rebuilding. In a throwaway database only:
    foreign-key triggers are off (rows consistent by construction). Call inside a
    transaction."""
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute(CONSTRAINTS_SQL, [table])
    constraints = cursor.fetchall()
    cursor.execute(INDEXES_SQL, [table, [name for name, _ in constraints]])
    indexes = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    rows = 0
    for sql, params in statements:
        cursor.execute(sql, params)
        rows += cursor.rowcount
    started = time.perf_counter()
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for _, definition in indexes:
        cursor.execute(definition)
    return rows, time.perf_counter() - started


def load_closed_round(*, items: int, opens_at, closes_at, responses: int):
    """A closed round of `items` questions with `responses` responses spread over the
    teams, tenure bands and locations, loaded in SQL (throwaway PostgreSQL only)."""
    from django.db import connection, transaction
    from django.db.models import Max

    from connection.models import Location, OrgSettings, Team
    from connection.privacy import effective_k
    from pulse.models import PulseSettings, Round, RoundQuestion
    from pulse.services import choose_questions

    config = PulseSettings.load()
    config.items_per_round = items
    config.save(update_fields=["items_per_round"])
    org = OrgSettings.load()
    k = effective_k(org.min_group_size)
    number = (Round.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    teams = list(Team.objects.order_by("pk").values_list("pk", flat=True))
    bands = ["0-3m", "3-12m", "1-3y", "3y+", "unknown"]
    locations = list(Location.values)
    with transaction.atomic():
        round_ = Round.objects.create(
            number=number,
            opens_at=opens_at,
            closes_at=closes_at,
            status=Round.Status.CLOSED,
            min_group_size=k,
            comment_threshold=max(org.comment_threshold, k),
        )
        questions = choose_questions(number, items)
        RoundQuestion.objects.bulk_create(
            RoundQuestion(round=round_, question=q, position=i) for i, q in enumerate(questions)
        )
        params = {
            "round": round_.pk,
            "teams": teams,
            "n_teams": len(teams),
            "bands": bands,
            "n_bands": len(bands),
            "locations": locations,
            "n_locations": len(locations),
            "responses": responses,
        }
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(LOAD_RESPONSES_SQL, params)
            bulk_load(cursor, "pulse_answer", [(LOAD_ANSWERS_SQL, params)])
    return round_


def step_aggregate(responses: int) -> dict:
    """A closed round of `responses` responses, loaded in SQL, then aggregate_round() timed."""
    import datetime as dt

    from django.db import OperationalError, connection
    from django.db.models import Sum
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from connection.models import Team
    from pulse.models import Answer, CellAnswer, RoundCell
    from pulse.models import Response as PulseResponse
    from pulse.services import aggregate_round, shuffle_round_rows

    opened = timezone.now() - dt.timedelta(days=30)
    started = time.perf_counter()
    round_ = load_closed_round(
        items=AGG_ITEMS,
        opens_at=opened,
        closes_at=opened + dt.timedelta(days=4),
        responses=responses,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pulse_response")
        cursor.execute("ANALYZE pulse_answer")
    load_s = time.perf_counter() - started

    # A slow aggregation is a finding, not a reason to blow the bench's time:
    # past AGG_LIMIT_SECONDS the running statement is cancelled (and rolled back).
    raw = connection.connection
    timer = threading.Timer(AGG_LIMIT_SECONDS, raw.cancel)
    finished = True
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        timer.start()
        try:
            cells = aggregate_round(round_=round_)
        except OperationalError as error:
            if "cancel" not in str(error):
                raise
            finished, cells = False, 0
        finally:
            timer.cancel()
        aggregate_s = time.perf_counter() - started
    timed = sorted(
        ({"s": float(q["time"]), "sql": " ".join(q["sql"].split())[:70]} for q in queries),
        key=lambda q: -q["s"],
    )
    # The privacy rewrite that follows closing (rows shuffled so receipts can't be
    # lined up with answers) runs in the worker after the snapshot; timed apart.
    shuffle_s = None
    if finished:
        timer = threading.Timer(SHUFFLE_LIMIT_SECONDS, raw.cancel)
        started = time.perf_counter()
        timer.start()
        try:
            shuffle_round_rows(round_=round_)
            shuffle_s = time.perf_counter() - started
        except OperationalError as error:
            if "cancel" not in str(error):
                raise
        finally:
            timer.cancel()
    our_cells = RoundCell.objects.filter(round=round_)
    return {
        "shuffle_s": shuffle_s,
        "responses": PulseResponse.objects.filter(round=round_).count(),
        "answers": Answer.objects.filter(response__round=round_).count(),
        "teams": Team.objects.count(),
        "load_s": load_s,
        "aggregate_s": aggregate_s,
        "finished": finished,
        "cells": cells,
        "respondents": our_cells.aggregate(n=Sum("respondents"))["n"] or 0,
        "cell_answers": CellAnswer.objects.filter(cell__round=round_).aggregate(n=Sum("answers"))[
            "n"
        ]
        or 0,
        "queries": len(queries),
        "sql_s": sum(q["s"] for q in timed),
        "slowest": timed[:3],
    }


def main(argv: list[str]) -> int:
    """`python -m bench.pulse prepare|verify|aggregate N`, with DATABASE_URL set by run()."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connection.settings")
    django.setup()
    steps = {"prepare": step_prepare, "verify": step_verify, "aggregate": step_aggregate}
    if len(argv) != 2 or argv[0] not in steps or not argv[1].isdigit():
        print("usage: python -m bench.pulse prepare|verify|aggregate N (run by `make bench`)")
        return 2
    name, value = argv[0], int(argv[1])
    print(RESULT + json.dumps(steps[name](value)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
