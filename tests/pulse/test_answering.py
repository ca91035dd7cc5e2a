import datetime as dt
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from connection.models import AuditEntry, Nudge, OrgSettings
from connection.nudges import deliver_due_nudges
from mentorship.models import MatchRound, Programme
from mentorship.services.office_hours import host_office_hours
from pulse import reference as pulse_reference
from pulse.answering import AlreadyAnswered, PulseError
from pulse.models import Answer, CellAnswer, Question, Receipt, Response, Round, RoundCell
from pulse.services import (
    change_privacy_settings,
    choose_questions,
    close_round,
    edit_question,
    open_round,
    plan_reminders,
    pulse_tick,
    submit_response,
)
from tests.helpers import shows_errors
from tests.pulse.conftest import MONDAY, answer_all, fill_team


def form_data(round_, value="4", enps="9", **extra):
    data = {f"q{q.pk}": (enps if q.is_enps else value) for q in round_.questions.all()}
    return data | extra


def counts():
    return (Receipt.objects.count(), Response.objects.count(), Answer.objects.count())


def test_round_opens_with_five_to_eight_items_and_invites_each_morning(pulse_round, alice, bob):
    assert 5 <= pulse_round.questions.count() <= 8
    invites = Nudge.objects.filter(kind="pulse_invite")
    assert {n.recipient for n in invites} == {alice, bob}
    bob_invite = invites.get(recipient=bob)
    assert bob_invite.due_at == dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # 09:00 Lisbon
    assert bob_invite.expires_at == pulse_round.closes_at


def test_rotation_covers_the_whole_bank_within_a_month(db):
    asked = set()
    for number in range(1, 5):
        asked |= {q.code for q in choose_questions(number, 6)}
    assert asked == set(Question.objects.current().values_list("code", flat=True))


def test_the_tick_opens_once_per_cadence(db, clock):
    pulse_tick(now=MONDAY)
    pulse_tick(now=MONDAY + dt.timedelta(hours=1))
    assert Round.objects.count() == 1


def test_employee_answers_and_only_a_receipt_names_them(client_for, pulse_round, bob):
    client = client_for(bob)
    page = client.get("/pulse/").content.decode()
    assert "Your manager sees your team’s results only when at least 5 people answered" in page
    response = client.post("/pulse/", form_data(pulse_round))
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert Receipt.objects.get().person == bob
    stored = Response.objects.get()
    assert stored.team == bob.team
    assert stored.tenure_band == "1-3y"
    assert Answer.objects.filter(response=stored).count() == pulse_round.questions.count()


def test_low_belonging_offers_care_without_storing_it(client_for, pulse_round, bob, alice):
    belonging = pulse_round.questions.filter(dimension="belonging").first()
    data = form_data(pulse_round) | {f"q{belonging.pk}": "1"}
    body = client_for(bob).post("/pulse/", data).content.decode()
    assert "A week like that is worth a conversation" in body
    assert "Hearth didn’t save anything" in body
    ok = client_for(alice).post("/pulse/", form_data(pulse_round)).content.decode()
    assert "worth a conversation" not in ok
    # Both pages ask for the same next steps: the request after it tells nothing.
    steps = 'hx-get="/mentorship/next-steps/"'
    assert steps in body and steps in ok
    # Nothing beyond the receipt and the anonymous response was written.
    assert not Nudge.objects.exclude(kind="pulse_invite").exists()


def test_the_next_steps_offer_the_coffee_round_and_two_colleagues_office_hours(
    client_for, pulse_round, bob, alice, team
):
    coffee = Programme.objects.create(kind="coffee", name="Coffee chats", cadence_weeks=2)
    hosts = [alice, *fill_team(team, 2)]
    for number, host in enumerate(hosts):
        host_office_hours(
            host=host,
            weekday=2 + number,
            start_time=dt.time(11),
            minutes=60,
            block_minutes=20,
            about=f"Topic {number}",
        )
    host_office_hours(
        host=bob, weekday=2, start_time=dt.time(9), minutes=60, block_minutes=20, about="Mine"
    )
    page = client_for(bob).get("/mentorship/next-steps/").content.decode()
    assert f'action="/mentorship/programmes/{coffee.pk}/membership/"' in page
    assert "Join the next round of Coffee chats" in page
    booked = re.findall(r'href="/mentorship/office-hours/#oh-(\d+)"', page)
    assert len(booked) == 2  # two colleagues, the soonest free first; never his own
    assert "Mine" not in page

    client_for(bob).post(f"/mentorship/programmes/{coffee.pk}/membership/", {"action": "join"})
    page = client_for(bob).get("/mentorship/next-steps/").content.decode()
    assert "You’re in Coffee chats" in page and "Join the next round" not in page


def test_a_coffee_round_due_today_is_announced_as_today_not_as_a_date(client_for, pulse_round, bob):
    coffee = Programme.objects.create(kind="coffee", name="Coffee chats", cadence_weeks=2)
    MatchRound.objects.create(
        programme=coffee, number=1, run_on=MONDAY.date() - dt.timedelta(weeks=2)
    )
    page = client_for(bob).get("/mentorship/next-steps/").content.decode()
    assert "The next round is today." in page and "Next round Monday" not in page
    MatchRound.objects.create(programme=coffee, number=2, run_on=MONDAY.date())
    page = client_for(bob).get("/mentorship/next-steps/").content.decode()
    assert "Next round Monday 7 December." in page


def test_second_submission_says_it_was_answered_and_stores_nothing(client_for, pulse_round, bob):
    client = client_for(bob)
    client.post("/pulse/", form_data(pulse_round))
    before = counts()
    response = client.post("/pulse/", form_data(pulse_round, value="1"))
    assert response.status_code == 200  # the page says so; a second tab is no error
    assert "You’ve answered this pulse" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"value": "6"}, 200, "Select a valid choice"),
        ({"value": ""}, 200, "Please choose an answer."),
        ({"extra": {"comment": "x" * 1001}}, 200, "at most 1000 characters"),
        # no form offers a team: a tampered post is refused outright
        ({"extra": {"team": "999"}}, 400, "Your team comes from your profile"),
    ],
    ids=["out-of-range", "missing", "long-comment", "tampered-team"],
)
def test_bad_answers_store_nothing(client_for, pulse_round, bob, change, status, message):
    data = form_data(pulse_round, value=change.get("value", "4")) | change.get("extra", {})
    response = client_for(bob).post("/pulse/", data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert counts() == (0, 0, 0)


def test_answer_after_close_is_refused(client_for, pulse_round, bob, clock):
    clock.move_to(pulse_round.closes_at + dt.timedelta(minutes=1))
    response = client_for(bob).post("/pulse/", form_data(pulse_round))
    assert shows_errors(response)
    assert counts() == (0, 0, 0)


def test_service_refuses_unknown_and_retired_items(pulse_round, bob):
    answers = {q.pk: 9 if q.is_enps else 4 for q in pulse_round.questions.all()}
    retired = Question.objects.exclude(pk__in=answers).first()
    Question.objects.filter(pk=retired.pk).update(retired=True)
    with pytest.raises(PulseError, match="doesn't ask"):
        submit_response(person=bob, round_=pulse_round, answers=answers | {retired.pk: 3})
    with pytest.raises(PulseError, match="doesn't ask"):
        submit_response(person=bob, round_=pulse_round, answers=answers | {999999: 3})
    assert counts() == (0, 0, 0)


def test_api_current_submit_and_conflict(client_for, pulse_round, bob):
    client = client_for(bob)
    current = client.get("/api/pulse/current/").json()
    assert current["number"] == 1 and not current["answered"]
    answers = {str(q["id"]): (9 if q["dimension"] == "enps" else 4) for q in current["questions"]}
    created = client.post(
        "/api/pulse/responses/", {"answers": answers}, content_type="application/json"
    )
    assert created.status_code == 201
    again = client.post(
        "/api/pulse/responses/", {"answers": answers}, content_type="application/json"
    )
    assert again.status_code == 409
    tampered = client.post(
        "/api/pulse/responses/", {"answers": answers, "team": 3}, content_type="application/json"
    )
    assert tampered.status_code == 400
    assert counts()[0] == 1


def test_html_in_comments_is_escaped_on_the_results_page(client_for, pulse_round, alice, bob, team):
    people = [alice, bob, *fill_team(team, 9)]
    answer_all(pulse_round, people, comment="<script>alert(1)</script>")
    close_round(round_=pulse_round, now=pulse_round.closes_at)
    body = client_for(alice).get("/pulse/results/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_reminder_goes_once_only_to_those_who_have_not_answered(pulse_round, alice, bob):
    answer_all(pulse_round, [alice])
    halfway = pulse_round.opens_at + dt.timedelta(days=2)
    assert plan_reminders(round_=pulse_round, now=halfway) == 1
    assert plan_reminders(round_=pulse_round, now=halfway) == 0
    assert [n.recipient for n in Nudge.objects.filter(kind="pulse_reminder")] == [bob]


def test_someone_who_answered_before_their_invitation_is_not_invited(
    pulse_round, alice, bob, clock
):
    """Bob answered from the link a colleague shared before his 09:00 invitation
    came due: the invitation and any reminder are skipped, Alice's still goes."""
    answer_all(pulse_round, [bob])
    clock.move_to(dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC))  # 09:30 New York
    report = deliver_due_nudges()
    assert report.reasons == {"already answered": 1}
    assert report.sent == 1
    assert Nudge.objects.get(recipient=alice, kind="pulse_invite").status == "sent"
    assert Nudge.objects.get(recipient=bob, kind="pulse_invite").last_error == "already answered"


def test_closing_computes_snapshots_idempotently(pulse_round, alice, bob, team):
    answer_all(pulse_round, [alice, bob, *fill_team(team, 4)], value=5)
    assert close_round(round_=pulse_round, now=pulse_round.closes_at)
    cells = list(RoundCell.objects.values_list("respondents", "score_sum"))
    stats = CellAnswer.objects.count()
    pulse_round.refresh_from_db()
    assert pulse_round.status == "reported"
    from pulse.services import aggregate_round

    aggregate_round(round_=pulse_round)
    assert list(RoundCell.objects.values_list("respondents", "score_sum")) == cells
    assert CellAnswer.objects.count() == stats
    assert sum(n for n, _ in cells) == 6
    assert sum(s for _, s in cells) == 600.0  # all "strongly agree": 100 each


def test_editing_a_question_keeps_old_answers_wording(pulse_round, alice):
    answer_all(pulse_round, [alice])
    asked = pulse_round.questions.exclude(dimension="enps").first()
    new = edit_question(question=asked, text="Reworded item")
    answer = Answer.objects.get(question=asked)
    assert answer.question.text != "Reworded item"
    assert new.version == 2 and new.code == asked.code
    assert asked not in Question.objects.current()


def test_k_is_audited_never_below_three_and_locked_while_open(pulse_round, hana):
    with pytest.raises(PulseError, match="locked while a pulse is open"):
        change_privacy_settings(changed_by=hana, min_group_size=7, comment_threshold=10)
    with pytest.raises(PulseError, match="below 3"):
        change_privacy_settings(changed_by=hana, min_group_size=2, comment_threshold=10)
    close_round(round_=pulse_round, now=pulse_round.closes_at)
    change_privacy_settings(changed_by=hana, min_group_size=7, comment_threshold=12)
    assert OrgSettings.load().min_group_size == 7
    entry = AuditEntry.objects.get(kind="privacy")
    assert entry.actor == hana
    assert entry.detail == {"changed": {"min_group_size": [5, 7], "comment_threshold": [10, 12]}}


def test_answering_the_pulse_writes_nothing_to_the_audit_trail(client_for, pulse_round, bob):
    data = form_data(pulse_round, comment="A private thought")
    assert client_for(bob).post("/pulse/", data).status_code == 200
    assert Response.objects.exists() and not AuditEntry.objects.exists()


def test_no_model_reachable_from_a_response_points_at_a_person():
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    org_structure = {apps.get_model("connection", "Team")}  # shared by whole teams
    seen, queue = set(), [Response, Answer, RoundCell, CellAnswer]
    while queue:
        model = queue.pop()
        if model in seen:
            continue
        seen.add(model)
        for field in model._meta.get_fields():
            if not (
                field.is_relation and (field.many_to_one or field.one_to_one or field.many_to_many)
            ):
                continue
            if field.auto_created and not field.concrete:
                continue  # reverse relations: rows pointing here, not from here
            target = field.related_model
            assert target is not person_model, f"{model.__name__}.{field.name} points at a person"
            if target not in org_structure:
                queue.append(target)
    # Nothing finer than the round in time, and no shared id with receipts.
    assert not any(
        isinstance(f, models.DateTimeField | models.DateField) for f in Response._meta.fields
    )
    assert isinstance(Response._meta.pk, models.UUIDField)
    assert isinstance(Receipt._meta.pk, models.UUIDField)
    # What they share is coarse (the slices the round is reported by), never an id.
    shared = {f.name for f in Response._meta.fields} & {f.name for f in Receipt._meta.fields}
    assert shared == {"id", "round", "team", "tenure_band", "location"}


def test_responses_are_not_in_the_admin():
    from django.contrib import admin

    for model in (Response, Answer, Receipt, RoundCell, CellAnswer):
        assert not admin.site.is_registered(model)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_store_one_response():
    from connection.models import Team
    from tests.helpers import make_user, race

    # An earlier transactional test may have truncated the migrated question bank.
    pulse_reference.ensure_reference_data()
    team = Team.objects.create(name="Race")
    person = make_user(team=team)
    round_ = open_round(now=MONDAY)
    answers = {q.pk: 9 if q.is_enps else 4 for q in round_.questions.all()}
    outcomes = race(
        lambda: submit_response(person=person, round_=round_, answers=answers, now=MONDAY),
        refused=AlreadyAnswered,
    )
    assert outcomes == ["AlreadyAnswered", "won"]
    assert (Receipt.objects.count(), Response.objects.count()) == (1, 1)


def test_submission_queries_do_not_grow_with_the_number_of_items(client_for, clock, bob, team):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from pulse.models import PulseSettings

    config = PulseSettings.load()
    counted = []
    for items, when in ((5, MONDAY), (8, MONDAY + dt.timedelta(days=7))):
        PulseSettings.objects.filter(pk=config.pk).update(items_per_round=items)
        clock.move_to(when)
        round_ = open_round(now=when)
        assert round_.questions.count() == items
        person = fill_team(team, 1)[0]
        client = client_for(person)
        with CaptureQueriesContext(db) as queries:
            response = client.post("/pulse/", form_data(round_))
        assert response.status_code == 200
        counted.append(len(queries))
        close_round(round_=round_, now=round_.closes_at)
    assert counted[0] == counted[1]


def test_home_invites_until_answered(client_for, pulse_round, bob, charlie):
    client = client_for(bob)
    assert "This week’s pulse is open" in client.get("/").content.decode()
    client.post("/pulse/", form_data(pulse_round))
    assert "This week’s pulse is open" not in client.get("/").content.decode()


def test_people_outside_the_audience_are_not_asked(
    client_for, db, clock, team, other_team, charlie
):
    from pulse.models import PulseSettings

    PulseSettings.load().audience.set([team])
    round_ = open_round(now=MONDAY)
    assert not Nudge.objects.filter(recipient=charlie).exists()
    response = client_for(charlie).post("/pulse/", form_data(round_))
    assert shows_errors(response)
    assert counts() == (0, 0, 0)
