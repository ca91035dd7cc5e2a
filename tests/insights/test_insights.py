"""The nightly computation on small, hand-built graphs with known answers."""

import datetime as dt
import itertools

import pytest

from connection.calendar import monday
from connection.models import OrgSettings, Signal
from insights.models import TeamTie, TeamWeek
from insights.nightly import compute_week, nightly
from tests.helpers import make_team, make_user

WEEK = dt.date(2026, 11, 16)  # a Monday
IN_WEEK = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC)
_sources = itertools.count()


def tie(actor, other=None, *, kind=Signal.Kind.RECOGNISED, at=IN_WEEK, team=None):
    return Signal.objects.create(
        actor=actor,
        other=other,
        kind=kind,
        occurred_at=at,
        team=team or actor.team,
        source=f"test:{next(_sources)}",
    )


def week_of(team):
    return TeamWeek.objects.get(week=WEEK, team=team)


@pytest.fixture
def graph(db):
    """Team A (x, y, z and sub-team A1 with w), team B (p, q)."""
    a = make_team(name="A")
    a1 = make_team(name="A1", parent=a)
    b = make_team(name="B")
    people = {name: make_user(display_name=name, team=a) for name in "xyz"}
    people["w"] = make_user(display_name="w", team=a1)
    people |= {name: make_user(display_name=name, team=b) for name in "pq"}
    return {"A": a, "A1": a1, "B": b, **people}


def test_e_i_index_isolates_and_bridges(graph):
    g = graph
    OrgSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 3})
    make_user(display_name="r", team=g["B"])  # B has 3 people, so it may be shown
    tie(g["x"], g["y"])  # inside A
    tie(g["y"], g["x"], kind=Signal.Kind.REPLIED)  # the same pair again: still one tie
    tie(g["x"], g["p"])  # A - B
    tie(g["q"], g["y"])  # B - A
    tie(g["p"], g["q"])  # inside B
    tie(g["w"], g["x"])  # A1 - rest of A
    compute_week(WEEK)

    a, a1, b = week_of(g["A"]), week_of(g["A1"]), week_of(g["B"])
    # A's subtree holds x, y, z, w: ties x-y and w-x inside, x-p and q-y outside.
    assert (a.ties_internal, a.ties_external) == (2, 2)
    assert a.ei_index == 0
    # B: p-q inside, x-p and q-y outside: (2 - 1) / 3; r has no tie.
    assert (b.ties_internal, b.ties_external) == (1, 2)
    assert b.ei_index == pytest.approx(1 / 3)
    # A1 (w alone) only reaches out: E-I is +1.
    assert a1.ei_index == 1
    assert (a.isolated, a1.isolated, b.isolated) == (1, 0, 1)  # z and r
    assert (a.bridges, b.bridges, a1.bridges) == (1, 1, 1)
    assert a.partners == {str(g["B"].pk): 2}
    assert a1.partners == {str(g["A"].pk): 1}  # x sits directly in A
    # A1 (one person) is hidden: no other team may name it as a partner.
    assert a1.pk and not a1.people_shown
    assert a.members == 4 and b.members == 3


def test_old_ties_and_self_signals_do_not_count(graph):
    g = graph
    tie(g["x"], g["y"], at=IN_WEEK - dt.timedelta(days=120))
    tie(g["x"], g["x"])
    compute_week(WEEK)
    a = week_of(g["A"])
    assert a.ties_internal + a.ties_external == 0
    assert a.ei_index is None
    assert a.isolated == 4


def test_activity_counts_everyone_involved_this_week(graph):
    g = graph
    tie(g["x"], g["p"])
    tie(g["y"], kind=Signal.Kind.POSTED)
    tie(g["z"], g["y"], at=IN_WEEK - dt.timedelta(days=8))  # last week
    compute_week(WEEK)
    a, b = week_of(g["A"]), week_of(g["B"])
    assert (a.active_members, a.signals) == (2, 2)  # x and y; z's tie was last week
    assert (b.active_members, b.signals) == (1, 0)  # p, on the receiving end
    assert a.activity_share == pytest.approx(2 / 4)
    org = TeamWeek.objects.get(week=WEEK, team=None)
    assert (org.members, org.active_members, org.signals) == (6, 3, 2)


def test_tie_matrix_at_each_level(graph):
    g = graph
    tie(g["x"], g["p"])
    tie(g["y"], g["p"])
    tie(g["w"], g["x"])
    tie(g["w"], g["q"])
    compute_week(WEEK)
    top = {
        (t.team_a.name, t.team_b.name): t.ties
        for t in TeamTie.objects.filter(week=WEEK, depth=0).select_related("team_a", "team_b")
    }
    # Kept: pairs of different teams with at least 3 ties (the smallest k allowed);
    # the tie inside A is not stored.
    assert top == {("A", "B"): 3}
    # Only w sits at depth 1; its partners in A and B have no depth-1 team.
    assert not TeamTie.objects.filter(week=WEEK, depth=1).exists()


def test_time_to_first_ask(graph):
    g = graph
    end = WEEK + dt.timedelta(days=6)  # the week's last day

    def newcomer(days_ago, name):
        return make_user(display_name=name, team=g["B"], start_date=end - dt.timedelta(days_ago))

    n1, n2, _n3, n4 = newcomer(20, "n1"), newcomer(30, "n2"), newcomer(5, "n3"), newcomer(40, "n4")
    start = dt.datetime.combine(n1.start_date, dt.time(10), tzinfo=dt.UTC)
    tie(n1, kind=Signal.Kind.ASKED, at=start + dt.timedelta(days=3))
    tie(n1, kind=Signal.Kind.BOOKED, at=start + dt.timedelta(days=9))  # not the first
    tie(n2, g["p"], kind=Signal.Kind.RECOGNISED, at=start)  # not help-seeking
    start4 = dt.datetime.combine(n4.start_date, dt.time(10), tzinfo=dt.UTC)
    tie(n4, g["q"], kind=Signal.Kind.BOOKED, at=start4 + dt.timedelta(days=20))
    make_user(display_name="veteran", team=g["B"], start_date=end - dt.timedelta(days=200))
    compute_week(WEEK)

    b = week_of(g["B"])
    assert b.newcomers == 4
    assert b.first_ask_median_days == pytest.approx((3 + 20) / 2)
    # n2 (30 days, none) and n4 (first after 20 days); n3 is only 5 days in.
    assert b.newcomers_without_ask == 2
    assert week_of(g["A"]).newcomers == 0
    assert week_of(g["A"]).first_ask_median_days is None


def test_rerunning_a_week_replaces_its_rows(graph):
    g = graph
    for a, b in (("x", "p"), ("y", "p"), ("z", "q")):
        tie(g[a], g[b])
    compute_week(WEEK)
    compute_week(WEEK)
    assert TeamWeek.objects.filter(week=WEEK).count() == 4  # three teams and the org
    assert TeamTie.objects.filter(week=WEEK).count() == 1
    tie(g["w"], g["q"])
    compute_week(WEEK + dt.timedelta(days=3))  # any day of the week is that week
    assert TeamWeek.objects.filter(week=WEEK).count() == 4
    assert TeamTie.objects.filter(week=WEEK).count() == 1
    assert TeamTie.objects.get(week=WEEK).ties == 4
    assert week_of(g["A"]).ties_external == 4
    org = TeamWeek.objects.get(week=WEEK, team=None)
    assert (org.ties_internal, org.ties_external) == (4, 0)


def test_people_verdict_follows_the_team_tree(graph):
    g = graph
    c = make_team(name="C")
    for _ in range(4):
        make_user(team=g["B"])
        make_user(team=c)
    make_user(team=c)
    compute_week(WEEK)
    # A has 4 people (below k = 5), so C (5), the next smallest, is hidden with it:
    # otherwise the org minus B and C would give A. B (6) is shown; A1 sits under A.
    assert [week_of(t).people_shown for t in (g["A"], c, g["B"], g["A1"])] == [
        False,
        False,
        True,
        False,
    ]
    assert TeamWeek.objects.get(week=WEEK, team=None).people_shown


def test_nightly_computes_this_week_and_last(graph):
    now = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
    weeks = nightly(now)
    assert weeks == [monday(now.date()) - dt.timedelta(weeks=1), monday(now.date())]
    assert set(TeamWeek.objects.values_list("week", flat=True)) == set(weeks)
