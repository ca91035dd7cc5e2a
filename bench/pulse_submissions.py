"""Pulse submissions through gunicorn and wrk (part A of bench/pulse.py).

Gunicorn serves the pulse bench's PostgreSQL database with four sync workers while
wrk POSTs /api/pulse/responses/ for WRK_SECONDS, every request with the next
person's token (bench/submit.lua). Each person can answer once, so 201s and other
statuses are counted apart; the headline is 201s a second. Afterwards receipts,
responses and 201s must all be equal.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.measure import BASE_DIR, Section, StepFailed, pg_env, step
from pulse.models import Answer, Receipt
from pulse.models import Response as PulseResponse

WORK_DIR = BASE_DIR / "var" / "bench" / "pulse"
GUNICORN = Path(sys.executable).parent / "gunicorn"
GUNICORN_WORKERS = 4
WRK_SECONDS = 10
WRK_THREADS = 2
WRK_CONNECTIONS = 8
# The wrk script: every request with the next token, statuses counted, a summary line.
WRK_SCRIPT = Path(__file__).with_name("submit.lua")


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


def run_wrk(wrk: str, base: str, prepared: dict) -> dict:
    command = [
        wrk,
        "--latency",
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{WRK_SECONDS}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
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


def load_through_gunicorn(wrk: str, prepared: dict, database: str) -> tuple[dict, int]:
    """wrk's summary, and the 201s the server's access log shows it sent."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    access_log = WORK_DIR / "access.log"
    access_log.unlink(missing_ok=True)
    with (WORK_DIR / "gunicorn.log").open("w") as log_file:
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
            env=pg_env(database),
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
    served = [
        line.split()[0]
        for line in access_log.read_text().splitlines()
        if line.endswith(" /api/pulse/responses/")
    ]
    return result, served.count("201")


@dataclass(frozen=True)
class Submitted:
    result: dict  # wrk's summary (done() in bench/submit.lua)
    checked: dict  # the database's counts afterwards (step_verify)
    prepared: dict  # the org and round (step_prepare)
    served_201: int  # from the server's access log

    @property
    def statuses(self) -> dict[int, int]:
        return {int(s): n for s, n in self.result["statuses"].items()}

    @property
    def created(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def conflicts(self) -> int:
        return self.statuses.get(409, 0)

    @property
    def others(self) -> dict[int, int]:
        return {s: n for s, n in self.statuses.items() if s not in (201, 409)}

    @property
    def seconds(self) -> float:
        return self.result["duration_us"] / 1e6

    @property
    def exhausted(self) -> bool:
        return self.result["issued"] > self.prepared["tokens"]

    @property
    def in_flight(self) -> int:
        # wrk stops counting at the deadline with up to one request per connection
        # in flight; the server finishes those, so the checks use its log.
        return self.served_201 - self.created

    @property
    def consistent(self) -> bool:
        return self.checked["receipts"] == self.checked["responses"] == self.served_201

    @property
    def answers_ok(self) -> bool:
        return self.checked["answers"] == self.served_201 * self.prepared["items"]


SUBMISSION_HEADERS = [
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


def submissions(wrk: str, prepared: dict, *, database: str) -> Section:
    result, served_201 = load_through_gunicorn(wrk, prepared, database)
    checked = step("pulse_submissions", "verify", prepared["round"], timeout=120, database=database)
    done = Submitted(result, checked, prepared, served_201)
    seconds = done.seconds
    row = [
        f"gunicorn {GUNICORN_WORKERS} workers",
        f"{done.created / seconds if seconds else 0.0:.1f}",
        f"{result['requests'] / seconds:.1f}" if seconds else "0",
        f"{result['p95_us'] / 1000:.1f}",
        f"{result['p99_us'] / 1000:.1f}",
        f"{done.created:,}",
        f"{done.conflicts:,}",
        ", ".join(f"{n} x {s}" for s, n in sorted(done.others.items())) or "0",
        f"{served_201:,}",
        f"{checked['receipts']:,}",
        f"{checked['responses']:,}",
        "yes" if done.consistent and done.answers_ok else "NO",
    ]
    notes = [
        f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s for {seconds:.1f} s, each "
        f"request with the next of {prepared['tokens']:,} tokens ({result['issued']:,} sent"
        f"{', list exhausted: repeats get 409' if done.exhausted else ', none twice'}); "
        f"latency over all requests: p50 {result['p50_us'] / 1000:.1f} ms, "
        f"p90 {result['p90_us'] / 1000:.1f} ms, p95 from latency:percentile(95)",
        f"{checked['answers']:,} answers stored ({prepared['items']} per response); "
        f"{checked['people']:,} distinct people in receipts; {done.in_flight} 201s were in "
        f"flight when wrk stopped; logs in {WORK_DIR.relative_to(BASE_DIR)}/",
    ]
    return SUBMISSION_HEADERS, [row], notes, submission_problems(done)


def submission_problems(done: Submitted) -> list[str]:
    checked, served_201 = done.checked, done.served_201
    problems = []
    if not done.consistent:
        problems.append(
            f"pulse submissions: {served_201:,} 201s served but {checked['receipts']:,} receipts "
            f"and {checked['responses']:,} responses"
        )
    if not done.answers_ok:
        problems.append(
            f"pulse submissions: {checked['answers']:,} answers for {served_201:,} responses of "
            f"{done.prepared['items']} items"
        )
    if not 0 <= done.in_flight <= WRK_CONNECTIONS:
        problems.append(
            f"pulse submissions: wrk counted {done.created:,} 201s, the server sent {served_201:,}"
        )
    if checked["people"] != checked["receipts"]:
        problems.append("pulse submissions: someone has two receipts for one round")
    if done.others:
        problems.append(f"pulse submissions: unexpected statuses {done.others}")
    if done.conflicts and not done.exhausted:
        problems.append(
            f"pulse submissions: {done.conflicts} 409s although no token was sent twice"
        )
    if done.result["socket_errors"]:
        problems.append(f"pulse submissions: {done.result['socket_errors']} socket errors in wrk")
    return problems


def step_verify(round_pk: int) -> dict:
    """What the database holds for the round: receipts, people, responses, answers."""
    receipts = Receipt.objects.filter(round_id=round_pk)
    return {
        "receipts": receipts.count(),
        "people": receipts.values("person_id").distinct().count(),
        "responses": PulseResponse.objects.filter(round_id=round_pk).count(),
        "answers": Answer.objects.filter(response__round_id=round_pk).count(),
    }


# `python -m bench.step pulse_submissions verify N` runs this on the database in DATABASE_URL.
STEPS = {"verify": step_verify}
