"""The mentoring log counts a session only when its mentor agrees it happened."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from connection.models import Nudge, Signal
from mentorship.models import MentoringSession
from mentorship.services.errors import MentorshipError
from mentorship.services.mentoring_log import decide_session, log_session, quarter_hours
from tests.helpers import make_user, race


@pytest.fixture
def clock(db):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def newcomer(team):
    return make_user(display_name="Nia Newcomer", team=team, start_date=dt.date(2026, 11, 20))


def claim(client, mentor, minutes=480):
    """The review's attack: a newcomer names someone as their mentor for a full day."""
    return client.post(
        "/mentorship/log/",
        {
            "other": mentor.pk,
            "role": "mentee",
            "kind": "mentoring",
            "held_on": "2026-11-24",
            "minutes": minutes,
            "note": "",
        },
    )


def test_naming_someone_as_mentor_credits_nothing_until_they_confirm(
    client_for, clock, newcomer, hana
):
    client = client_for(newcomer)
    for _ in range(3):
        assert claim(client, hana).status_code == 302
    assert "counts once Hana confirms" in client.get("/mentorship/log/").content.decode()
    assert quarter_hours(hana) == 0
    assert not Signal.objects.filter(actor=hana).exists()
    assert set(MentoringSession.objects.values_list("status", flat=True)) == {"pending"}
    asks = Nudge.objects.filter(recipient=hana, kind="mentoring_confirm")
    assert asks.count() == 3
    hr_log = client_for(hana).get("/mentorship/log/").content.decode()
    assert "Sessions to confirm" in hr_log and "Nia Newcomer" in hr_log


def test_the_mentor_confirms_or_declines_on_the_session_page(client_for, clock, newcomer, alice):
    client = client_for(newcomer)
    claim(client, alice, minutes=60)
    claim(client, alice, minutes=90)
    first, second = MentoringSession.objects.order_by("pk")
    nudge = Nudge.objects.filter(recipient=alice, kind="mentoring_confirm").first()
    assert nudge.url == f"/mentorship/sessions/{first.pk}/"
    mentor = client_for(alice)
    page = mentor.get(f"/mentorship/sessions/{first.pk}/").content.decode()
    assert "Nia Newcomer" in page and "Confirm" in page
    assert (
        mentor.post(f"/mentorship/sessions/{first.pk}/", {"action": "confirm"}).status_code == 302
    )
    assert (
        mentor.post(f"/mentorship/sessions/{second.pk}/", {"action": "decline"}).status_code == 302
    )
    assert quarter_hours(alice) == 1.0
    assert Signal.objects.filter(actor=alice, other=newcomer, kind="mentored").count() == 1
    # A second click on the same button changes nothing.
    assert (
        mentor.post(f"/mentorship/sessions/{first.pk}/", {"action": "confirm"}).status_code == 302
    )
    assert Signal.objects.filter(actor=alice).count() == 1


def test_only_the_mentor_decides_and_nobody_else_sees_the_session(
    client_for, clock, newcomer, alice, charlie
):
    claim(client_for(newcomer), alice)
    session = MentoringSession.objects.get()
    own = client_for(newcomer).post(f"/mentorship/sessions/{session.pk}/", {"action": "confirm"})
    assert own.status_code == 403
    assert client_for(charlie).get(f"/mentorship/sessions/{session.pk}/").status_code == 404
    with pytest.raises(MentorshipError, match="mentor"):
        decide_session(session=session, by=newcomer, confirm=True)
    session.refresh_from_db()
    assert session.status == "pending"
    assert not Signal.objects.exists()


def test_a_mentor_logging_their_own_session_counts_at_once(client_for, clock, alice, bob):
    log_session(
        mentor=alice,
        mentee=bob,
        kind="shadowing",
        held_on=dt.date(2026, 11, 24),
        minutes=30,
        note="",
        logged_by=alice,
    )
    assert quarter_hours(alice) == 0.5
    assert Signal.objects.filter(actor=alice, other=bob, kind="shadowed").exists()
    assert not Nudge.objects.filter(kind="mentoring_confirm").exists()


def test_the_api_logs_as_the_mentor_and_refuses_a_missing_kind(client_for, clock, alice, bob):
    client = client_for(alice)
    body = {"mentee": bob.pk, "held_on": "2026-11-24", "minutes": 45}
    missing = client.post("/api/mentoring-sessions/", body, content_type="application/json")
    assert missing.status_code == 400
    assert "kind" in missing.json()
    created = client.post(
        "/api/mentoring-sessions/", body | {"kind": "mentoring"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["status"] == "confirmed"
    assert created.json()["mentor"] == alice.pk
    listed = client_for(bob).get("/api/mentoring-sessions/").json()["results"]
    assert [s["minutes"] for s in listed] == [45]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency")
@pytest.mark.django_db(transaction=True)
def test_a_mentor_confirming_twice_at_once_counts_the_session_once():
    mentor, mentee = make_user(), make_user()
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC), tick=False):
        session = log_session(
            mentor=mentor,
            mentee=mentee,
            kind="mentoring",
            held_on=dt.date(2026, 11, 24),
            minutes=60,
            note="",
            logged_by=mentee,
        )
        outcomes = race(
            lambda: decide_session(
                session=MentoringSession.objects.get(pk=session.pk), by=mentor, confirm=True
            ),
            threads=4,
            refused=MentorshipError,
        )
    assert outcomes == ["won"] * 4  # a repeated decision is the same answer, not an error
    assert Signal.objects.filter(actor=mentor, kind="mentored").count() == 1
    assert MentoringSession.objects.get().status == "confirmed"


def test_only_hr_sees_which_senior_people_reached_the_quarters_hours(
    client_for, clock, alice, bob, charlie, hana
):
    alice.is_senior = charlie.is_senior = True
    alice.save(update_fields=["is_senior"])
    charlie.save(update_fields=["is_senior"])
    held_on = dt.date(2026, 11, 24)
    log_session(
        mentor=alice,
        mentee=bob,
        kind="mentoring",
        held_on=held_on,
        minutes=360,
        note="",
        logged_by=alice,
    )
    # Logged by the mentee and not confirmed: it does not count toward Charlie's hours.
    log_session(
        mentor=charlie,
        mentee=bob,
        kind="mentoring",
        held_on=held_on,
        minutes=400,
        note="",
        logged_by=bob,
    )
    page = client_for(hana).get("/mentorship/log/")
    rows = [(r["team"].name, r["seniors"], r["reached"]) for r in page.context["coverage"]]
    assert rows == [(alice.team.name, 1, 1), (charlie.team.name, 1, 0)]  # by team name
    assert "Coverage this quarter (expectation 6 h)" in page.content.decode()
    for person in (alice, bob, charlie):
        page = client_for(person).get("/mentorship/log/")
        assert page.context["coverage"] is None
        assert "Coverage this quarter" not in page.content.decode()
