import datetime as dt

import pytest
import time_machine

from connection.models import OrgSettings
from pulse.services import open_round, submit_response
from tests.helpers import make_team, make_user

MONDAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pulse_round(db, clock, team, alice, bob):
    OrgSettings.load()
    return open_round(now=MONDAY)


def answer_all(round_, people, value=4, enps=9, comment="", overrides=None):
    """Every person answers every question of the round with `value`."""
    for person in people:
        answers = {}
        for question in round_.questions.all():
            answers[question.pk] = enps if question.is_enps else value
        answers.update((overrides or {}).get(person.pk, {}))
        submit_response(person=person, round_=round_, answers=answers, comment=comment)


def fill_team(team, count, **fields):
    return [make_user(team=team, **fields) for _ in range(count)]


__all__ = ["answer_all", "fill_team", "make_team"]
