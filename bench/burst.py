"""The Monday 09:00 burst: Locust, headless, against gunicorn on PostgreSQL.

A PostgreSQL database of its own (PG_DATABASE) is migrated and seeded with PEOPLE
people; a pulse round opens, every invitation is made due at once (everyone's
Monday morning), and each person gets a signed-in session. Then, for each shape:

- one gunicorn with 4 sync workers;
- two gunicorns with 4 sync workers each behind nginx (from the system packages),
  on the same database: the shape of two web machines behind a load balancer;

Locust (bench/locustfile.py) runs CROWDS of growing numbers of simulated people,
STEP_SECONDS each, while a delivery process sends the invitations through the
outbox as the worker does. Nine in ten users are employees, who open the
invitation, answer and look at their home page; one in ten are managers reading
their dashboard and pulse results. Each step reports requests a second and
p50/p95/p99 per endpoint, and errors (must be 0); the step where the rate stops
growing while p95 climbs is where it saturates. Answers are emptied between steps,
so every step's people answer afresh.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from bench.measure import (
    BASE_DIR,
    PG_HOST,
    PG_PORT,
    RESULT,
    Section,
    StepFailed,
    migrate,
    pg_env,
    postgres_unavailable,
    print_section,
    recreate_database,
    seed_org,
    step,
)
from bench.pulse_submissions import execute, free_port, wait_healthy
from connection.models import Nudge, User
from connection.nudges import DeliveryReport, deliver_due_nudges
from pulse.services import open_round

PG_DATABASE = "hearth_bench_burst"
WORK_DIR = BASE_DIR / "var" / "bench" / "burst"
PEOPLE = 10_000
MANAGERS = 200
CROWDS = (50, 100, 200, 400)
STEP_SECONDS = 30
GUNICORN = Path(sys.executable).parent / "gunicorn"
LOCUST = Path(sys.executable).parent / "locust"
WORKERS = 4
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
NGINX_CONF = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    upstream hearth {{
        {servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://hearth;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""


def run(people: int) -> list[str]:
    print(f"Monday burst on PostgreSQL ({PG_HOST}:{PG_PORT}/{PG_DATABASE})", flush=True)
    missing = postgres_unavailable() or (
        None if LOCUST.exists() else f"{LOCUST} not found (pip install -e '.[dev]')"
    )
    if missing:
        print(f"  skipped: {missing}")
        return []
    try:
        prepared = prepare(min(people, PEOPLE))
    except StepFailed as error:
        print(f"  skipped: {error}")
        return [f"burst: setup failed: {error}"]
    print(
        f"  {prepared['people']:,} people seeded in {prepared['seed_s']:.0f} s; round "
        f"{prepared['round']} open; {prepared['invitations']:,} invitations due now",
        flush=True,
    )
    problems: list[str] = []
    shapes = [("1 x gunicorn (4 workers)", 1)]
    if shutil.which("nginx"):
        shapes.append(("2 x gunicorn (4 workers) behind nginx", 2))
    else:
        print("  two web processes: skipped: nginx not found (apt-get install nginx)")
    for label, processes in shapes:
        print(flush=True)
        print(f"Burst: {label}", flush=True)
        try:
            problems += print_section(burst(label, processes, prepared))
        except StepFailed as error:
            print(f"  failed: {error}")
            problems.append(f"burst ({label}): {error}")
    return problems


def prepare(people: int) -> dict:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    recreate_database(PG_DATABASE)
    migrate(PG_DATABASE)
    return step("burst", "prepare", people, timeout=900, database=PG_DATABASE)


@contextmanager
def web(processes: int):
    """`processes` gunicorns (and nginx in front of two); the URL to load."""
    env = pg_env(PG_DATABASE)  # DEBUG off, as in production (prepare ran collectstatic)
    with ExitStack() as stack:
        ports = []
        for i in range(processes):
            port = free_port()
            log = stack.enter_context((WORK_DIR / f"gunicorn-{i}.log").open("w"))
            server = subprocess.Popen(
                [str(GUNICORN), "connection.wsgi", "--bind", f"127.0.0.1:{port}"]
                + ["--workers", str(WORKERS), "--timeout", "60"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(stop, server)
            wait_healthy(f"http://127.0.0.1:{port}", server)
            ports.append(port)
        if processes == 1:
            yield f"http://127.0.0.1:{ports[0]}"
            return
        yield stack.enter_context(balancer(ports))


@contextmanager
def balancer(ports: list[int]):
    port = free_port()
    conf = WORK_DIR / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            work=WORK_DIR,
            port=port,
            servers="\n        ".join(f"server 127.0.0.1:{p};" for p in ports),
        )
    )
    nginx = subprocess.Popen(
        [shutil.which("nginx"), "-c", str(conf), "-p", str(WORK_DIR), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", nginx)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(nginx)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def reset_answers(round_pk: int) -> None:
    """No one has answered yet."""
    execute(
        PG_DATABASE,
        [
            (
                "DELETE FROM pulse_answer WHERE response_id IN "
                "(SELECT id FROM pulse_response WHERE round_id = %s)",
                [round_pk],
            ),
            ("DELETE FROM pulse_response WHERE round_id = %s", [round_pk]),
            ("DELETE FROM pulse_receipt WHERE round_id = %s", [round_pk]),
        ],
    )


def reset_invitations() -> None:
    """Every invitation due again, unsent: each shape's delivery starts alike."""
    execute(
        PG_DATABASE,
        [
            (
                "UPDATE connection_nudge SET status = 'pending', attempts = 0, "
                "claimed_at = NULL, claim_token = '', sent_at = NULL, read_at = NULL, "
                "due_at = now() WHERE kind = 'pulse_invite'",
                [],
            )
        ],
    )


def locust(base: str, users: int, prepared: dict, name: str) -> dict[str, dict]:
    """One step: `users` simulated people for STEP_SECONDS; Locust's stats by endpoint."""
    prefix = WORK_DIR / name
    env = dict(pg_env(PG_DATABASE))
    env.update(BURST_EMPLOYEES=prepared["employees"], BURST_MANAGERS=prepared["managers"])
    command = [
        str(LOCUST),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base,
        "-u",
        str(users),
        "-r",
        str(max(1, users // 5)),
        "-t",
        f"{STEP_SECONDS}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
    ]
    with (WORK_DIR / f"{name}.log").open("w") as log:
        done = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=300)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise StepFailed(f"locust exited {done.returncode} without stats (see {name}.log)")
    with stats.open() as file:
        return {row["Name"]: row for row in csv.DictReader(file)}


def burst(label: str, processes: int, prepared: dict) -> Section:
    rows, problems, totals = [], [], []
    reset_invitations()
    with web(processes) as base:
        deliver_for = str(STEP_SECONDS * len(CROWDS))
        delivery = subprocess.Popen(
            [sys.executable, "-m", "bench.step", "burst", "deliver", deliver_for],
            cwd=BASE_DIR,
            env=pg_env(PG_DATABASE)
            | {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for users in CROWDS:
            reset_answers(prepared["round"])
            stats = locust(base, users, prepared, f"{processes}web-{users}users")
            aggregated = stats.pop("Aggregated")
            totals.append((users, float(aggregated["Requests/s"])))
            rows.append(step_row(users, "all", aggregated))
            rows += [step_row(users, name, row) for name, row in sorted(stats.items())]
            failures = int(aggregated["Failure Count"])
            if failures:
                problems.append(f"burst ({label}, {users} users): {failures} failed requests")
        output = delivery.communicate(timeout=600)[0]
    delivered = [line for line in output.splitlines() if line.startswith(RESULT)]
    sent = json.loads(delivered[-1][len(RESULT) :]) if delivered else None
    notes = [
        f"Locust: {', '.join(map(str, CROWDS))} simulated people, {STEP_SECONDS} s each, "
        "9 employees to 1 manager, 0.5-3 s between clicks; ms from Locust",
        f"saturation: {saturation(totals)}",
        (
            f"delivery meanwhile (one process, the worker's task in a loop, its clock at "
            f"{sent['at'][:16]} UTC): {sent['sent']:,} invitations sent, {sent['skipped']:,} "
            f"skipped (already answered, or the person's rules), {sent['rescheduled']:,} "
            f"moved to the person's working hours, in {sent['seconds']:.0f} s; "
            f"{sent['due']:,} still due"
            if sent
            else f"delivery meanwhile: failed ({output.strip()[-200:]})"
        ),
        f"logs and Locust's CSVs in {WORK_DIR.relative_to(BASE_DIR)}/",
    ]
    headers = ["users", "endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
    return headers, rows, notes, problems


def step_row(users: int, name: str, row: dict) -> list[str]:
    return [
        str(users),
        name,
        f"{int(row['Request Count']):,}",
        f"{float(row['Requests/s']):.1f}",
        row["50%"],
        row["95%"],
        row["99%"],
        row["Failure Count"],
    ]


def saturation(totals: list[tuple[int, float]]) -> str:
    """The first step whose users grew by half or more while the rate grew under 10%."""
    for (users, rate), (more, next_rate) in zip(totals, totals[1:], strict=False):
        if next_rate < rate * 1.1:
            return f"at about {rate:.0f} requests/s: {users} -> {more} people added no throughput"
    users, rate = totals[-1]
    return f"not reached: {rate:.0f} requests/s at {users} people, still growing"


# ---------------------------------------------------------------- steps (in a subprocess)


def step_prepare(people: int) -> dict:
    """Seed, open a round with every invitation due now, and a session for everyone."""
    call_command("collectstatic", interactive=False, verbosity=0)
    seed_s = seed_org(people)
    round_ = open_round()
    if round_ is None:
        raise RuntimeError("open_round() opened no round")
    now = timezone.now()
    invitations = Nudge.objects.filter(kind="pulse_invite").update(due_at=now)
    managers = list(User.objects.filter(is_active=True, managed_teams__isnull=False).distinct())
    employees = list(User.objects.filter(is_active=True, managed_teams__isnull=True))
    expires = now + dt.timedelta(days=1)
    keys = {}
    sessions = []
    for person in [*managers[:MANAGERS], *employees]:
        store = SessionStore()
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(person.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: person.get_session_auth_hash(),
        }
        encoded = store.encode(data)
        sessions.append(Session(session_key=key, session_data=encoded, expire_date=expires))
        keys[person.pk] = key
    Session.objects.bulk_create(sessions, batch_size=2000)
    files = {}
    for name, group in (("employees", employees), ("managers", managers[:MANAGERS])):
        path = WORK_DIR / f"{name}.txt"
        path.write_text("".join(f"{keys[person.pk]}\n" for person in group))
        files[name] = str(path)
    return {
        "people": people,
        "seed_s": seed_s,
        "round": round_.pk,
        "invitations": invitations,
        **files,
    }


def working_noon(now: dt.datetime) -> dt.datetime:
    """The next weekday 12:30 UTC from `now`: Monday to Friday office hours in Lisbon
    and Berlin and the end of them in Kolkata, never the weekend. Delivery follows
    each person's working hours, so on a Saturday the real clock would only move
    every invitation to Monday."""
    at = now.astimezone(dt.UTC).replace(hour=12, minute=30, second=0, microsecond=0)
    if at < now:
        at += dt.timedelta(days=1)
    while at.isoweekday() > 5:
        at += dt.timedelta(days=1)
    return at


def step_deliver(seconds: int) -> dict:
    """The worker's outbox task in a loop until nothing is due or `seconds` pass, on
    the clock of a working day (working_noon) that runs as fast as the real one."""
    started = time.perf_counter()
    at = working_noon(timezone.now())
    report = DeliveryReport()
    while time.perf_counter() - started < seconds:
        now = at + dt.timedelta(seconds=time.perf_counter() - started)
        batch = deliver_due_nudges(now=now, max_batches=5)
        report.add(batch)
        if not batch.claimed:
            break
    due = Nudge.objects.filter(status=Nudge.Status.PENDING, due_at__lte=now).count()
    return {
        "at": at.isoformat(),
        "sent": report.sent,
        "skipped": report.skipped,
        "rescheduled": report.rescheduled,
        "seconds": time.perf_counter() - started,
        "due": due,
    }


STEPS = {"prepare": step_prepare, "deliver": step_deliver}
