import datetime as dt
import re

import pytest
import time_machine
from django.db import connection

from connection.models import Nudge, Signal, Team
from mentorship.models import (
    Avoid,
    Booking,
    CaseNote,
    CheckIn,
    MatchGroup,
    MatchRound,
    Membership,
    MentoringSession,
    OfficeHours,
    Programme,
)
from mentorship.services.errors import MentorshipError
from mentorship.services.mentoring_log import log_session, publish_note
from mentorship.services.office_hours import book, host_office_hours
from mentorship.services.programmes import assign_buddies, check_in, join_programme, run_round
from tests.helpers import make_team, make_user, race, shows_errors

UTC = dt.UTC


@pytest.fixture
def clock(db):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=UTC), tick=False) as t:
        yield t


def coffee(**overrides):
    fields = {
        "kind": "coffee",
        "name": "Coffee chat",
        "cadence_weeks": 2,
        "group_size": 2,
        "max_group_size": 3,
    }
    return Programme.objects.create(**(fields | overrides))


def people(count, **fields):
    teams = [make_team() for _ in range(3)]
    return [make_user(team=teams[i % 3], **fields) for i in range(count)]


def test_a_round_matches_every_member_once_and_is_idempotent(clock):
    programme = coffee()
    for person in people(7):
        join_programme(programme=programme, person=person)
    first = run_round(programme=programme)
    assert first is not None
    members = [m.pk for g in first.groups.all() for m in g.members.all()]
    assert sorted(members) == sorted(Membership.objects.values_list("person_id", flat=True))
    assert sorted(g.members.count() for g in first.groups.all()) == [2, 2, 3]
    assert run_round(programme=programme) is None  # same day, second tick
    assert MatchRound.objects.count() == 1
    intros = Nudge.objects.filter(kind="pairing", dedupe_key__startswith="match:")
    assert intros.count() == 7


def test_next_round_waits_for_the_cadence(clock):
    programme = coffee(cadence_weeks=2)
    for person in people(4):
        join_programme(programme=programme, person=person)
    run_round(programme=programme)
    clock.shift(dt.timedelta(days=7))
    assert run_round(programme=programme) is None
    clock.shift(dt.timedelta(days=7))
    assert run_round(programme=programme) is not None


def test_paused_and_left_members_sit_out(clock):
    programme = coffee()
    members = people(5)
    for person in members:
        join_programme(programme=programme, person=person)
    Membership.objects.filter(person=members[0]).update(status="paused")
    Membership.objects.filter(person=members[1]).update(status="left")
    matched = {m.pk for g in run_round(programme=programme).groups.all() for m in g.members.all()}
    assert members[0].pk not in matched and members[1].pk not in matched


def test_joining_a_programme_for_another_team_is_refused(clock, bob, other_team):
    programme = coffee(team=other_team)
    with pytest.raises(MentorshipError, match="isn't open to you"):
        join_programme(programme=programme, person=bob)
    assert not Membership.objects.exists()


def test_avoid_list_and_manager_are_respected(clock, alice, bob):
    programme = coffee()
    others = people(3)
    for person in [alice, bob, *others]:
        join_programme(programme=programme, person=person)
    Avoid.objects.create(person=others[0], avoided=others[1])
    for group in run_round(programme=programme).groups.all():
        ids = set(group.members.values_list("pk", flat=True))
        assert not {alice.pk, bob.pk} <= ids  # Alice is Bob's manager
        assert not {others[0].pk, others[1].pk} <= ids


def test_new_hire_gets_a_buddy_from_another_team_and_weekly_checkins(clock, alice, bob, team):
    Programme.objects.create(kind="buddy", name="Newcomer buddies", weeks=12)
    programme = Programme.objects.get()
    other = make_team(name="Elsewhere")
    veteran = make_user(team=other, start_date=dt.date(2022, 1, 10), time_zone="Europe/Lisbon")
    join_programme(programme=programme, person=veteran)
    join_programme(programme=programme, person=alice)  # her manager: never her buddy
    nia = make_user(
        team=team, manager=alice, start_date=dt.date(2026, 11, 25), time_zone="Europe/Berlin"
    )
    assert assign_buddies() == 1
    group = MatchGroup.objects.get(newcomer=nia)
    assert set(group.members.values_list("pk", flat=True)) == {nia.pk, veteran.pk}
    weekly = Nudge.objects.filter(recipient=nia, kind="buddy_checkin")
    assert weekly.count() == 13  # the introduction and 12 weekly check-ins
    assert assign_buddies() == 0  # idempotent


def test_checkin_writes_a_signal_with_both_people(clock):
    programme = coffee()
    members = people(2)
    for person in members:
        join_programme(programme=programme, person=person)
    group = run_round(programme=programme).groups.get()
    check_in(group=group, person=members[0], answer="met")
    assert Signal.objects.filter(actor=members[0], other=members[1], kind="checked_in").exists()
    check_in(group=group, person=members[0], answer="met")
    assert CheckIn.objects.count() == 1


def test_a_programme_for_another_team_is_hidden_on_the_page_and_in_the_api(
    client_for, clock, alice, bob, charlie, department, other_team
):
    secret = coffee(team=other_team, name="Payments secret programme")
    above = coffee(team=department, name="Engineering coffee")
    for person in (alice, bob):
        client = client_for(person)
        listed = {p["name"] for p in client.get("/api/programmes/").json()["results"]}
        assert listed == {"Engineering coffee"}
        assert client.get(f"/api/programmes/{secret.pk}/").status_code == 404
        assert client.post(f"/api/programmes/{secret.pk}/join/").status_code == 404
        assert (
            client.post(
                f"/mentorship/programmes/{secret.pk}/membership/", {"action": "join"}
            ).status_code
            == 404
        )
        page = client.get("/mentorship/").content.decode()
        assert "Payments secret" not in page and "Engineering coffee" in page
    assert not Membership.objects.filter(programme=secret).exists()
    insider = client_for(charlie).get(f"/api/programmes/{secret.pk}/")
    assert insider.json()["name"] == "Payments secret programme"
    assert client_for(bob).get(f"/api/programmes/{above.pk}/").status_code == 200


def test_a_member_who_moved_team_still_sees_and_can_leave_the_programme(client_for, clock, bob):
    programme = coffee(team=bob.team, name="Platform coffee")
    join_programme(programme=programme, person=bob)
    bob.team = make_team(name="Elsewhere")
    bob.save(update_fields=["team"])
    client = client_for(bob)
    assert client.get(f"/api/programmes/{programme.pk}/").status_code == 200
    client.post(f"/mentorship/programmes/{programme.pk}/membership/", {"action": "leave"})
    assert Membership.objects.get(person=bob).status == "left"


def test_hr_sees_counts_never_names(client_for, clock, hana):
    programme = coffee()
    members = people(4)
    for person in members:
        join_programme(programme=programme, person=person)
    run_round(programme=programme)
    body = client_for(hana).get("/mentorship/programmes/").content.decode()
    assert "Coffee chat" in body
    assert f"every {programme.cadence_weeks} weeks · across teams" in body  # what was set
    assert all(p.display_name not in body for p in members)


def test_hr_runs_org_wide_programmes_and_a_lead_only_their_teams(client_for, clock, hana):
    form = {
        "kind": "coffee",
        "name": "All-hands coffee",
        "cadence_weeks": 2,
        "group_size": 2,
        "max_group_size": 3,
        "cross_team": "on",
        "weeks": 12,
    }
    hr = client_for(hana)
    assert hr.get("/mentorship/programmes/").status_code == 200  # before any team exists
    assert hr.post("/mentorship/programmes/", form).status_code == 302
    support = make_team(name="Support")
    lead, member = make_user(team=support), make_user(team=support)
    support.managers.add(lead)
    assert client_for(member).get("/mentorship/programmes/").status_code == 403
    client = client_for(lead)
    ours = form | {"name": "Support coffee"}
    assert shows_errors(client.post("/mentorship/programmes/", ours))  # no team chosen
    assert client.post("/mentorship/programmes/", ours | {"team": support.pk}).status_code == 302
    body = client.get("/mentorship/programmes/").content.decode()
    assert "Support coffee" in body and "All-hands coffee" not in body
    assert {p.name: p.team for p in Programme.objects.all()} == {
        "All-hands coffee": None,
        "Support coffee": support,
    }


def test_office_hours_booking_and_its_refusals(clock, alice, bob):
    slot = host_office_hours(
        host=alice, weekday=3, start_time=dt.time(10), minutes=60, block_minutes=20
    )
    blocks = slot.blocks_between(
        dt.datetime(2026, 11, 26, tzinfo=UTC), dt.datetime(2026, 12, 3, tzinfo=UTC)
    )
    assert len(blocks) == 3  # Wednesday 2 December, 10:00, 10:20, 10:40 New York
    booking = book(office_hours=slot, starts_at=blocks[0], booker=bob, topic="Deploys")
    assert Signal.objects.filter(actor=bob, other=alice, kind="booked").exists()
    assert Nudge.objects.filter(kind="booking").count() == 4
    with pytest.raises(MentorshipError, match="just booked"):
        book(office_hours=slot, starts_at=blocks[0], booker=make_user(), topic="Me too")
    with pytest.raises(MentorshipError, match="your own"):
        book(office_hours=slot, starts_at=blocks[1], booker=alice, topic="x")
    with pytest.raises(MentorshipError, match="already started"):
        book(
            office_hours=slot,
            starts_at=dt.datetime(2026, 11, 25, 9, tzinfo=UTC),
            booker=bob,
            topic="x",
        )
    with pytest.raises(MentorshipError, match="overlaps"):
        host_office_hours(
            host=alice, weekday=3, start_time=dt.time(10, 30), minutes=60, block_minutes=20
        )
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    book(office_hours=slot, starts_at=blocks[0], booker=make_user(), topic="Freed")


def test_booking_through_the_page(client_for, clock, alice, bob):
    slot = host_office_hours(
        host=alice, weekday=3, start_time=dt.time(10), minutes=60, block_minutes=20
    )
    block = slot.blocks_between(
        dt.datetime(2026, 11, 26, tzinfo=UTC), dt.datetime(2026, 12, 3, tzinfo=UTC)
    )[0]
    client = client_for(bob)
    assert "Alice Moreau" in client.get("/mentorship/office-hours/").content.decode()
    response = client.post(
        f"/mentorship/office-hours/{slot.pk}/book/",
        {"starts_at": block.isoformat(), "topic": "The deploy process"},
    )
    assert response.status_code == 302
    assert Booking.objects.get().booker == bob


def test_office_hours_say_who_hosts_how_long_and_which_blocks_fall_outside_your_hours(
    client_for, clock, alice, bob, charlie
):
    host_office_hours(host=alice, weekday=3, start_time=dt.time(10), minutes=40, block_minutes=20)
    host_office_hours(
        host=charlie, weekday=3, start_time=dt.time(6, 30), minutes=40, block_minutes=20
    )
    page = re.sub(r"\s+", " ", client_for(bob).get("/mentorship/office-hours/").content.decode())
    assert f'Alice Moreau <span class="muted">· {alice.picker_place}</span>' in page
    assert page.count("Pick a 20-minute block") == 2
    # 10:00 in New York is 15:00 in Lisbon, inside Bob's hours; 06:30 in Kolkata is 01:00.
    alice_card, charlie_card = (
        page.split(f'id="oh-{pk}"')[1].split("</article>")[0]
        for pk in OfficeHours.objects.order_by("host__display_name")
        .filter(host__in=[alice, charlie])
        .values_list("pk", flat=True)
    )
    assert "outside your hours" not in alice_card
    assert charlie_card.count("(outside your hours)") == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_block_leave_one_winner():
    host, first, second = make_user(time_zone="UTC"), make_user(), make_user()
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=UTC), tick=False):
        slot = OfficeHours.objects.create(
            host=host,
            weekday=3,
            start_time=dt.time(10),
            minutes=20,
            block_minutes=20,
            time_zone="UTC",
        )
        block = slot.blocks_between(
            dt.datetime(2026, 11, 26, tzinfo=UTC), dt.datetime(2026, 12, 3, tzinfo=UTC)
        )[0]
        bookers = iter([first, second])
        outcomes = race(
            lambda: book(office_hours=slot, starts_at=block, booker=next(bookers), topic="x"),
            refused=MentorshipError,
        )
    assert outcomes == ["MentorshipError", "won"]
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("minutes", "held_on", "message"),
    [
        (481, dt.date(2026, 11, 20), "between 1 minute and 8 hours"),
        (60, dt.date(2026, 12, 20), "have happened"),
    ],
)
def test_bad_mentoring_entries_write_nothing(clock, alice, bob, minutes, held_on, message):
    with pytest.raises(MentorshipError, match=message):
        log_session(
            mentor=alice,
            mentee=bob,
            kind="mentoring",
            held_on=held_on,
            minutes=minutes,
            note="",
            logged_by=alice,
        )
    assert not MentoringSession.objects.exists()


def test_session_logged_with_a_signal_and_a_case_note_withdrawn(client_for, clock, alice, bob):
    response = client_for(alice).post(
        "/mentorship/log/",
        {
            "other": bob.pk,
            "role": "mentor",
            "kind": "mentoring",
            "held_on": "2026-11-24",
            "minutes": 45,
            "note": "Walked through the deploy",
        },
    )
    assert response.status_code == 302
    assert Signal.objects.filter(actor=alice, other=bob, kind="mentored").exists()
    note = publish_note(
        author=alice,
        topic="Deploys",
        tried="Pairing on a real deploy",
        failed="Slides",
        learned="Doing beats reading",
        visibility="org",
    )
    assert "Deploys" in client_for(bob).get("/mentorship/notes/?q=deploy").content.decode()
    client_for(alice).post(f"/mentorship/notes/{note.pk}/withdraw/")
    assert "Doing beats" not in client_for(bob).get("/mentorship/notes/").content.decode()
    assert CaseNote.objects.get().withdrawn


def test_overview_page_lists_my_match_and_buddy(client_for, clock, alice, bob, team):
    programme = coffee()
    partner = make_user(team=make_team())
    for person in (bob, partner):
        join_programme(programme=programme, person=person)
    run_round(programme=programme)
    body = client_for(bob).get("/mentorship/").content.decode()
    assert partner.display_name in body
    assert "Did you meet?" in body


def test_hr_sees_how_many_people_and_teams_host_office_hours(clock, client_for, hana, alice, bob):
    host_office_hours(host=alice, weekday=3, start_time=dt.time(10), minutes=60, block_minutes=20)
    host_office_hours(host=bob, weekday=4, start_time=dt.time(10), minutes=60, block_minutes=20)
    other = make_user(team=make_team(name="Payments"))
    host_office_hours(host=other, weekday=2, start_time=dt.time(9), minutes=40, block_minutes=20)
    teams = Team.objects.count()
    page = client_for(hana).get("/mentorship/office-hours/").content.decode()
    assert f"3 people host office hours, in 2 of {teams} teams." in page
    assert (
        "host office hours, in"
        not in client_for(bob).get("/mentorship/office-hours/").content.decode()
    )


def test_connect_leads_hr_and_team_leads_to_running_programmes(db, client_for, hana, alice, bob):
    link = 'href="/mentorship/programmes/">Run programmes</a>'
    assert link in client_for(hana).get("/mentorship/").content.decode()
    assert link in client_for(alice).get("/mentorship/").content.decode()
    assert link not in client_for(bob).get("/mentorship/").content.decode()


def test_people_pickers_tell_namesakes_apart(db, client_for, bob, team):
    make_user(display_name="Ana Silva", team=team, time_zone="Europe/Lisbon")
    make_user(display_name="Ana Silva", team=make_team(name="Payments"), time_zone="Asia/Kolkata")

    def text(url: str) -> str:
        html = client_for(bob).get(url).content.decode()
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))

    for url in ("/mentorship/", "/rituals/recognition/", "/mentorship/log/"):
        page = text(url)
        assert "Ana Silva · Platform · Lisbon" in page, url
        assert "Ana Silva · Payments · Kolkata" in page, url
