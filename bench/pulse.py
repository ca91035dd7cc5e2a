"""Pulse benchmarks: submissions through gunicorn, queries per submission, aggregation.

A. Submissions (bench/pulse_submissions.py): a PostgreSQL database of its own
   (PG_DATABASE, dropped and created afresh every run, then migrated), PEOPLE
   people from seed_demo, one open round and an API token each. Gunicorn serves
   it with two sync workers while wrk POSTs /api/pulse/responses/ for WRK_SECONDS,
   alternating with the floor (bench/floor.py: a bare view and a minimal submit
   transaction) on the same server; the headline is Hearth's 201s a second over the
   floor's, at least 0.5. Afterwards receipts, responses and 201s must all be equal.
B. Queries per submission, in-process on the main bench database with
   django.test.Client: one POST /api/pulse/responses/ in a round of 5 items
   and one in a round of 8. The counts must be equal.
C. Aggregation: AGG_RESPONSES responses of AGG_ITEMS answers each, spread
   over the teams, tenure bands and locations, generated inside PostgreSQL,
   then aggregate_round() is timed. Cell respondents must add up.

A and C need PostgreSQL at 127.0.0.1:5432 (user postgres, no password); A
needs wrk too. Without them they print "skipped: <reason>". Steps that need
Django on PostgreSQL run as `python -m bench.step pulse <step> N` subprocesses
with DATABASE_URL set, since the bench process itself is on the main bench database.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import time
import traceback

from django.apps import apps
from django.db import connection, reset_queries
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bench.loaders import load_closed_round
from bench.measure import (
    PG_HOST,
    PG_PORT,
    Section,
    StepFailed,
    ensure_org,
    migrate,
    postgres_unavailable,
    print_section,
    recreate_database,
    seed_org,
    step,
    within,
)
from bench.pulse_submissions import WORK_DIR, submissions
from connection.models import Team, User
from pulse.models import Answer, CellAnswer, PulseSettings, Question, Round, RoundCell
from pulse.models import Response as PulseResponse
from pulse.services import aggregate_round, open_round, shuffle_round_rows

PG_DATABASE = "hearth_bench_pulse"

PEOPLE = 10_000
ITEM_COUNTS = (5, 8)
AGG_RESPONSES = 500_000
RESPONSES_PER_PERSON = 50  # a smaller --people aggregates fewer: as many a person
AGG_ITEMS = 6
AGG_TARGET_SECONDS = 30.0
AGG_LIMIT_SECONDS = 150.0  # cancelled past this, to keep `make bench` near six minutes
SHUFFLE_LIMIT_SECONDS = 300.0


# ---------------------------------------------------------------- entry point


def run(people: int) -> list[str]:
    """Run B, then A and C on PostgreSQL; print their tables and return problems found."""
    problems = in_process()
    print(flush=True)
    print(f"Pulse on PostgreSQL ({PG_HOST}:{PG_PORT}/{PG_DATABASE})", flush=True)
    return problems + on_postgres(
        submitters=min(PEOPLE, people),
        responses=min(AGG_RESPONSES, RESPONSES_PER_PERSON * people),
    )


def in_process() -> list[str]:
    print("Pulse: queries per submission (POST /api/pulse/responses/, token auth)", flush=True)
    try:
        return print_section(queries_per_submission())
    except Exception as error:  # reported, and the PostgreSQL benches still run
        traceback.print_exc()
        print(f"  failed: {type(error).__name__}: {error}")
        return [f"pulse queries per submission: {type(error).__name__}: {error}"]


def on_postgres(*, submitters: int, responses: int) -> list[str]:
    reason = postgres_unavailable()
    if reason:
        print(f"  submissions through gunicorn: skipped: {reason}")
        print(f"  aggregation of {responses:,} responses: skipped: {reason}")
        return []
    try:
        prepared = prepare_database(submitters)
    except StepFailed as error:
        print(f"  submissions through gunicorn: skipped: {error}")
        print(f"  aggregation of {responses:,} responses: skipped: {error}")
        return [f"pulse bench setup failed: {error}"]
    print(
        f"  fresh database migrated in {prepared['migrate_s']:.1f} s; seed_demo --people "
        f"{prepared['people']:,} in {prepared['seed_s']:.1f} s; round {prepared['number']} open "
        f"with {prepared['items']} items; {prepared['tokens']:,} API tokens",
        flush=True,
    )

    problems: list[str] = []
    print(flush=True)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("Pulse submissions through gunicorn: skipped: wrk not found on PATH")
    else:
        try:
            problems += print_section(submissions(wrk, prepared, database=PG_DATABASE))
        except StepFailed as error:
            print(f"Pulse submissions through gunicorn: failed: {error}")
            problems.append(f"pulse submissions: bench step failed: {error}")

    print(flush=True)
    try:
        problems += print_section(aggregation(responses))
    except StepFailed as error:
        print(f"Pulse aggregation: failed: {error}")
        problems.append(f"pulse aggregation: bench step failed: {error}")
    return problems


# ---------------------------------------------------------------- B: queries per submission


def ensure_question_bank() -> None:
    """The main bench flushes its database, which empties the question bank; put it back."""
    if not Question.objects.exists():
        importlib.import_module("pulse.migrations.0002_question_bank").add_bank(apps, None)


def queries_per_submission() -> Section:
    ensure_question_bank()
    ensure_org(150)  # run alone (`python -m bench pulse`), the bench database is empty
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


def prepare_database(people: int) -> dict:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    recreate_database(PG_DATABASE)
    migrate_s = migrate(PG_DATABASE)
    prepared = step("pulse", "prepare", people, timeout=180, database=PG_DATABASE)
    return prepared | {"migrate_s": migrate_s}


# ---------------------------------------------------------------- C: aggregation


AGGREGATION_HEADERS = [
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


def aggregation(responses: int) -> Section:
    result = step(
        "pulse",
        "aggregate",
        responses,
        timeout=AGG_LIMIT_SECONDS + SHUFFLE_LIMIT_SECONDS + 120,
        database=PG_DATABASE,
    )
    finished = result["finished"]
    met = finished and result["aggregate_s"] < AGG_TARGET_SECONDS
    adds_up = result["respondents"] == responses and result["cell_answers"] == result["answers"]
    row = [
        f"{result['responses']:,}",
        f"{result['answers']:,}",
        f"{result['load_s']:.1f}",
        f"{result['aggregate_s']:.1f}" if finished else f"> {AGG_LIMIT_SECONDS:.0f}",
        f"{result['cells']:,}",
        f"{result['shuffle_s']:.1f}" if result["shuffle_s"] is not None else "n/a",
        f"{result['respondents']:,}",
        "yes" if adds_up else "NO",
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
    return AGGREGATION_HEADERS, [row], notes, aggregation_problems(result, responses, slowest)


def aggregation_problems(result: dict, responses: int, slowest: str) -> list[str]:
    if not result["finished"]:
        return [
            f"pulse aggregation: aggregate_round() unfinished after {AGG_LIMIT_SECONDS:.0f} s "
            f"for {responses:,} responses (target {AGG_TARGET_SECONDS:.0f} s); "
            f"slowest: {slowest}"
        ]
    problems = []
    if result["respondents"] != responses:
        problems.append(
            f"pulse aggregation: cells count {result['respondents']:,} respondents for "
            f"{responses:,} responses"
        )
    if result["cell_answers"] != result["answers"]:
        problems.append(
            f"pulse aggregation: item stats count {result['cell_answers']:,} answers for "
            f"{result['answers']:,}"
        )
    if result["aggregate_s"] >= AGG_TARGET_SECONDS:
        problems.append(
            f"pulse aggregation: {result['aggregate_s']:.1f} s for {responses:,} responses "
            f"(target {AGG_TARGET_SECONDS:.0f} s); slowest: {slowest}"
        )
    return problems


# ---------------------------------------------------------------- subprocess steps


def step_prepare(people: int) -> dict:
    """Seed the org, open a round, give everyone an API token; files for wrk."""
    seed_s = seed_org(people)
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


def step_aggregate(responses: int) -> dict:
    """A closed round of `responses` responses, loaded in SQL, then aggregate_round() timed."""
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

    with CaptureQueriesContext(connection) as queries:
        finished, cells, aggregate_s = within(
            AGG_LIMIT_SECONDS, lambda: aggregate_round(round_=round_)
        )
    timed = sorted(
        ({"s": float(q["time"]), "sql": " ".join(q["sql"].split())[:70]} for q in queries),
        key=lambda q: -q["s"],
    )
    # The privacy rewrite that follows closing (rows shuffled so receipts can't be
    # lined up with answers) runs in the worker after the snapshot; timed apart.
    shuffle_s = None
    if finished:
        shuffled, _, seconds = within(
            SHUFFLE_LIMIT_SECONDS, lambda: shuffle_round_rows(round_=round_)
        )
        shuffle_s = seconds if shuffled else None
    cell_answers = CellAnswer.objects.filter(cell__round=round_).aggregate(n=Sum("answers"))
    return {
        "shuffle_s": shuffle_s,
        "responses": PulseResponse.objects.filter(round=round_).count(),
        "answers": Answer.objects.filter(response__round=round_).count(),
        "teams": Team.objects.count(),
        "load_s": load_s,
        "aggregate_s": aggregate_s,
        "finished": finished,
        "cells": cells if finished else 0,
        "respondents": RoundCell.objects.filter(round=round_).aggregate(n=Sum("respondents"))["n"]
        or 0,
        "cell_answers": cell_answers["n"] or 0,
        "queries": len(queries),
        "sql_s": sum(q["s"] for q in timed),
        "slowest": timed[:3],
    }


# `python -m bench.step pulse <step> N` runs one of these on the database in DATABASE_URL.
STEPS = {"prepare": step_prepare, "aggregate": step_aggregate}
