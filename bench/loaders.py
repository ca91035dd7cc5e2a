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


# ---------------------------------------------------------------- pulse history

# Each round's respondents, made once: about 76-92 % of each team (a rate a team),
# everyone's tenure band on the day the round opened, and a score around their
# team's level plus their own offset plus noise (as insights/demo/pulse.py draws
# them). Receipts, responses and answers are all made from this one table, so what
# the snapshot counts and who the receipts name agree, as they do after real rounds.
NORMAL = "sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())"

ANSWERED_SQL = f"""
CREATE TEMP TABLE bench_answered ON COMMIT DROP AS
SELECT r.round_id, p.id AS person_id, p.team_id,
       CASE WHEN p.start_date IS NULL THEN 'unknown'
            WHEN r.opens - p.start_date < 91 THEN '0-3m'
            WHEN r.opens - p.start_date < 365 THEN '3-12m'
            WHEN r.opens - p.start_date < 3 * 365 THEN '1-3y'
            ELSE '3y+' END AS tenure_band,
       p.location, t.level + p.offset + 5 * {NORMAL} AS score,
       gen_random_uuid() AS response_id
FROM bench_rounds r
JOIN (SELECT id, team_id, start_date, location, 7 * {NORMAL} AS offset
      FROM connection_user WHERE is_active AND team_id IS NOT NULL) p
  ON p.start_date IS NULL OR p.start_date <= r.opens
JOIN (SELECT id, 60 + 20 * random() AS level, 0.76 + 0.16 * random() AS rate
      FROM connection_team) t ON t.id = p.team_id
WHERE random() < t.rate
"""

# Receipts and responses each in an order of their own: nothing lines them up.
HISTORY_SQL = {
    "pulse_receipt": """
INSERT INTO pulse_receipt (id, person_id, round_id, team_id, tenure_band, location)
SELECT gen_random_uuid(), person_id, round_id, team_id, tenure_band, location
FROM bench_answered ORDER BY random()
""",
    "pulse_response": """
INSERT INTO pulse_response (id, round_id, team_id, tenure_band, location, comment)
SELECT response_id, round_id, team_id, tenure_band, location, ''
FROM bench_answered ORDER BY random()
""",
    # Items 1-5 around the score, eNPS 0-10 (insights/demo/pulse.py's _answers).
    "pulse_answer": f"""
INSERT INTO pulse_answer (id, response_id, question_id, value)
SELECT gen_random_uuid(), a.response_id, q.id,
       CASE WHEN q.dimension = 'enps'
            THEN LEAST(10, GREATEST(0, round(a.score / 10 + 0.8 + 1.3 * {NORMAL})))::int
            ELSE LEAST(5, GREATEST(1, round(1 + (a.score + 12 * {NORMAL}) / 25)))::int END
FROM bench_answered a
JOIN pulse_roundquestion rq ON rq.round_id = a.round_id
JOIN pulse_question q ON q.id = rq.question_id
""",
}


def load_pulse_history(
    *, rounds: int, items: int, latest_opens: dt.datetime, latest_closes: dt.datetime
) -> list[Round]:
    """`rounds` weekly rounds of `items` questions, the latest open from
    `latest_opens` to `latest_closes` (the others four days each), each answered by
    most of every team, loaded in SQL (throwaway PostgreSQL only). All are left
    closed, not yet reported, oldest first; the caller reports those it needs
    (aggregate_round), as the pulse tick would."""
    config = PulseSettings.load()
    config.items_per_round = items
    config.save(update_fields=["items_per_round"])
    org = OrgSettings.load()
    k = effective_k(org.min_group_size)
    first = (Round.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    with transaction.atomic():
        made = []
        for i in range(rounds):
            opens = latest_opens - dt.timedelta(weeks=rounds - 1 - i)
            made.append(
                Round.objects.create(
                    number=first + i,
                    opens_at=opens,
                    closes_at=latest_closes if i == rounds - 1 else opens + dt.timedelta(days=4),
                    status=Round.Status.CLOSED,
                    min_group_size=k,
                    comment_threshold=max(org.comment_threshold, k),
                    rows_shuffled=True,  # made in random order already
                )
            )
            questions = choose_questions(first + i, items)
            RoundQuestion.objects.bulk_create(
                RoundQuestion(round=made[-1], question=q, position=p)
                for p, q in enumerate(questions)
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_rounds ON COMMIT DROP AS "
                "SELECT id AS round_id, opens_at::date AS opens FROM pulse_round "
                "WHERE id = ANY(%s)",
                [[r.pk for r in made]],
            )
            cursor.execute(ANSWERED_SQL)
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, sql in HISTORY_SQL.items():
                if table == "pulse_response":  # its key is the answers' foreign key
                    cursor.execute(sql)
                else:
                    bulk_load(cursor, table, [(sql, {})])
    return made
