"""SQL bulk loaders the benchmarks share: a table filled with its indexes dropped and
rebuilt after, and a closed pulse round with its responses made inside PostgreSQL.

For throwaway PostgreSQL databases only (the bench's own): foreign-key triggers are off
while loading, the rows being consistent by construction.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.db.models import Max

from connection.models import Location, OrgSettings, Team
from connection.privacy import effective_k
from pulse.models import PulseSettings, Round, RoundQuestion
from pulse.services import choose_questions

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
        # A partitioned table's index reads "ON ONLY": made that way it would cover no
        # partition (connection_signal on PostgreSQL is partitioned by month).
        cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
    return rows, time.perf_counter() - started


def load_closed_round(
    *, items: int, opens_at: dt.datetime, closes_at: dt.datetime, responses: int
) -> Round:
    """A closed round of `items` questions with `responses` responses spread over the
    teams, tenure bands and locations, loaded in SQL (throwaway PostgreSQL only)."""
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
