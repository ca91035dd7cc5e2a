"""Retention: rows past their window go each night, in batches; newer rows, rows
still waiting, an alert's messages and every published figure stay."""

from __future__ import annotations

import datetime as dt

from connection.lifecycle import apply_retention, services
from connection.models import AuditEntry, Nudge, OrgSettings, Signal
from connection.tasks import apply_retention_task
from insights.models import Alert
from moments.models import CheckinSuggestion
from rituals.models import ThreadPost
from tests.lifecycle.conftest import NOW
from tests.lifecycle.tables import published_dump

DAY = dt.timedelta(days=1)


def _signals(actor, ages: list[int]) -> None:
    for n, age in enumerate(ages):
        Signal.objects.create(
            actor=actor, kind="posted", source=f"old:{n}", occurred_at=NOW - age * DAY
        )


def _nudge(person, key: str, age: int, status=Nudge.Status.SENT) -> Nudge:
    return Nudge.objects.create(
        recipient=person,
        kind="recognition",
        channel="in_app",
        dedupe_key=key,
        due_at=NOW,
        expires_at=NOW,
        status=status,
        created_at=NOW - age * DAY,
    )


def test_old_rows_go_and_new_rows_stay(world, bob, team):
    org = OrgSettings.load()
    _signals(bob, [org.signal_retention_days + 1, org.signal_retention_days - 1])
    _nudge(bob, "old", org.nudge_retention_days + 1)
    _nudge(bob, "old-pending", org.nudge_retention_days + 1, status=Nudge.Status.PENDING)
    kept_by_alert = _nudge(bob, "old-alert", org.nudge_retention_days + 1)
    Alert.objects.get().nudges.add(kept_by_alert)
    ThreadPost.objects.create(team=team, author=bob, status="Ancient", created_at=NOW - 731 * DAY)
    AuditEntry.objects.create(kind="budget", action="budget.set", at=NOW - 2556 * DAY)
    for age in (org.nudge_retention_days + 1, 1):
        CheckinSuggestion.objects.create(
            manager=world.dana,
            person=bob,
            week=(NOW - age * DAY).date(),
            created_at=NOW - age * DAY,
        )
    before = published_dump()

    deleted = apply_retention(now=NOW)

    assert deleted == {
        "nudges": 1,
        "signals": 1,
        "audit": 1,
        "thread_posts": 1,
        "checkin_suggestions": 1,
    }
    assert CheckinSuggestion.objects.filter(week=(NOW - DAY).date()).exists()
    assert not Signal.objects.filter(source="old:0").exists()
    assert Signal.objects.filter(source="old:1").exists()
    assert set(
        Nudge.objects.filter(dedupe_key__startswith="old").values_list("dedupe_key", flat=True)
    ) == {"old-pending", "old-alert"}
    assert not ThreadPost.objects.filter(status="Ancient").exists()
    assert ThreadPost.objects.filter(status="Thread Thyme").exists()
    assert not AuditEntry.objects.filter(action="budget.set").exists()
    assert published_dump() == before
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RETENTION_APPLIED)
    assert entry.detail["deleted"] == deleted
    assert entry.detail["days"]["signal_retention_days"] == 396


def test_deletes_in_batches_across_sparse_keys(db, bob, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 3)
    _signals(bob, [500] * 10 + [1] * 2)
    Signal.objects.filter(source__in=["old:2", "old:5"]).delete()  # gaps in the keys
    assert apply_retention(now=NOW)["signals"] == 8
    assert Signal.objects.count() == 2


def test_a_second_run_deletes_nothing_more(db, bob):
    _signals(bob, [500])
    assert apply_retention(now=NOW)["signals"] == 1
    assert apply_retention(now=NOW)["signals"] == 0


def test_shorter_windows_delete_more(db, bob):
    _signals(bob, [40, 10])
    OrgSettings.objects.filter(pk=OrgSettings.load().pk).update(signal_retention_days=30)
    assert apply_retention(now=NOW)["signals"] == 1


def test_the_nightly_task_runs_it(clock, bob):
    _signals(bob, [500])
    apply_retention_task()
    assert not Signal.objects.exists()
