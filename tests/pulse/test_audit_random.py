"""Random organisations against the attacker of tests/pulse/attacker.py.

Hypothesis draws team trees with people of every tenure band and location and
two rounds of answers; every figure the rounds publish is solved together, and
nothing may single out, pin or leave lopsided a group of fewer than k. Then the
audit is switched off and the same attacker must find the group it protected.
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connection import disclosure
from connection.models import OrgSettings
from pulse.models import Round
from pulse.services import close_round, open_round
from tests.helpers import make_team
from tests.pulse.attacker import View
from tests.pulse.conftest import MONDAY, answer_all, fill_team

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- random organisations

TENURES = st.sampled_from([5 * 365, 2 * 365, 200, 30])
LOCATIONS = st.sampled_from(["remote", "hybrid", "office"])
PERSON = st.tuples(TENURES, LOCATIONS, st.integers(1, 5))
TEAM = st.lists(PERSON, min_size=0, max_size=9)


@st.composite
def organisations(draw):
    """A tree of up to three levels: a root with 1-3 teams, each with 0-3 sub-teams;
    each team has 0 to 9 people with a tenure, a location and an answer (1-5)."""
    root = {"people": draw(TEAM), "teams": []}
    for _ in range(draw(st.integers(1, 3))):
        team = {"people": draw(TEAM), "teams": []}
        for _ in range(draw(st.integers(0, 3))):
            team["teams"].append({"people": draw(TEAM), "teams": []})
        root["teams"].append(team)
    return root


def build(node, parent=None):
    """Make the teams and people; returns [(person, answer)]."""
    team = make_team(parent=parent)
    out = []
    for days, location, answer in node["people"]:
        (person,) = fill_team(
            team, 1, start_date=MONDAY.date() - dt.timedelta(days=days), location=location
        )
        out.append((person, answer))
    for child in node["teams"]:
        out += build(child, team)
    return out


def report(clock, people, week: int) -> Round:
    start = MONDAY + dt.timedelta(days=7 * week)
    clock.move_to(start)
    round_ = open_round(now=start)
    for person, answer in people:
        answer_all(round_, [person], value=answer, enps=min(10, 2 * answer))
    close_round(round_=round_, now=round_.closes_at)
    return round_


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(org=organisations(), churn=st.integers(0, 3))
def test_no_random_organisation_shows_a_small_group_in_any_round(clock, org, churn):
    """Two rounds of a random organisation; in the second, `churn` people skip it."""
    with transaction.atomic():
        OrgSettings.load()
        people = build(org)
        rounds = [report(clock, people, 0), report(clock, people[churn:], 1)]
        for round_ in rounds:
            assert View.read(round_).everything() == []
        transaction.set_rollback(True)


def test_with_the_audit_switched_off_the_attacker_finds_the_small_group(clock, monkeypatch):
    """Dept holds A (6) and B (2). Without the audit, Dept and A are both shown and
    Dept minus A is B's two people: the attacker above must see that."""
    monkeypatch.setattr(disclosure, "protect", lambda *args, **kwargs: {})
    OrgSettings.load()
    dept = make_team(name="Dept")
    a, b = make_team(name="A", parent=dept), make_team(name="B", parent=dept)
    people = [(p, 4) for p in fill_team(a, 6)] + [(p, 1) for p in fill_team(b, 2)]
    found = View.read(report(clock, people, 0)).everything()
    assert any("2 respondents isolated" in problem for problem in found)
