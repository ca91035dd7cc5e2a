import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rituals.models import Attendance, Budget, Spend
from rituals.services.budgets import (
    budget_status,
    budget_statuses,
    log_spend,
    ritual_hours,
    set_budget,
)
from rituals.services.errors import RitualError
from rituals.services.rituals import adopt_ritual
from tests.helpers import make_team, race


@pytest.fixture
def clock():
    # Halfway through Q4 2026.
    with time_machine.travel(dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC), tick=False) as t:
        yield t


def spend(budget, amount="10", hours="0", on=dt.date(2026, 11, 10), by=None, note=""):
    return log_spend(
        budget=budget,
        category="gathering",
        amount=Decimal(amount),
        hours=Decimal(hours),
        spent_on=on,
        note=note,
        logged_by=by,
    )


def test_hr_sets_a_budget_and_a_manager_logs_a_spend(client_for, clock, hana, alice, team):
    response = client_for(hana).post(
        "/rituals/budgets/", {"team": team.pk, "hours": "40", "money": "1000"}
    )
    assert response.status_code == 302
    budget = Budget.objects.get()
    assert (budget.quarter, budget.money) == (dt.date(2026, 10, 1), Decimal("1000"))
    response = client_for(alice).post(
        f"/rituals/budgets/{budget.pk}/",
        {
            "category": "gathering",
            "amount": "250",
            "hours": "6",
            "spent_on": "2026-11-12",
            "note": "Team lunch in Lisbon",
        },
    )
    assert response.status_code == 302
    status = budget_status(budget)
    assert (status.money_left, status.hours_left) == (Decimal("750"), Decimal("34"))
    page = client_for(hana).get("/rituals/budgets/").content.decode()
    assert "Platform" in page and "250" in page


def test_projection_scales_spend_to_the_whole_quarter(clock, team):
    budget = set_budget(
        team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(0), money=Decimal(1000)
    )
    spend(budget, "460")
    # 46 of 92 days have passed: twice the spend by the end.
    assert budget_status(budget).money_projected == Decimal("920.00")


def test_overspend_is_refused_unless_hr_allows_it(clock, team):
    budget = set_budget(
        team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(5), money=Decimal(100)
    )
    spend(budget, "80")
    with pytest.raises(RitualError, match="20.00 left"):
        spend(budget, "30")
    with pytest.raises(RitualError, match="hours left"):
        spend(budget, "0", hours="6")
    Budget.objects.filter(pk=budget.pk).update(allow_overspend=True)
    budget.refresh_from_db()
    spend(budget, "30")
    assert Spend.objects.count() == 2


@pytest.mark.parametrize(
    ("amount", "hours", "on", "message"),
    [
        ("-5", "0", dt.date(2026, 11, 10), "can't be negative"),
        ("0", "0", dt.date(2026, 11, 10), "Enter an amount"),
        ("5", "0", dt.date(2027, 1, 2), "must fall in Q4 2026"),
    ],
)
def test_bad_spends_write_nothing(clock, team, amount, hours, on, message):
    budget = set_budget(
        team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(5), money=Decimal(100)
    )
    with pytest.raises(RitualError, match=message):
        spend(budget, amount, hours, on)
    assert not Spend.objects.exists()


def test_a_closed_quarter_takes_no_spends(clock, team):
    budget = set_budget(
        team=team, quarter=dt.date(2026, 7, 1), hours=Decimal(5), money=Decimal(100)
    )
    with pytest.raises(RitualError, match="Q3 2026 is closed"):
        spend(budget, "5", on=dt.date(2026, 9, 1))


def test_hours_in_synchronous_rituals_count_automatically(clock, alice, bob, team):
    budget = set_budget(
        team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(10), money=Decimal(0)
    )
    ritual = adopt_ritual(
        team=team,
        created_by=alice,
        name="Co-working",
        format="sync",
        rule="FREQ=WEEKLY;BYDAY=MO",
        start_time=dt.time(10),
        time_zone="UTC",
        duration=30,
        hypothesis="h",
        confirm_outside_hours=True,
    )
    occurrence = ritual.occurrences.first()
    for person in (alice, bob):
        Attendance.objects.create(occurrence=occurrence, person=person, attended=True)
    assert budget_status(budget).hours_in_rituals == Decimal("1.0")  # 30 min x 2 people


def test_employees_cannot_set_budgets_or_spend(client_for, clock, bob, team):
    budget = set_budget(
        team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(5), money=Decimal(100)
    )
    client = client_for(bob)
    assert (
        client.post("/rituals/budgets/", {"team": team.pk, "hours": 1, "money": 1}).status_code
        == 403
    )
    response = client.post(
        f"/rituals/budgets/{budget.pk}/",
        {"category": "other", "amount": "5", "hours": "0", "spent_on": "2026-11-12"},
    )
    assert response.status_code == 404
    assert not Spend.objects.exists()


def test_employees_see_no_budget_of_their_own_team_anywhere(client_for, clock, bob, alice, team):
    """The page, the list and the API agree: budgets are for the team's managers and HR."""
    budget = set_budget(
        team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(5), money=Decimal(4321)
    )
    spend(budget, "12", by=alice, note="Offsite deposit")
    client = client_for(bob)
    assert client.get(f"/rituals/budgets/{budget.pk}/").status_code == 404
    assert "4321" not in client.get("/rituals/budgets/").content.decode()
    assert client.get(f"/api/budgets/{budget.pk}/").status_code == 404
    manager_page = client_for(alice).get(f"/rituals/budgets/{budget.pk}/").content.decode()
    assert "Offsite deposit" in manager_page


def test_another_teams_budget_is_not_found(client_for, clock, charlie, team):
    budget = set_budget(
        team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(5), money=Decimal(100)
    )
    assert client_for(charlie).get(f"/rituals/budgets/{budget.pk}/").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_spends_never_take_a_budget_below_zero():
    from connection.models import Team

    team = Team.objects.create(name="Race")
    with time_machine.travel(dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC), tick=False):
        budget = set_budget(
            team=team, quarter=dt.date(2026, 10, 1), hours=Decimal(0), money=Decimal(100)
        )
        outcomes = race(lambda: spend(budget, "60"), refused=RitualError)
        assert outcomes == ["RitualError", "won"]
        assert budget_status(budget).money_left == Decimal("40")


@pytest.mark.parametrize(
    ("asked", "label", "earlier", "later"),
    [
        ("2026-11-15", "Q4 2026", "2026-07-01", "2027-01-01"),
        ("2027-02-28", "Q1 2027", "2026-10-01", "2027-04-01"),
    ],
)
def test_the_budgets_page_steps_quarter_by_quarter_across_the_year_end(
    client_for, clock, hana, asked, label, earlier, later
):
    page = client_for(hana).get("/rituals/budgets/", {"quarter": asked}).content.decode()
    assert label in page
    assert f'href="?quarter={earlier}"' in page and f'href="?quarter={later}"' in page


def test_hr_sets_a_whole_level_in_one_step_and_copies_last_quarter(
    client_for, clock, hana, team, subteam, other_team
):
    """The journeys: Hana sets the budgets for a whole level for the quarter in one
    step, or copies last quarter's."""
    client = client_for(hana)
    page = client.get("/rituals/budgets/").content.decode()
    assert "Level 1: 2 teams (Engineering, Sales)" in page
    response = client.post("/rituals/budgets/", {"level": "0", "hours": "20", "money": "800"})
    assert response.status_code == 302
    budgets = Budget.objects.filter(quarter=dt.date(2026, 10, 1))
    assert {b.team.name: b.money for b in budgets} == {
        "Engineering": Decimal(800),
        "Sales": Decimal(800),
    }
    # Neither a team nor a level, or both: refused with a message, nothing written.
    for data in ({}, {"team": subteam.pk, "level": "0"}):
        refused = client.post("/rituals/budgets/", {"hours": "5", "money": "5", **data})
        assert "Choose a team, or a level for all its teams." in refused.content.decode()
    assert budgets.count() == 2

    set_budget(team=subteam, quarter=dt.date(2026, 10, 1), hours=Decimal(4), money=Decimal(90))
    response = client.post("/rituals/budgets/?quarter=2027-01-01", {"copy": "1"})
    assert response.status_code == 302
    copied = Budget.objects.filter(quarter=dt.date(2027, 1, 1))
    assert {b.team.name: (b.hours, b.money) for b in copied} == {
        "Engineering": (Decimal(20), Decimal(800)),
        "Sales": (Decimal(20), Decimal(800)),
        "Reliability": (Decimal(4), Decimal(90)),
    }


def _budgets_with_hours(teams, alice) -> list[Budget]:
    """A budget per team for this quarter and the last, spends, and attended rituals."""
    budgets = []
    for i, team in enumerate(teams):
        for quarter in (dt.date(2026, 7, 1), dt.date(2026, 10, 1)):
            budget = set_budget(team=team, quarter=quarter, hours=Decimal(50), money=Decimal(500))
            budgets.append(budget)
            if quarter.month == 10:
                spend(budget, amount=str(10 + i), hours=str(i % 3))
        ritual = adopt_ritual(
            team=team,
            created_by=alice,
            name=f"Sync {i}",
            format="sync",
            rule="FREQ=WEEKLY;BYDAY=MO",
            start_time=dt.time(10),
            time_zone="UTC",
            duration=15 + i,
            hypothesis="h",
            confirm_outside_hours=True,
        )
        occurrence = ritual.occurrences.first()
        Attendance.objects.create(occurrence=occurrence, person=alice, attended=True)
    return budgets


def test_statuses_in_bulk_equal_each_budgets_own(clock, alice, team):
    teams = [team, *(make_team(name=f"Team {i}") for i in range(3))]
    budgets = _budgets_with_hours(teams, alice)
    in_bulk = budget_statuses(budgets)
    for budget in budgets:
        one = budget_status(budget)
        assert in_bulk[budget.pk] == one
        assert one.hours_in_rituals == ritual_hours(budget)
    assert any(s.hours_in_rituals > 0 for s in in_bulk.values())
    assert any(s.money_spent > 0 for s in in_bulk.values())


def test_the_budgets_api_runs_the_same_queries_for_4_or_24_budgets(client_for, clock, hana, alice):
    api = client_for(hana)
    api.get("/api/budgets/")  # the session's first request writes it

    def queries_with(teams: int) -> int:
        _budgets_with_hours([make_team() for _ in range(teams)], alice)
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/budgets/")
        assert response.status_code == 200
        return len(queries)

    few = queries_with(2)
    assert queries_with(10) == few
    assert few <= 8
