"""Rows written fast, for the benchmarks' own databases: each given the next id, then a
plain INSERT over many parameter sets (Django's `bulk_create` costs about twice as
much, and the largest org has a few hundred thousand rows)."""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

BATCH = 2000


def insert(model, rows) -> list:
    """Insert the unsaved `rows` (instances of `model`, integer ids); the rows, their
    ids set."""
    rows = list(rows)
    if not rows:
        return rows
    first = (model.objects.aggregate(n=Max("pk"))["n"] or 0) + 1
    for offset, row in enumerate(rows):
        row.pk = first + offset
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    tuple(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields)
                    for row in rows[start : start + BATCH]
                ],
            )
    return rows


def reset_sequences(models) -> None:
    """PostgreSQL's sequences past the ids given by `insert` (SQLite needs nothing)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
