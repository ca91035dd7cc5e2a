"""The API's submit (pulse/answering.py): the open round is kept per process for a few
seconds, and the database decides whether the round is still open when the rows are
written. What another process does to the round meanwhile is done here through the
ORM directly, so this process's copy is stale, as it would be."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from connection.models import Team
from pulse import reference as pulse_reference
from pulse.answering import answer_open_round, open_round_at
from pulse.models import Question, Receipt, Response, Round, RoundCell, RoundQuestion
from pulse.services import close_round, open_round
from tests.helpers import make_user
from tests.pulse.conftest import MONDAY, fill_team

SUBMIT = "/api/pulse/responses/"


def token_client(person) -> Client:
    key = Token.objects.get_or_create(user=person)[0].key
    return Client(headers={"authorization": f"Token {key}"})


def answers_for(round_) -> dict[str, int]:
    return {str(q.pk): 9 if q.is_enps else 4 for q in round_.questions.all()}


def submit(person, round_):
    return token_client(person).post(
        SUBMIT, {"answers": answers_for(round_)}, content_type="application/json"
    )


def stored() -> tuple[int, int]:
    return Receipt.objects.count(), Response.objects.count()


def test_a_round_closed_after_this_process_read_it_is_refused(pulse_round, alice, bob):
    assert submit(alice, pulse_round).status_code == 201
    # Another process closes it; this one still holds the round as open.
    Round.objects.filter(pk=pulse_round.pk).update(status=Round.Status.CLOSED)
    refused = submit(bob, pulse_round)
    assert refused.status_code == 409
    assert "closed" in refused.json()["detail"]
    assert stored() == (1, 1)


def test_a_round_whose_closing_time_passed_is_refused_without_a_tick(pulse_round, clock, bob):
    assert open_round_at(MONDAY) is not None  # read, and kept
    clock.move_to(pulse_round.closes_at)
    assert submit(bob, pulse_round).status_code == 409
    assert stored() == (0, 0)


def test_a_round_opened_after_the_kept_one_closed_is_found(pulse_round, clock, alice, bob):
    assert submit(alice, pulse_round).status_code == 201
    # Another process closes the round and opens the next with the same items.
    Round.objects.filter(pk=pulse_round.pk).update(status=Round.Status.CLOSED)
    later = MONDAY + dt.timedelta(hours=1)
    clock.move_to(later)
    following = Round.objects.create(
        number=2,
        opens_at=later,
        closes_at=later + dt.timedelta(days=4),
        min_group_size=pulse_round.min_group_size,
        comment_threshold=pulse_round.comment_threshold,
    )
    RoundQuestion.objects.bulk_create(
        RoundQuestion(round=following, question_id=rq.question_id, position=rq.position)
        for rq in RoundQuestion.objects.filter(round=pulse_round)
    )
    assert submit(bob, pulse_round).status_code == 201
    assert Receipt.objects.get(person=bob).round == following


def test_a_round_opened_with_other_questions_is_answered_at_once(pulse_round, clock, alice, bob):
    """Answers to a round this process has not seen yet (HR closed one and opened the
    next within CACHE_SECONDS, asking one more question) are stored, not refused
    as answers to questions the kept round does not ask."""
    assert submit(alice, pulse_round).status_code == 201  # round 1 is now kept
    Round.objects.filter(pk=pulse_round.pk).update(status=Round.Status.CLOSED)
    following = Round.objects.create(
        number=2,
        opens_at=MONDAY,
        closes_at=MONDAY + dt.timedelta(days=4),
        min_group_size=pulse_round.min_group_size,
        comment_threshold=pulse_round.comment_threshold,
    )
    asked = list(RoundQuestion.objects.filter(round=pulse_round))
    extra = Question.objects.exclude(pk__in=[rq.question_id for rq in asked]).first()
    RoundQuestion.objects.bulk_create(
        [
            RoundQuestion(round=following, question_id=rq.question_id, position=rq.position)
            for rq in asked
        ]
        + [RoundQuestion(round=following, question=extra, position=len(asked))]
    )
    answered = submit(bob, following)
    assert answered.status_code == 201, answered.json()
    receipt = Receipt.objects.get(person=bob)
    assert receipt.round == following
    assert Response.objects.filter(round=following).get().answers.count() == len(asked) + 1


def test_someone_outside_the_chosen_teams_is_not_asked(db, clock, team, other_team, bob):
    outsider = make_user(team=other_team)
    round_ = open_round(now=MONDAY)
    round_.audience_teams.set([team])
    assert submit(outsider, round_).status_code == 409
    assert submit(bob, round_).status_code == 201
    assert stored() == (1, 1)


def test_an_inactive_persons_token_is_refused(pulse_round, bob):
    client = token_client(bob)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    answered = client.post(
        SUBMIT, {"answers": answers_for(pulse_round)}, content_type="application/json"
    )
    assert answered.status_code == 403  # DRF: the first scheme, the session, sends no challenge
    assert stored() == (0, 0)


def test_a_submission_is_two_queries_on_postgresql(pulse_round, team, alice, bob):
    """The token's person, then one statement for the receipt, response and answers
    (elsewhere the rows are written one statement each, inside a transaction)."""
    assert submit(alice, pulse_round).status_code == 201  # the round is now kept
    client = token_client(bob)
    body = {"answers": answers_for(pulse_round)}
    with CaptureQueriesContext(connection) as queries:
        assert client.post(SUBMIT, body, content_type="application/json").status_code == 201
    written = [q["sql"] for q in queries if "INSERT" in q["sql"] or "SELECT" in q["sql"]]
    expected = 2 if connection.vendor == "postgresql" else 5
    assert len(written) == expected, written


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency")
@pytest.mark.django_db(transaction=True)
def test_answers_racing_the_close_are_all_in_the_snapshot_or_refused():
    """Closing waits for answers being written, and answers after it are refused: the
    snapshot counts every stored response, however the two interleave."""
    pulse_reference.ensure_reference_data()
    team = Team.objects.create(name="Race")
    people = fill_team(team, 12)
    round_ = open_round(now=MONDAY)
    answers = {q.pk: 9 if q.is_enps else 4 for q in round_.questions.all()}
    closes = round_.closes_at - dt.timedelta(seconds=1)
    barrier, outcomes = threading.Barrier(len(people) + 1), []

    def answer(person):
        try:
            barrier.wait()
            answer_open_round(person=person, answers=answers, now=closes)
            outcomes.append("stored")
        except Exception as error:  # noqa: BLE001 (each refusal is counted below)
            outcomes.append(type(error).__name__)
        finally:
            db_connection.close()

    def close():
        try:
            barrier.wait()
            close_round(round_=round_, now=round_.closes_at)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=answer, args=(p,)) for p in people]
    threads.append(threading.Thread(target=close))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(outcomes) <= {"stored", "RoundClosed"}
    counted = sum(RoundCell.objects.filter(round=round_).values_list("respondents", flat=True))
    assert counted == Response.objects.filter(round=round_).count() == outcomes.count("stored")
