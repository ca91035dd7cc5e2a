"""A newcomer's home page: their buddy, a time they both work, and a first-week list
that ticks itself off as they do each thing (the journeys: Nia, week 1)."""

import datetime as dt
import re

import pytest
import time_machine

from connection.models import Signal
from mentorship.models import Booking, CheckIn, MatchGroup, MatchRound, OfficeHours, Programme
from rituals.services.thread import post_to_thread
from tests.helpers import make_ritual, make_team, make_user

WEDNESDAY = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)  # 09:00 in Berlin


@pytest.fixture
def clock():
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nia_and_buddy(db, clock):
    nia = make_user(
        display_name="Nia Okafor",
        time_zone="Europe/Berlin",
        start_date=dt.date(2026, 11, 30),
        team=make_team(name="Platform"),
    )
    buddy = make_user(
        display_name="Ines Silva",
        time_zone="Europe/Lisbon",
        team=make_team(name="Payments"),
    )
    programme = Programme.objects.create(kind="buddy", name="Newcomer buddies")
    match_round = MatchRound.objects.create(programme=programme, number=1, run_on=nia.start_date)
    group = MatchGroup.objects.create(round=match_round, newcomer=nia)
    group.members.set([nia, buddy])
    return nia, buddy, group


def page_of(client_for, person) -> str:
    response = client_for(person).get("/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_newcomer_sees_their_buddy_a_time_they_both_work_and_a_way_to_reach_them(
    nia_and_buddy, client_for
):
    nia, buddy, _ = nia_and_buddy
    page = page_of(client_for, nia)
    assert "Your first weeks" in page
    assert "Your buddy: Ines Silva</strong>, Payments" in page
    assert "It’s 08:00 for them in Lisbon" in page
    # Both work 09:00-17:00 local: Lisbon is an hour behind Berlin, so the first
    # shared half hour from the next hour on is 10:00 Berlin (09:00 Lisbon) today.
    assert "Wednesday 2 December, 10:00–10:30" in page
    assert f"mailto:{buddy.email}?subject=Our%20first%20buddy%20check-in" in page
    assert "Wednesday%202%20December%20at%2009%3A00%20your%20time" in page


def test_the_list_ticks_itself_off_and_the_card_goes_once_everything_is_done(
    nia_and_buddy, client_for
):
    nia, buddy, group = nia_and_buddy
    page = page_of(client_for, nia)
    assert page.count('<li class="">') == 4

    CheckIn.objects.create(group=group, person=nia, answer=CheckIn.Answer.MET, week=1)
    hours = OfficeHours.objects.create(host=buddy, weekday=3, start_time=dt.time(11))
    Booking.objects.create(office_hours=hours, starts_at=WEDNESDAY, booker=nia, topic="Deploys")
    page = page_of(client_for, nia)
    assert "✓</span> Meet your buddy" in page and "✓</span> Book office hours" in page
    assert '<a href="/rituals/">Join a ritual</a>' in page

    Signal.objects.create(actor=nia, team=nia.team, kind=Signal.Kind.ASKED, source="t:1")
    page = page_of(client_for, nia)
    assert "✓</span> Ask a first question in the thread" in page

    ritual = make_ritual(team=nia.team, created_by=nia, participation="opt_in")
    ritual.participants.add(nia)
    assert "Your first weeks" not in page_of(client_for, nia)


def test_someone_here_for_years_sees_no_first_week_card(db, clock, client_for, bob):
    assert "Your first weeks" not in page_of(client_for, bob)


def test_connect_shows_the_buddy_s_first_check_in_time(nia_and_buddy, client_for):
    nia, _, _ = nia_and_buddy
    page = re.sub(r"\s+", " ", client_for(nia).get("/mentorship/").content.decode())
    assert "You both work <strong>Wednesday 2 December, 10:00–10:30</strong> your time" in page


def test_her_first_thread_post_joins_the_team_s_daily_thread_ritual(nia_and_buddy, client_for):
    nia, _, _ = nia_and_buddy
    post_to_thread(author=nia, team=nia.team, status="Hello, I'm new", is_question=True)
    page = page_of(client_for, nia)
    assert "✓</span> Ask a first question in the thread" in page
    assert '<a href="/rituals/">Join a ritual</a>' in page  # the team runs no thread ritual
    make_ritual(team=nia.team, created_by=nia, format="async", name="Daily thread")
    assert "✓</span> Join a ritual" in page_of(client_for, nia)


def test_connect_says_this_week_s_answer_once_and_keeps_the_buttons_behind_change(
    nia_and_buddy, client_for
):
    nia, _, group = nia_and_buddy
    client = client_for(nia)
    before = re.sub(r"\s+", " ", client.get("/mentorship/").content.decode())
    assert "Week 1: did you meet?" in before and "Change your answer" not in before
    client.post(f"/mentorship/groups/{group.pk}/check-in/", {"week": 1, "answer": "met"})
    after = re.sub(r"\s+", " ", client.get("/mentorship/").content.decode())
    assert "Week 1: you said we met." in after
    assert "<summary>Change your answer</summary>" in after
    assert CheckIn.objects.get(group=group, person=nia).week == 1
