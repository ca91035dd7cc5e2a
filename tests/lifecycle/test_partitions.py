"""The signal ledger's monthly partitions (PostgreSQL): rows land in their month, the
months ahead are made, a row no month held moves into one, a source is recorded once,
and retention drops whole months past the window, deletes only inside the month the
window ends in, never drops a kept row and leaves the published figures alone."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection, connections, transaction
from django.db.models import Q

from connection.lifecycle import apply_retention, erase_person, registry
from connection.lifecycle import partitions as months
from connection.models import OrgSettings, Signal
from connection.services import record_signals
from tests.helpers import make_user, race
from tests.lifecycle.conftest import NOW
from tests.lifecycle.tables import published_dump

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="declarative partitioning is PostgreSQL's"
)

DAY = dt.timedelta(days=1)
TABLE = "connection_signal"
ENSURE = {"table": TABLE, "column": "occurred_at"}


def _signal(actor, source: str, when: dt.datetime) -> Signal:
    return Signal.objects.create(actor=actor, kind="posted", source=source, occurred_at=when)


def _home(source: str) -> str:
    """The partition that holds the row."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE source = %s", [source])
        return cursor.fetchone()[0]


def _checked() -> None:
    """Run the foreign-key checks the test's own inserts left pending: PostgreSQL drops
    no table with pending trigger events (the nightly task starts with none)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _names() -> set[str]:
    return {p.name for p in months.partitions(connection, TABLE)}


def test_the_ledger_is_partitioned_by_month_with_a_default(db):
    found = months.partitions(connection, TABLE)
    assert months.is_partitioned(connection, TABLE)
    assert found[-1].start is None and found[-1].name == f"{TABLE}_default"
    for month in found[:-1]:
        assert month.start.day == 1 and months.next_month(month.start) == month.end


def test_the_months_ahead_are_made_and_a_row_lands_in_its_month(db, bob):
    made = months.ensure_partitions(connection, now=NOW, **ENSURE)
    assert {f"{TABLE}_p2026{m}" for m in ("11", "12")} | {
        f"{TABLE}_p2027{m}" for m in ("01", "02")
    } <= _names()
    assert months.ensure_partitions(connection, now=NOW, **ENSURE) == []  # made once
    _signal(bob, "now", NOW)
    _signal(bob, "new-year", dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert (_home("now"), _home("new-year")) == (f"{TABLE}_p202611", f"{TABLE}_p202701")
    assert all(name.startswith(f"{TABLE}_p") for name in made)


def test_a_row_no_month_held_moves_from_the_default_into_its_month(db, bob):
    long_ago = dt.datetime(2019, 3, 10, 12, tzinfo=dt.UTC)
    _signal(bob, "long-ago", long_ago)
    assert _home("long-ago") == f"{TABLE}_default"
    assert f"{TABLE}_p201903" in months.ensure_partitions(connection, now=NOW, **ENSURE)
    assert _home("long-ago") == f"{TABLE}_p201903"
    assert Signal.objects.get(source="long-ago").occurred_at == long_ago


def test_a_source_is_recorded_once_whatever_its_time(db, bob):
    months.ensure_partitions(connection, now=NOW, **ENSURE)
    first = Signal(actor=bob, kind="posted", source="post:1", occurred_at=NOW)
    again = Signal(actor=bob, kind="posted", source="post:1", occurred_at=NOW + 40 * DAY)
    assert record_signals([first]) == 1
    assert record_signals([again, Signal(actor=bob, kind="asked", source="ask:1")]) == 1
    assert Signal.objects.filter(source="post:1").get().occurred_at == NOW
    # A row moved to another month by an update is the same row, not a duplicate.
    Signal.objects.filter(source="post:1").update(occurred_at=NOW + 40 * DAY)
    assert _home("post:1") == f"{TABLE}_p202701"


def test_retention_drops_months_past_the_window_and_deletes_only_at_its_edge(world, bob):
    days = OrgSettings.load().signal_retention_days
    cutoff = NOW - days * DAY  # 2025-10-23 09:00
    months.ensure_partitions(connection, now=NOW, since=cutoff - 90 * DAY, **ENSURE)
    for n, when in enumerate([cutoff - 60 * DAY, cutoff - 40 * DAY, cutoff - 30 * DAY]):
        _signal(bob, f"old:{n}", when)  # August, September, September
    _signal(bob, "edge-old", cutoff - DAY)
    _signal(bob, "edge-new", cutoff + DAY)
    before, published = Signal.objects.count(), published_dump()
    _checked()

    deleted = apply_retention(now=NOW)

    assert deleted["signals"] == 4
    assert Signal.objects.count() == before - 4
    assert not Signal.objects.filter(source__startswith="old:").exists()
    assert not Signal.objects.filter(source="edge-old").exists()
    assert _home("edge-new") == f"{TABLE}_p202510"  # the edge month stays, its newer row too
    assert not {f"{TABLE}_p202508", f"{TABLE}_p202509"} & _names()
    assert published_dump() == published
    assert apply_retention(now=NOW)["signals"] == 0


def test_a_month_holding_a_kept_row_is_not_dropped(db, bob, monkeypatch):
    monkeypatch.setitem(registry._KEEP, Signal, [Q(source="kept")])
    when = NOW - 500 * DAY
    months.ensure_partitions(connection, now=NOW, since=when, **ENSURE)
    _signal(bob, "kept", when)
    _signal(bob, "gone", when + DAY)
    _checked()

    assert apply_retention(now=NOW)["signals"] == 1

    assert list(Signal.objects.values_list("source", flat=True)) == ["kept"]
    assert _home("kept") == f"{TABLE}_p{when:%Y%m}"


def test_a_busy_table_makes_retention_delete_instead_of_drop(db, bob, monkeypatch):
    monkeypatch.setattr(months, "LOCK_TIMEOUT", "200ms")
    when = NOW - 500 * DAY
    months.ensure_partitions(connection, now=NOW, since=when, **ENSURE)
    _signal(bob, "old", when)
    _checked()
    # Another session reads the ledger (a long query): DETACH cannot have the table.
    reader = connections.create_connection("default")
    try:
        with reader.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"LOCK TABLE ONLY {TABLE} IN ACCESS SHARE MODE")
            assert apply_retention(now=NOW)["signals"] == 1
            cursor.execute("ROLLBACK")
    finally:
        reader.close()

    assert not Signal.objects.exists()
    assert f"{TABLE}_p{when:%Y%m}" in _names()
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"  # the session's own setting is back


def test_erasure_deletes_a_persons_signals_in_every_month(db, bob, hana):
    dana = make_user(email="dana@example.com")
    months.ensure_partitions(connection, now=NOW, since=NOW - 90 * DAY, **ENSURE)
    for n, age in enumerate([0, 35, 70]):
        _signal(dana, f"dana:{n}", NOW - age * DAY)
    Signal.objects.create(actor=bob, other=dana, kind="asked", source="to-dana", occurred_at=NOW)
    _signal(bob, "bob", NOW)

    erase_person(person=dana, actor=hana)

    assert list(Signal.objects.values_list("source", flat=True)) == ["bob"]


@pytest.mark.django_db(transaction=True)
def test_writers_recording_one_source_at_once_leave_one_row():
    person = make_user()
    months.ensure_partitions(connection, now=NOW, **ENSURE)

    def attempt():
        with transaction.atomic():
            record_signals([Signal(actor=person, kind="posted", source="post:9", occurred_at=NOW)])
            time.sleep(0.05)  # hold the first row uncommitted while the others try

    assert race(attempt, threads=8) == ["won"] * 8
    assert Signal.objects.filter(source="post:9").count() == 1
