"""Pulse submissions through gunicorn and wrk, against a floor (part A of bench/pulse.py).

One gunicorn (GUNICORN_WORKERS sync workers) serves the pulse bench's PostgreSQL
database with Hearth's settings plus the floor's two routes (bench/floor.py). wrk
(-t2 -c16 -d10s, bench/submit.lua) then runs, alternately:

- the floor's bare view and Hearth's `/healthz` (what a request costs; the liveness
  check should cost no more), PAIRS times each;
- the floor's minimal submit and Hearth's `POST /api/pulse/responses/`, every request
  with the next person's token, PAIRS times each.

Before every submit run the round's receipts, responses and answers and the floor's
tables are emptied, so each run starts alike and every token answers once. The
headline is Hearth's 201s a second over the floor's in the run just before it (the
median and quartiles of the PAIRS ratios): machines are noisy, runs side by side on
one server are comparable. After each Hearth run, receipts, responses and the 201s
in the server's access log must all be equal.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from bench.floor import FLOOR_TABLES
from bench.measure import BASE_DIR, PG_HOST, PG_PORT, PG_USER, Section, StepFailed, pg_env

WORK_DIR = BASE_DIR / "var" / "bench" / "pulse"
GUNICORN = Path(sys.executable).parent / "gunicorn"
GUNICORN_WORKERS = 2
WRK_SECONDS = 10
WRK_THREADS = 2
WRK_CONNECTIONS = 16
PAIRS = 5
TARGET_RATIO = 0.5
TARGET_P95_MS = 40.0
HEALTHZ_TARGET_RATIO = 0.8
# The wrk script: every request with the next token, statuses counted, a summary line.
WRK_SCRIPT = Path(__file__).with_name("submit.lua")
SUBMIT = "/api/pulse/responses/"
FLOOR_SUBMIT = "/bench/floor/submit/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise StepFailed(f"gunicorn exited {server.returncode} before /readyz answered")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}: {error.read()[:200].decode(errors='replace')}"
        except OSError as error:
            last = str(error)
        time.sleep(0.25)
    raise StepFailed(f"/readyz not ready after {timeout:.0f} s ({last})")


@dataclass(frozen=True)
class Run:
    label: str
    path: str
    result: dict  # wrk's summary (done() in bench/submit.lua)
    served_201: int  # from the server's access log

    @property
    def seconds(self) -> float:
        return self.result["duration_us"] / 1e6

    @property
    def statuses(self) -> dict[int, int]:
        return {int(s): n for s, n in self.result["statuses"].items()}

    @property
    def rate(self) -> float:
        """Successes a second: 201s for a submit, 200s for a GET."""
        ok = 200 if self.path in ("/bench/floor/", "/healthz") else 201
        return self.statuses.get(ok, 0) / self.seconds if self.seconds else 0.0

    def ms(self, percentile: int) -> float:
        return self.result[f"p{percentile}_us"] / 1000


class Server:
    """gunicorn on the bench database, with the floor's routes, and wrk against it."""

    def __init__(self, wrk: str, database: str, prepared: dict) -> None:
        self.wrk, self.database, self.prepared = wrk, database, prepared
        self.base = f"http://127.0.0.1:{free_port()}"
        self.access_log = WORK_DIR / "access.log"
        self.process: subprocess.Popen | None = None

    @contextmanager
    def running(self) -> Iterator[Server]:
        self.access_log.unlink(missing_ok=True)
        env = pg_env(self.database) | {"DJANGO_SETTINGS_MODULE": "bench.floor_settings"}
        with (WORK_DIR / "gunicorn.log").open("w") as log_file:
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "connection.wsgi",
                    "--bind",
                    self.base.removeprefix("http://"),
                    "--workers",
                    str(GUNICORN_WORKERS),
                    # The status of every response the server sent, including the
                    # ones still in flight when wrk stopped counting.
                    "--access-logfile",
                    str(self.access_log),
                    "--access-logformat",
                    "%(s)s %(U)s",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_healthy(self.base, self.process)
                yield self
            finally:
                self.process.terminate()
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()

    def load(self, label: str, method: str, path: str, tokens_file: str) -> Run:
        logged = self.logged_lines()
        command = [
            self.wrk,
            "--latency",
            f"-t{WRK_THREADS}",
            f"-c{WRK_CONNECTIONS}",
            f"-d{WRK_SECONDS}s",
            "--timeout",
            "10s",
            "-s",
            str(WRK_SCRIPT),
            f"{self.base}{path}",
            "--",
            tokens_file,
            self.prepared["body_file"],
            str(WRK_THREADS),
            method,
            path,
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=WRK_SECONDS + 60)
        except subprocess.TimeoutExpired as error:
            raise StepFailed("wrk did not finish") from error
        (WORK_DIR / f"wrk-{label}.txt").write_text(done.stdout + done.stderr)
        time.sleep(0.5)  # the last in-flight requests reach the access log
        served = [line.split()[0] for line in self.logged_lines()[len(logged) :]]
        for line in done.stdout.splitlines():
            if line.startswith("BENCH_RESULT "):
                result = json.loads(line[len("BENCH_RESULT ") :])
                return Run(label, path, result, served.count("201"))
        raise StepFailed(f"wrk exited {done.returncode} without a result: {done.stderr[:200]}")

    def logged_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []


# ---------------------------------------------------------------- the database


def execute(database: str, statements: list[tuple[str, list]]) -> list[tuple]:
    """Run `statements` in one transaction; the last one's rows."""
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=database)
    try:
        with conn, conn.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()


def reset(database: str, round_pk: int) -> None:
    """Empty the round's answers and the floor's tables: the next run starts alike."""
    execute(
        database,
        [(sql, []) for sql in FLOOR_TABLES]
        + [
            ("TRUNCATE bench_floor_receipt, bench_floor_response, bench_floor_answer", []),
            (
                "DELETE FROM pulse_answer WHERE response_id IN "
                "(SELECT id FROM pulse_response WHERE round_id = %s)",
                [round_pk],
            ),
            ("DELETE FROM pulse_response WHERE round_id = %s", [round_pk]),
            ("DELETE FROM pulse_receipt WHERE round_id = %s", [round_pk]),
        ],
    )


def stored(database: str, round_pk: int) -> dict:
    """What the database holds for the round: receipts, people, responses, answers."""
    ((receipts, people, responses, answers),) = execute(
        database,
        [
            (
                "SELECT (SELECT COUNT(*) FROM pulse_receipt WHERE round_id = %(r)s), "
                "(SELECT COUNT(DISTINCT person_id) FROM pulse_receipt WHERE round_id = %(r)s), "
                "(SELECT COUNT(*) FROM pulse_response WHERE round_id = %(r)s), "
                "(SELECT COUNT(*) FROM pulse_answer a JOIN pulse_response r "
                "ON r.id = a.response_id WHERE r.round_id = %(r)s)",
                {"r": round_pk},
            )
        ],
    )
    return {"receipts": receipts, "people": people, "responses": responses, "answers": answers}


# ---------------------------------------------------------------- the runs


@dataclass(frozen=True)
class Checked:
    run: Run
    stored: dict

    @property
    def consistent(self) -> bool:
        served = self.run.served_201
        return (
            self.stored["receipts"] == self.stored["responses"] == served == (self.stored["people"])
        )


def floor_tokens(count: int) -> str:
    """Tokens for the floor's submit: unique strings, more than any run can send."""
    path = WORK_DIR / "floor-tokens.txt"
    path.write_text("".join(f"floor-{i}\n" for i in range(count)))
    return str(path)


def measure(server: Server, prepared: dict, database: str) -> tuple[list[Run], list[Checked]]:
    """The GET pairs, then the submit pairs, alternating floor and Hearth."""
    tokens, floor = prepared["tokens_file"], floor_tokens(200_000)
    gets: list[Run] = []
    for i in range(PAIRS):
        gets.append(server.load(f"floor-{i}", "GET", "/bench/floor/", tokens))
        gets.append(server.load(f"healthz-{i}", "GET", "/healthz", tokens))
    submits: list[Checked] = []
    for i in range(PAIRS):
        reset(database, prepared["round"])
        floor_run = server.load(f"floor-submit-{i}", "POST", FLOOR_SUBMIT, floor)
        submits.append(Checked(floor_run, {}))
        reset(database, prepared["round"])
        run = server.load(f"submit-{i}", "POST", SUBMIT, tokens)
        submits.append(Checked(run, stored(database, prepared["round"])))
    return gets, submits


def ratios(runs: list[Run]) -> list[float]:
    """Each second run's rate over the one before it (Hearth over the floor)."""
    return [b.rate / a.rate if a.rate else 0.0 for a, b in zip(runs[::2], runs[1::2], strict=True)]


def spread(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.2f}" if values else "n/a"
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return f"{statistics.median(values):.2f} (IQR {low:.2f}-{high:.2f})"


HEADERS = ["run", "ok/s", "p50 ms", "p95 ms", "p99 ms", "201", "409", "other", "stored ok?"]


def submissions(wrk: str, prepared: dict, *, database: str) -> Section:
    with Server(wrk, database, prepared).running() as server:
        gets, submits = measure(server, prepared, database)
    rows = [run_row(run, None) for run in gets]
    rows += [run_row(c.run, c if c.stored else None) for c in submits]
    submit_ratios = ratios([c.run for c in submits])
    healthz_ratios = ratios(gets)
    hearth = [c.run for c in submits if c.stored]
    p95 = statistics.median(run.ms(95) for run in hearth)
    notes = [
        f"gunicorn {GUNICORN_WORKERS} sync workers, wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} "
        f"-d{WRK_SECONDS}s per run, alternating; ok/s counts 200s (GET) or 201s (POST); "
        f"{prepared['tokens']:,} people with a token, round of {prepared['items']} items",
        f"submit: Hearth/floor {spread(submit_ratios)}, target at least {TARGET_RATIO}; "
        f"Hearth's median p95 {p95:.1f} ms (target under {TARGET_P95_MS:.0f})",
        f"/healthz: Hearth/floor's bare view {spread(healthz_ratios)}",
        f"logs in {WORK_DIR.relative_to(BASE_DIR)}/",
    ]
    problems = [p for c in submits if c.stored for p in run_problems(c, prepared)]
    if statistics.median(submit_ratios) < TARGET_RATIO:
        problems.append(
            f"pulse submissions: Hearth answers {spread(submit_ratios)} of the floor's "
            f"submit (target {TARGET_RATIO})"
        )
    if p95 >= TARGET_P95_MS:
        problems.append(f"pulse submissions: p95 {p95:.1f} ms (target {TARGET_P95_MS:.0f})")
    if statistics.median(healthz_ratios) < HEALTHZ_TARGET_RATIO:
        problems.append(
            f"/healthz answers {spread(healthz_ratios)} of a bare view "
            f"(target {HEALTHZ_TARGET_RATIO})"
        )
    return HEADERS, rows, notes, problems


def run_row(run: Run, checked: Checked | None) -> list[str]:
    others = {s: n for s, n in run.statuses.items() if s not in (200, 201, 409)}
    return [
        f"{run.label} {run.path}",
        f"{run.rate:.0f}",
        f"{run.ms(50):.1f}",
        f"{run.ms(95):.1f}",
        f"{run.ms(99):.1f}",
        f"{run.statuses.get(201, 0):,}",
        f"{run.statuses.get(409, 0):,}",
        ", ".join(f"{n} x {s}" for s, n in sorted(others.items())) or "0",
        "" if checked is None else ("yes" if checked.consistent else "NO"),
    ]


def run_problems(checked: Checked, prepared: dict) -> list[str]:
    run, held = checked.run, checked.stored
    problems = []
    if not checked.consistent:
        problems.append(
            f"pulse submissions ({run.label}): {run.served_201:,} 201s served, "
            f"{held['receipts']:,} receipts, {held['people']:,} people, "
            f"{held['responses']:,} responses"
        )
    if held["answers"] != run.served_201 * prepared["items"]:
        problems.append(
            f"pulse submissions ({run.label}): {held['answers']:,} answers for "
            f"{run.served_201:,} responses of {prepared['items']} items"
        )
    exhausted = run.result["issued"] > prepared["tokens"]
    if run.statuses.get(409) and not exhausted:
        problems.append(f"pulse submissions ({run.label}): 409s although no token was sent twice")
    if exhausted:
        problems.append(
            f"pulse submissions ({run.label}): the {prepared['tokens']:,} tokens ran out; "
            "seed more people so the rate is measured"
        )
    others = {s: n for s, n in run.statuses.items() if s not in (201, 409)}
    if others or run.result["socket_errors"]:
        problems.append(
            f"pulse submissions ({run.label}): statuses {others}, "
            f"{run.result['socket_errors']} socket errors"
        )
    return problems
