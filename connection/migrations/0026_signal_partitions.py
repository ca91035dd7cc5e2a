"""The signal ledger partitioned by month on PostgreSQL (docs/scaling.md, "Signal ledger
partitions"); SQLite keeps its plain table and nothing changes for Django's state.

connection_signal becomes PARTITION BY RANGE (occurred_at): a partition a month (from
13 months back, or the oldest row's month, to connection/lifecycle/partitions.py's
AHEAD months on) and a DEFAULT. Existing rows move in. What PostgreSQL asks of a
partitioned table:

- the primary key includes the partition column: (id, occurred_at); Django still
  treats `id` as the key, fed by a sequence (identity columns need PostgreSQL 17 there);
- no unique index without the partition column, so `source` is no longer UNIQUE: a
  BEFORE INSERT trigger skips a row whose source is recorded already, which is what
  record_signals' INSERT ... ON CONFLICT DO NOTHING relied on. It takes one of 256
  advisory locks (by the source's hash) until commit, so two transactions writing the
  same source take turns and the second sees the first's row;
- the foreign keys and the other indexes are recreated on the parent, under the same
  names, and every partition gets them.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

from connection.lifecycle.partitions import ensure_partitions, is_partitioned

TABLE = "connection_signal"
OLD = "connection_signal_unpartitioned"
BACK = dt.timedelta(days=396)  # the default signal window: months the ledger may hold

FOREIGN_KEYS_SQL = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
"""

# Indexes that back no constraint (the primary key and source's UNIQUE are remade).
INDEXES_SQL = """
SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
WHERE i.indrelid = %s::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""

ONCE_SQL = """
CREATE FUNCTION connection_signal_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Same source, same lock: a second writer waits for the first to commit, then
    -- sees its row (READ COMMITTED). 256 locks at most, even for a bulk insert.
    PERFORM pg_advisory_xact_lock(hashtext('connection_signal.source'),
                                  hashtext(NEW.source) & 255);
    IF EXISTS (SELECT 1 FROM connection_signal
               WHERE source = NEW.source AND id <> NEW.id) THEN
        RETURN NULL;  -- recorded already: skipped, as ON CONFLICT DO NOTHING did
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER connection_signal_once BEFORE INSERT ON connection_signal
    FOR EACH ROW EXECUTE FUNCTION connection_signal_once();
"""


def _definitions(cursor) -> tuple[list, list]:
    cursor.execute(FOREIGN_KEYS_SQL, [TABLE])
    foreign_keys = cursor.fetchall()
    cursor.execute(INDEXES_SQL, [TABLE])
    return foreign_keys, [definition for (definition,) in cursor.fetchall()]


def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or is_partitioned(connection, TABLE):
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        foreign_keys, indexes = _definitions(cursor)
        cursor.execute(f"SELECT min(occurred_at) FROM {TABLE}")
        oldest = min(cursor.fetchone()[0] or now, now - BACK)
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        # Without the old defaults: the key's sequence (an identity's, or a serial's after
        # a reverse migration) goes with the old table and a new one is made below.
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD}) PARTITION BY RANGE (occurred_at)")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        ensure_partitions(connection, table=TABLE, column="occurred_at", now=now, since=oldest)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        cursor.execute(f"DROP TABLE {OLD}")  # its identity sequence goes with it
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(
            f"SELECT setval('{TABLE}_id_seq', COALESCE(max(id), 0) + 1, false) FROM {TABLE}"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, occurred_at)"
        )
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute(ONCE_SQL)


def unpartition(apps, schema_editor):
    """Back to one plain table with `source` UNIQUE (duplicates would refuse it)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not is_partitioned(connection, TABLE):
        return
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        foreign_keys, indexes = _definitions(cursor)
        cursor.execute(f"CREATE TABLE {OLD} (LIKE {TABLE} INCLUDING DEFAULTS)")
        cursor.execute(f"INSERT INTO {OLD} SELECT * FROM {TABLE}")
        cursor.execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY NONE")
        cursor.execute(f"DROP TABLE {TABLE}")  # the partitions, indexes and trigger go too
        cursor.execute("DROP FUNCTION connection_signal_once()")
        cursor.execute(f"ALTER TABLE {OLD} RENAME TO {TABLE}")
        cursor.execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_source_key UNIQUE (source)")
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        for definition in indexes:
            cursor.execute(definition.replace(" ON ONLY ", " ON "))


class Migration(migrations.Migration):
    dependencies = [
        ("connection", "0025_chat_audit_actions"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
