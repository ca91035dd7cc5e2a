"""Alerts and quiet notes are rows: written with their nudges, read by the
dashboard and by the 28-day rest, never found through a nudge's key or payload."""

import datetime as dt

import pytest
import time_machine

from connection.calendar import monday
from connection.models import Nudge, Signal
from insights import alerts
from insights.alerts import send_alerts, send_quiet_notes
from insights.models import Alert, QuietNote, TeamWeek
from tests.helpers import make_user

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday
WEEK = monday(NOW.date())


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def falling(team):
    """Five weeks: the score and the activity both dropped in the last one."""
    for i, (score, active) in enumerate([(76, 8), (75, 9), (77, 8), (74, 8), (62, 4)]):
        TeamWeek.objects.update_or_create(
            team=team,
            week=WEEK - dt.timedelta(weeks=4 - i),
            defaults={
                "score": score,
                "members": 10,
                "active_members": active,
                "people_shown": True,
            },
        )


def test_an_alert_is_one_row_per_team_linked_to_each_managers_nudge(db, clock, team, alice):
    second = make_user(team=team)
    team.managers.add(second)
    falling(team)
    assert send_alerts(WEEK) == 2
    alert = Alert.objects.get()
    assert (alert.team, alert.week, alert.situation) == (team, WEEK, "falling")
    assert alert.created_at == NOW
    assert {n.recipient for n in alert.nudges.all()} == {alice, second}
    assert set(alert.nudges.all()) == set(Nudge.objects.filter(kind="manager_alert"))
    # A second beat adds neither a row nor a link.
    assert send_alerts(WEEK) == 0
    assert Alert.objects.get().nudges.count() == 2


def test_no_row_for_a_team_with_nobody_to_tell(db, clock, team, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    falling(team)
    assert send_alerts(WEEK) == 0
    assert not Alert.objects.exists()


def test_the_row_and_its_nudges_are_written_together(db, clock, team, alice, monkeypatch):
    falling(team)

    def broken(specs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(alerts, "plan_linked_nudges", broken)
    with pytest.raises(RuntimeError):
        send_alerts(WEEK)
    assert not Alert.objects.exists()


def test_the_rest_reads_alert_rows(db, clock, team, alice):
    falling(team)
    # An alert three weeks ago, whose nudges are long gone: the team still rests.
    Alert.objects.create(
        team=team,
        week=WEEK - dt.timedelta(weeks=3),
        situation="low",
        created_at=NOW - dt.timedelta(days=27),
    )
    assert send_alerts(WEEK) == 0
    assert not Nudge.objects.exists()
    # Past the 28 days, the team hears again.
    Alert.objects.update(created_at=NOW - dt.timedelta(days=29))
    assert send_alerts(WEEK) == 1
    assert Alert.objects.filter(week=WEEK, situation="falling").exists()


def test_the_team_page_shows_the_alert_from_its_row(db, clock, team, alice, client_for):
    falling(team)
    send_alerts(WEEK)
    nudge = Nudge.objects.get(kind="manager_alert")
    # The payload is message text only: without its team or situation the page
    # still finds the alert, through the row.
    nudge.payload = {"title": nudge.title, "body": nudge.body, "url": nudge.url}
    nudge.save(update_fields=["payload"])
    page = client_for(alice).get(f"/insights/?team={team.pk}").content.decode()
    assert nudge.title in page
    assert "/insights/guides/falling/" in page


def test_only_managers_who_were_told_see_the_alert(db, clock, team, alice, client_for):
    falling(team)
    send_alerts(WEEK)
    title = Nudge.objects.get(kind="manager_alert").title
    newcomer = make_user(team=team)
    team.managers.add(newcomer)
    assert title in client_for(alice).get(f"/insights/?team={team.pk}").content.decode()
    page = client_for(newcomer).get(f"/insights/?team={team.pk}").content.decode()
    assert title not in page
    # Once the rest is over, the alert leaves the page.
    Alert.objects.update(created_at=NOW - dt.timedelta(days=29))
    assert title not in client_for(alice).get(f"/insights/?team={team.pk}").content.decode()


def signal(person, other, at):
    Signal.objects.create(
        actor=person,
        other=other,
        kind=Signal.Kind.RECOGNISED,
        occurred_at=at,
        team=person.team,
        source=f"t:{person.pk}:{other.pk}:{at.isoformat()}",
    )


def test_a_quiet_note_is_a_row_and_the_rest_reads_it(db, clock, team, alice, charlie):
    dave = make_user(team=team, manager=alice)
    erin = make_user(team=team, manager=alice)
    for person in (dave, erin):
        signal(person, charlie, NOW - dt.timedelta(weeks=4))
    signal(charlie, alice, NOW - dt.timedelta(hours=1))  # Charlie is still about
    # Erin had a note a fortnight ago; only the row remembers it.
    QuietNote.objects.create(
        person=erin, week=WEEK - dt.timedelta(weeks=2), created_at=NOW - dt.timedelta(days=14)
    )
    assert send_quiet_notes(WEEK) == 1
    assert Nudge.objects.get(kind="personal_tip").recipient == dave
    note = QuietNote.objects.get(person=dave)
    assert (note.week, note.created_at) == (WEEK, NOW)
    assert send_quiet_notes(WEEK) == 0
    assert QuietNote.objects.count() == 2
