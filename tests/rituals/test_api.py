import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from rituals.models import Attendance, Recognition, Spend, ThreadPost, Value
from rituals.services.budgets import set_budget
from rituals.services.rituals import adopt_ritual


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def ritual(clock, alice, bob, team):
    return adopt_ritual(
        team=team,
        created_by=alice,
        name="Co-working",
        format="sync",
        rule="FREQ=WEEKLY;BYDAY=MO",
        start_time=dt.time(10),
        time_zone="UTC",
        duration=15,
        hypothesis="h",
        confirm_outside_hours=True,
    )


def test_rituals_and_occurrences_are_scoped(client_for, ritual, charlie):
    assert client_for(charlie).get("/api/rituals/").json()["count"] == 0
    assert client_for(charlie).get(f"/api/rituals/{ritual.pk}/").status_code == 404


def test_attend_and_rate_through_the_api(client_for, clock, ritual, bob):
    occurrence = ritual.occurrences.first()
    clock.move_to(occurrence.starts_at + dt.timedelta(minutes=30))
    client = client_for(bob)
    response = client.post(
        f"/api/occurrences/{occurrence.pk}/attend/",
        {"worth_it": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Attendance.objects.get().worth_it is True


def test_post_to_the_thread_through_the_api(client_for, clock, bob, charlie, team):
    created = client_for(bob).post(
        "/api/thread-posts/",
        {"team": team.pk, "status": "API hello", "is_question": True},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert ThreadPost.objects.get().is_question
    refused = client_for(charlie).post(
        "/api/thread-posts/",
        {"team": team.pk, "status": "not mine"},
        content_type="application/json",
    )
    assert refused.status_code == 404


def test_recognition_through_the_api_refuses_self(client_for, clock, bob, alice):
    value = Value.objects.first()
    client = client_for(bob)
    ok = client.post(
        "/api/recognition/",
        {"receivers": [alice.pk], "message": "thanks", "values": [value.pk], "visibility": "team"},
        content_type="application/json",
    )
    assert ok.status_code == 201
    selfish = client.post(
        "/api/recognition/",
        {"receivers": [bob.pk], "message": "me", "values": [value.pk], "visibility": "team"},
        content_type="application/json",
    )
    assert selfish.status_code == 400
    assert Recognition.objects.count() == 1


def test_budget_spends_through_the_api(client_for, clock, alice, bob, team):
    budget = set_budget(
        team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(0), money=Decimal(100)
    )
    client = client_for(alice)
    listed = client.get("/api/budgets/").json()["results"]
    assert listed[0]["money_left"] == "100.00"
    body = {"category": "gathering", "amount": "70", "hours": "0", "spent_on": "2026-11-10"}
    assert (
        client.post(
            f"/api/budgets/{budget.pk}/spends/", body, content_type="application/json"
        ).status_code
        == 201
    )
    over = client.post(f"/api/budgets/{budget.pk}/spends/", body, content_type="application/json")
    assert over.status_code == 400
    assert client_for(bob).get("/api/budgets/").json()["count"] == 0
    assert Spend.objects.count() == 1
