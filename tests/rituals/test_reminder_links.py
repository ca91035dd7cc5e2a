"""A ritual reminder points at its occurrence (a `Reminder` row); rescheduling and
retiring cancel reminders through that link, never by a dedupe key's prefix."""

import datetime as dt

import pytest
import time_machine

from connection.models import Nudge
from rituals.models import Reminder
from rituals.services.occurrences import materialise
from tests.helpers import make_ritual

WEDNESDAY = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ritual(clock, team, alice, bob):
    return make_ritual(team=team, created_by=alice, time_zone="Europe/Lisbon")


def test_each_reminder_is_linked_to_its_occurrence(ritual, alice, bob):
    reminders = Nudge.objects.filter(kind="ritual_reminder")
    assert reminders.count() == 8  # 4 sessions x 2 people
    links = Reminder.objects.select_related("occurrence", "nudge")
    assert {link.nudge for link in links} == set(reminders)
    for occurrence in ritual.occurrences.all():
        told = {link.nudge.recipient for link in links if link.occurrence == occurrence}
        assert told == {alice, bob}
    for link in links:
        assert link.nudge.expires_at == link.occurrence.starts_at
    # A replan (someone joined, say) finds the links it wrote before.
    materialise(ritual=ritual, replan=True)
    assert Reminder.objects.count() == 8


def _unkeyed(ritual):
    """Reminders whose keys no longer say which occurrence they are for: only the
    link can find them."""
    pending = Nudge.objects.filter(kind="ritual_reminder", status="pending")
    for nudge in pending:
        nudge.dedupe_key = f"legacy-{nudge.pk}"
        nudge.save(update_fields=["dedupe_key"])
    return set(pending.values_list("pk", flat=True))


def test_rescheduling_cancels_reminders_through_the_link(ritual, client_for, alice):
    old = _unkeyed(ritual)
    response = client_for(alice).post(
        f"/rituals/{ritual.pk}/",
        {"action": "schedule", "repeats": "weekly", "weekdays": ["TU"], "start_time": "10:00"},
    )
    assert response.status_code == 302
    cancelled = Nudge.objects.filter(pk__in=old)
    assert set(cancelled.values_list("status", flat=True)) == {"skipped"}
    assert set(cancelled.values_list("last_error", flat=True)) == {
        "the ritual changed or was retired"
    }
    # The new sessions' reminders are pending and linked to live occurrences.
    live = set(ritual.occurrences.values_list("pk", flat=True))
    pending = Nudge.objects.filter(kind="ritual_reminder", status="pending")
    assert pending.exists()
    assert set(pending.values_list("ritual_reminder__occurrence", flat=True)) <= live


def test_retiring_cancels_reminders_through_the_link(ritual, client_for, alice):
    old = _unkeyed(ritual)
    client_for(alice).post(f"/rituals/{ritual.pk}/", {"action": "retire", "confirm": "yes"})
    assert set(Nudge.objects.filter(pk__in=old).values_list("status", flat=True)) == {"skipped"}
    # The cancelled sessions keep their links: the history says what was planned.
    assert Reminder.objects.filter(nudge__in=old).count() == len(old)
