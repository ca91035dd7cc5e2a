"""The data migrations that turn nudges sent before the rows existed into alerts,
quiet notes and reminder links: what they can trust becomes a row, once."""

import datetime as dt

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from connection.models import Nudge
from insights.models import Alert, QuietNote
from rituals.models import Reminder
from tests.helpers import make_ritual, make_user

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
WEEK = dt.date(2026, 11, 16)


class TodaysModels:
    """Today's models under the names a data migration asks for: the alerts and quiet
    notes it wrote as connection's have moved to the insights app since."""

    MOVED = {"alert", "quietnote", "teamweek", "teamtie", "conversationguide"}

    def get_model(self, app: str, name: str):
        return apps.get_model("insights" if name.lower() in self.MOVED else app, name)


def run(app: str, name: str) -> None:
    """Run a data migration's steps on today's models, found by its name (the lead
    renumbers migrations at merges)."""
    migrations = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    [migration] = [m for (a, n), m in migrations.items() if a == app and n.endswith(name)]
    for operation in migration.operations:
        operation.code(TodaysModels(), None)


def old_nudge(recipient, kind, key, payload=None, *, days_ago=0):
    at = NOW - dt.timedelta(days=days_ago)
    return Nudge.objects.create(
        recipient=recipient,
        kind=kind,
        channel="email",
        payload=payload or {"title": "t"},
        dedupe_key=key,
        due_at=at,
        expires_at=at + dt.timedelta(days=3),
        created_at=at,
        status=Nudge.Status.SENT,
    )


def alert_payload(team_pk, week=WEEK, situation="low"):
    return {"title": "t", "team": team_pk, "week": week.isoformat(), "situation": situation}


def test_alerts_come_back_from_their_nudges_once(db, team, other_team, alice):
    second = make_user(team=team)
    first = old_nudge(
        alice,
        "manager_alert",
        f"alert:team:{team.pk}:{WEEK}:{alice.pk}",
        alert_payload(team.pk),
        days_ago=9,
    )
    later = old_nudge(
        second,
        "manager_alert",
        f"alert:team:{team.pk}:{WEEK}:{second.pk}",
        alert_payload(team.pk),
        days_ago=8,
    )
    earlier_week = WEEK - dt.timedelta(weeks=6)
    old_nudge(
        alice,
        "manager_alert",
        f"alert:team:{team.pk}:{earlier_week}:{alice.pk}",
        alert_payload(team.pk, earlier_week, "falling"),
        days_ago=50,
    )
    # A team deleted since, and payloads that cannot be trusted: no row.
    old_nudge(alice, "manager_alert", "alert:gone", alert_payload(other_team.pk + 1000))
    old_nudge(alice, "manager_alert", "alert:bad-week", alert_payload(team.pk) | {"week": "soon"})
    old_nudge(alice, "manager_alert", "alert:bad-kind", alert_payload(team.pk) | {"situation": "x"})
    old_nudge(alice, "manager_alert", "alert:no-payload", {"title": "t"})

    run("connection", "fill_alerts_from_nudges")
    run("connection", "fill_alerts_from_nudges")  # a second run changes nothing

    assert Alert.objects.count() == 2
    alert = Alert.objects.get(week=WEEK)
    assert (alert.team, alert.situation) == (team, "low")
    assert alert.created_at == first.created_at  # its rest starts with the first nudge
    assert set(alert.nudges.all()) == {first, later}
    assert Alert.objects.get(week=earlier_week).situation == "falling"


def test_quiet_notes_come_back_from_the_personal_tips(db, team, alice, bob):
    tip = old_nudge(bob, "personal_tip", f"quiet:person:{bob.pk}:{WEEK}", days_ago=3)
    old_nudge(alice, "colleague_quiet", f"quiet:person:{bob.pk}:{WEEK}:{alice.pk}", days_ago=3)
    old_nudge(alice, "personal_tip", f"quiet:person:{bob.pk}:{WEEK}:x")  # not hers
    old_nudge(alice, "personal_tip", f"quiet:person:{alice.pk}:someday")

    run("connection", "fill_alerts_from_nudges")
    run("connection", "fill_alerts_from_nudges")

    note = QuietNote.objects.get()
    assert (note.person, note.week, note.created_at) == (bob, WEEK, tip.created_at)


@pytest.fixture
def ritual(db, team, alice, bob):
    return make_ritual(team=team, created_by=alice)


def test_reminders_are_linked_to_their_occurrences_from_their_keys(ritual, alice):
    planned = set(Reminder.objects.values_list("occurrence", "nudge"))
    assert planned
    Reminder.objects.all().delete()  # as before the link existed
    # An occurrence deleted since, a review (not a reminder) and a stray key: no link.
    old_nudge(alice, "ritual_reminder", f"ritual:{ritual.occurrences.last().pk + 1000}:{alice.pk}")
    old_nudge(alice, "ritual_review", f"ritual-review:{ritual.pk}:2026-12-01")
    old_nudge(alice, "ritual_reminder", "ritual:soon:1")

    run("rituals", "fill_reminders_from_nudges")
    run("rituals", "fill_reminders_from_nudges")

    assert set(Reminder.objects.values_list("occurrence", "nudge")) == planned
