"""People the hard rules keep out of a round are told why, and so is the programme's owner."""

import datetime as dt

import pytest
import time_machine

from connection.models import Nudge
from mentorship.models import Avoid, Programme
from mentorship.services.programmes import join_programme, run_round
from tests.helpers import make_team, make_user

UTC = dt.UTC


@pytest.fixture
def clock(db):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=UTC), tick=False) as t:
        yield t


def coffee(**overrides) -> Programme:
    fields = {"kind": "coffee", "name": "Coffee chats", "group_size": 2, "max_group_size": 3}
    return Programme.objects.create(**(fields | overrides))


def members(programme: Programme, *people) -> None:
    for person in people:
        join_programme(programme=programme, person=person)


def told(person) -> list[Nudge]:
    return list(Nudge.objects.filter(recipient=person, dedupe_key__startswith="left_out"))


def test_a_lead_whose_programme_is_their_own_reports_is_told_and_so_is_the_owner(clock, hana):
    team = make_team()
    lead = make_user(team=team, display_name="Lena Lead")
    reports = [make_user(team=team, manager=lead) for _ in range(3)]
    owner = make_user(display_name="Omar Owner")
    programme = coffee(created_by=owner)
    members(programme, lead, *reports)

    match_round = run_round(programme=programme)

    placed = {m.pk for g in match_round.groups.all() for m in g.members.all()}
    assert placed == {r.pk for r in reports}
    (nudge,) = told(lead)
    assert nudge.kind == "pairing"
    assert nudge.payload["title"] == "Coffee chats: no match for you this round"
    assert nudge.payload["body"].startswith(
        "Everyone else in Coffee chats this round is your manager or reports to you"
    )
    (summary,) = told(owner)
    assert summary.payload["title"] == "Coffee chats, round 1: 1 person left out"
    assert "1 of 4 members" in summary.payload["body"]
    assert "had only their manager or their reports in the round" in summary.payload["body"]
    assert "Lena" not in summary.payload["body"]
    assert told(hana) == []  # the creator owns it; HR hears only about ownerless ones
    assert all(told(r) == [] for r in reports)


def test_someone_avoiding_everyone_is_told_and_hr_hears_of_an_ownerless_programme(clock, hana):
    loner, *others = (make_user(team=make_team()) for _ in range(4))
    for other in others:
        Avoid.objects.create(person=loner, avoided=other)
    programme = coffee()
    members(programme, loner, *others)

    run_round(programme=programme)

    (nudge,) = told(loner)
    assert nudge.payload["body"] == (
        "Everyone in Coffee chats this round is someone you asked not to be paired with. "
        "We'll try again next round."
    )
    (summary,) = told(hana)
    assert "1 person asked not to be paired with everyone else" in summary.payload["body"]


def test_being_avoided_by_everyone_is_never_said(clock, hana):
    avoided, *others = (make_user(team=make_team()) for _ in range(4))
    for other in others:
        Avoid.objects.create(person=other, avoided=avoided)
    programme = coffee()
    members(programme, avoided, *others)

    run_round(programme=programme)

    (nudge,) = told(avoided)
    assert "asked not to" not in nudge.payload["body"]
    assert "under the programme's rules" in nudge.payload["body"]


def test_the_left_out_hear_once_a_round(clock, hana):
    lead = make_user()
    reports = [make_user(manager=lead) for _ in range(2)]
    programme = coffee(cadence_weeks=1)
    members(programme, lead, *reports)

    run_round(programme=programme)
    assert run_round(programme=programme) is None  # a second tick the same day
    assert len(told(lead)) == len(told(hana)) == 1
    clock.shift(dt.timedelta(weeks=1))
    run_round(programme=programme)
    assert len(told(lead)) == len(told(hana)) == 2


def test_a_round_that_places_everyone_tells_nobody_they_were_left_out(clock, hana):
    teams = [make_team() for _ in range(3)]
    people = [make_user(team=teams[i % 3]) for i in range(7)]
    owner = make_user()
    programme = coffee(created_by=owner)
    members(programme, *people)

    run_round(programme=programme)

    assert not Nudge.objects.filter(dedupe_key__startswith="left_out").exists()
    assert Nudge.objects.filter(dedupe_key__startswith="match:").count() == 7
