import datetime as dt
import re

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError

from connection.models import Nudge, Signal
from rituals.models import Attendance, Occurrence, RitualTemplate, TeamRitual
from rituals.services.errors import RitualError
from rituals.services.occurrences import (
    materialise,
    record_attendance,
    ritual_health,
    send_due_reviews,
)
from rituals.services.rituals import NeedsConfirmation, adopt_ritual, adopting_teams, adoptions
from tests.helpers import make_user, shows_errors

UTC = dt.UTC
WEDNESDAY = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


def adopt(team, alice, **overrides):
    fields = {
        "team": team,
        "created_by": alice,
        "name": "Co-working",
        "format": "sync",
        "rule": "FREQ=WEEKLY;BYDAY=TH",
        "start_time": dt.time(10, 0),
        "time_zone": "America/New_York",
        "duration": 15,
        "hypothesis": "People will ask more small questions.",
    }
    return adopt_ritual(**(fields | overrides))


def test_catalogue_ships_the_starter_rituals(db):
    names = set(RitualTemplate.objects.values_list("slug", flat=True))
    assert {
        "coworking",
        "peer-feedback",
        "micro-update",
        "hallway",
        "pair-debugging",
        "small-wins",
        "show-and-tell",
        "newcomer-welcome",
        "learning-lunch",
    } <= names


def test_recurrence_keeps_local_time_across_dst(db, alice, team):
    ritual = TeamRitual(
        team=team,
        name="x",
        format="sync",
        rule="FREQ=WEEKLY;BYDAY=TU",
        start_time=dt.time(15),
        time_zone="America/New_York",
        duration=15,
        hypothesis="h",
        review_on=dt.date(2027, 1, 1),
        starts_on=dt.date(2026, 2, 1),
    )
    starts = ritual.starts_between(
        dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 3, 18, tzinfo=UTC)
    )
    # 15:00 in New York: 20:00 UTC before 8 March, 19:00 UTC after.
    assert [s.strftime("%m-%d %H:%M") for s in starts] == [
        "03-03 20:00",
        "03-10 19:00",
        "03-17 19:00",
    ]


def test_every_other_thursday(db, team):
    ritual = TeamRitual(
        team=team,
        name="x",
        format="sync",
        rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        start_time=dt.time(9),
        time_zone="Europe/Lisbon",
        duration=30,
        hypothesis="h",
        review_on=dt.date(2027, 1, 1),
        starts_on=dt.date(2026, 11, 26),
    )
    starts = ritual.starts_between(WEDNESDAY, WEDNESDAY + dt.timedelta(weeks=5))
    assert [s.date().isoformat() for s in starts] == ["2026-11-26", "2026-12-10", "2026-12-24"]


def test_adopting_materialises_four_weeks_and_reminds_participants(clock, alice, bob, team):
    alice.time_zone = bob.time_zone = "UTC"
    for person in (alice, bob):
        person.save(update_fields=["time_zone"])
    ritual = adopt(team, alice, time_zone="UTC", start_time=dt.time(14))
    assert ritual.occurrences.count() == 4
    reminders = Nudge.objects.filter(kind="ritual_reminder")
    assert reminders.count() == 8  # 4 sessions x 2 people
    first = ritual.occurrences.first()
    assert reminders.filter(due_at=first.starts_at - dt.timedelta(hours=1)).count() == 2
    assert materialise(ritual=ritual) == 0  # nothing new to write
    assert ritual.occurrences.count() == 4 and reminders.count() == 8  # idempotent


def test_slot_outside_someones_hours_needs_confirmation(clock, alice, bob, team):
    with pytest.raises(NeedsConfirmation, match="outside the working hours of 1 of 2 people"):
        adopt(team, alice, time_zone="America/New_York", start_time=dt.time(16))  # 21:00 Lisbon
    assert not TeamRitual.objects.exists()
    adopt(
        team,
        alice,
        time_zone="America/New_York",
        start_time=dt.time(16),
        confirm_outside_hours=True,
    )
    assert TeamRitual.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rule": "FREQ=SOMETIMES"}, "not a valid recurrence rule"),
        ({"rule": "FREQ=HOURLY"}, "at most daily"),
        ({"duration": 481}, "between 1 minute and 8 hours"),
        ({"time_zone": "Mars/Base"}, "not a known IANA time zone"),
    ],
)
def test_bad_rituals_are_refused(clock, alice, team, change, message):
    with pytest.raises((RitualError, ValidationError), match=message):
        adopt(team, alice, confirm_outside_hours=True, **change)
    assert not TeamRitual.objects.exists()


def test_adopt_page_suggests_shared_slots_and_creates(client_for, clock, alice, bob, team):
    client = client_for(alice)
    page = client.get("/rituals/adopt/coworking/").content.decode()
    assert "Hours Platform shares" in page
    assert "2 of 2 people inside their hours" in page
    response = client.post(
        "/rituals/adopt/coworking/",
        {
            "team": team.pk,
            "name": "Co-working",
            "repeats": "weekly",
            "weekdays": ["TU"],
            "start_time": "10:00",
            "time_zone": "America/New_York",
            "duration": 15,
            "participation": "team",
            "hypothesis": "More small questions",
            "review_on": "2026-12-23",
        },
    )
    assert response.status_code == 302
    assert TeamRitual.objects.get().template.slug == "coworking"


def test_adopt_page_asks_to_confirm_outside_hours(client_for, clock, alice, bob, team):
    response = client_for(alice).post(
        "/rituals/adopt/coworking/",
        {
            "team": team.pk,
            "name": "Late",
            "repeats": "weekly",
            "weekdays": ["TU"],
            "start_time": "17:00",
            "time_zone": "America/New_York",
            "duration": 15,
            "participation": "team",
            "hypothesis": "h",
            "review_on": "2026-12-23",
        },
    )
    assert shows_errors(response)
    body = response.content.decode()
    assert "outside the working hours of 1 of 2 people" in body
    assert "Bob" not in body.split("outside the working hours")[1][:200]
    assert not TeamRitual.objects.exists()


def test_employees_cannot_adopt_for_a_team(client_for, clock, bob):
    assert client_for(bob).get("/rituals/adopt/coworking/").status_code == 403


def test_another_teams_ritual_is_not_found(client_for, clock, alice, charlie, team):
    ritual = adopt(team, alice, confirm_outside_hours=True)
    assert client_for(charlie).get(f"/rituals/{ritual.pk}/").status_code == 404


def test_attendance_and_worth_it_write_signals_and_health(clock, alice, bob, team):
    ritual = adopt(team, alice, confirm_outside_hours=True)
    occurrence = ritual.occurrences.first()
    with pytest.raises(RitualError, match="once it has started"):
        record_attendance(occurrence=occurrence, person=bob, attended=True, worth_it=True)
    clock.move_to(occurrence.starts_at + dt.timedelta(minutes=20))
    record_attendance(occurrence=occurrence, person=bob, attended=True, worth_it=True)
    record_attendance(occurrence=occurrence, person=bob, attended=True, worth_it=False)
    assert Attendance.objects.get().worth_it is False
    assert Signal.objects.filter(actor=bob, kind="attended").count() == 1


def test_high_attendance_low_worth_is_flagged_performative(clock, alice, bob, team):
    from tests.helpers import make_user as mk

    people = [alice, bob, *[mk(team=team) for _ in range(3)]]
    ritual = adopt(team, alice, confirm_outside_hours=True)
    clock.move_to(WEDNESDAY + dt.timedelta(weeks=3))
    for occurrence in ritual.occurrences.filter(starts_at__lt=WEDNESDAY + dt.timedelta(weeks=3)):
        for i, person in enumerate(people):
            Attendance.objects.create(
                occurrence=occurrence, person=person, attended=True, worth_it=(i == 0)
            )
    health = ritual_health(ritual)
    assert health.attendance_rate == 100
    assert health.performative is True
    assert health.recommendation == "adjust"


def test_review_date_sends_the_owner_one_recommendation(clock, alice, team):
    ritual = adopt(team, alice, confirm_outside_hours=True, review_on=dt.date(2026, 11, 30))
    clock.move_to(dt.datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert send_due_reviews() == 1
    assert send_due_reviews() == 0
    review = Nudge.objects.get(kind="ritual_review")
    assert review.recipient == alice and ritual.name in review.title


def test_calendar_feed_parses_back_and_can_be_revoked(client_for, client, clock, alice, bob, team):
    ritual = adopt(team, alice, confirm_outside_hours=True, video_link="https://meet.example/x")
    client_for(bob).post("/rituals/feed/renew/")
    token = bob.calendar_feed.token
    page = client_for(bob).get("/rituals/").content.decode()
    assert f'href="webcal://testserver/rituals/feed/{token}.ics"' in page  # one tap on a phone
    client.logout()
    response = client.get(f"/rituals/feed/{token}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == ritual.occurrences.count()
    first = ritual.occurrences.first()
    assert events[0].decoded("dtstart") == first.starts_at
    assert str(events[0]["location"]) == "https://meet.example/x"
    client_for(bob).post("/rituals/feed/renew/")
    client.logout()
    assert client.get(f"/rituals/feed/{token}.ics").status_code == 404


def test_changing_the_schedule_moves_future_sessions_and_their_reminders(
    client_for, clock, alice, bob, team
):
    ritual = adopt(team, alice, confirm_outside_hours=True)
    old = set(ritual.occurrences.values_list("starts_at", flat=True))
    response = client_for(alice).post(
        f"/rituals/{ritual.pk}/",
        {
            "action": "schedule",
            "repeats": "weekly",
            "weekdays": ["TU", "TH"],
            "start_time": "10:00",
        },
    )
    assert response.status_code == 302
    new = set(ritual.occurrences.values_list("starts_at", flat=True))
    assert len(new) > len(old)
    pending = Nudge.objects.filter(kind="ritual_reminder", status="pending")
    live_ids = set(ritual.occurrences.values_list("pk", flat=True))
    assert {int(n.dedupe_key.split(":")[1]) for n in pending} <= live_ids


def test_retiring_keeps_history_and_cancels_the_future(client_for, clock, alice, bob, team):
    ritual = adopt(team, alice, confirm_outside_hours=True)
    client_for(bob).post(f"/rituals/{ritual.pk}/", {"action": "retire", "confirm": "yes"})
    ritual.refresh_from_db()
    assert ritual.status == "active"  # bob is not a manager
    client_for(alice).post(f"/rituals/{ritual.pk}/", {"action": "retire"})
    ritual.refresh_from_db()
    assert ritual.status == "active"  # not confirmed
    client_for(alice).post(f"/rituals/{ritual.pk}/", {"action": "retire", "confirm": "yes"})
    ritual.refresh_from_db()
    assert ritual.status == "retired"
    assert not Occurrence.objects.filter(ritual=ritual, cancelled=False).exists()
    assert not Nudge.objects.filter(kind="ritual_reminder", status="pending").exists()


def test_opt_in_ritual_reaches_only_those_who_join(client_for, clock, alice, bob, team):
    ritual = adopt(team, alice, confirm_outside_hours=True, participation="opt_in")
    assert not Nudge.objects.filter(kind="ritual_reminder").exists()
    client_for(bob).post(f"/rituals/{ritual.pk}/join/")
    assert ritual.participants.filter(pk=bob.pk).exists()
    materialise(ritual=ritual)
    assert set(
        Nudge.objects.filter(kind="ritual_reminder").values_list("recipient", flat=True)
    ) == {bob.pk}


def test_rituals_page_asks_how_it_went(client_for, clock, alice, bob, team):
    ritual = adopt(team, alice, confirm_outside_hours=True)
    occurrence = ritual.occurrences.first()
    clock.move_to(occurrence.starts_at + dt.timedelta(hours=1))
    client = client_for(bob)
    assert "How did it go?" in client.get("/rituals/").content.decode()
    client.post(f"/rituals/occurrences/{occurrence.pk}/say/", {"worth_it": "yes"})
    assert Attendance.objects.get(person=bob).worth_it is True
    assert "How did it go?" not in client.get("/rituals/").content.decode()


def test_hr_curates_the_catalogue_and_values_in_the_admin(client_for, hana, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=hana.pk).update(is_staff=True)
    client = client_for(hana)
    assert client.get("/admin/rituals/ritualtemplate/").status_code == 200
    response = client.post(
        "/admin/rituals/value/add/", {"name": "Curiosity", "description": "", "position": 5}
    )
    assert response.status_code == 302
    from rituals.models import Value

    assert Value.objects.filter(name="Curiosity").exists()
    page = client.get("/rituals/catalogue/").content.decode()
    assert "Edit the values list" in page


def test_members_adopt_only_when_their_team_allows(client_for, clock, bob, team):
    client = client_for(bob)
    assert client.get("/rituals/adopt/coworking/").status_code == 403
    team.members_adopt_rituals = True
    team.save()
    assert client.get("/rituals/adopt/coworking/").status_code == 200


def test_the_adopt_page_follows_the_chosen_team_and_starts_at_its_best_slot(
    client_for, clock, alice, bob, team, subteam
):
    """With Reliability chosen, the panel once showed Platform's hours and its slot was
    refused as outside the hours of 2 of 4 people; the default 15:00 suited nobody."""
    for _ in range(2):
        make_user(team=subteam, time_zone="Asia/Kolkata")
    client = client_for(alice)
    page = client.get(f"/rituals/adopt/coworking/?team={subteam.pk}").content.decode()
    assert "Hours Reliability shares" in page
    assert 'hx-select-oob="#id_start_time"' in page and 'hx-get="/rituals/adopt/coworking/"' in page
    start = re.search(r'name="start_time" value="(\d\d:\d\d)"', page).group(1)
    assert start != "15:00"
    zones = re.findall(r'<option value="([^"]+)">', page.split('id="zone-list"')[1])
    assert zones[0] == "Asia/Kolkata"  # the team's own zone first
    assert "Africa/Asmara" in zones and "Africa/Asmera" not in zones
    response = client.post(
        "/rituals/adopt/coworking/",
        {
            "team": subteam.pk,
            "name": "Co-working",
            "repeats": "weekly",
            "weekdays": ["TU"],
            "start_time": start,
            "time_zone": alice.time_zone,
            "duration": 15,
            "participation": "team",
            "hypothesis": "More small questions",
            "review_on": "2026-12-23",
        },
    )
    assert response.status_code == 302  # the suggested slot is inside everyone's hours


def test_the_two_counts_of_adopting_teams_agree(clock, alice, team, subteam):
    template = RitualTemplate.objects.get(slug="coworking")
    for owner in (team, team, subteam):  # Platform twice counts once
        adopt_ritual(
            team=owner,
            created_by=alice,
            template=template,
            name="Co-working",
            format="sync",
            rule="FREQ=WEEKLY;BYDAY=TU",
            start_time=dt.time(10),
            time_zone="UTC",
            duration=15,
            hypothesis="h",
            confirm_outside_hours=True,
        )
    assert adopting_teams(template.pk) == len(adoptions()[template.pk]) == 2


def test_a_newcomer_is_not_asked_about_sessions_before_she_started(
    client_for, clock, alice, bob, team
):
    ritual = adopt(team, alice, confirm_outside_hours=True)
    occurrence = ritual.occurrences.first()
    clock.move_to(occurrence.starts_at + dt.timedelta(days=2))
    bob.start_date = (occurrence.starts_at + dt.timedelta(days=1)).astimezone(bob.zone).date()
    bob.save()
    assert "How did it go?" not in client_for(bob).get("/rituals/").content.decode()
    bob.start_date = occurrence.starts_at.astimezone(bob.zone).date()
    bob.save()
    assert "How did it go?" in client_for(bob).get("/rituals/").content.decode()
