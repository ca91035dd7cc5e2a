"""The privacy guard: each rule, a property over random orgs, and the pages."""

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connection import privacy
from pulse.services import close_round, open_round
from tests.helpers import make_team
from tests.pulse.conftest import MONDAY, answer_all, fill_team


def test_small_group_shows_not_enough_responses():
    assert not privacy.group(4, 5)
    assert privacy.group(4, 5).reason == "Not enough responses"
    assert privacy.group(5, 5)


def test_k_is_never_below_three():
    assert not privacy.group(2, 1)
    assert privacy.group(3, 1)


def test_suppressing_one_sibling_suppresses_the_next_smallest():
    verdicts = privacy.partition({"a": 13, "b": 4, "c": 6, "d": 7}, 5)
    assert [key for key, v in verdicts.items() if v] == ["a", "d"]


def test_siblings_all_large_are_all_shown():
    assert all(privacy.partition({"a": 5, "b": 6}, 5).values())


def test_near_unanimous_distribution_is_masked():
    assert privacy.distribution([0, 0, 1, 2, 9], 5) is None  # all but 3 chose 5
    assert privacy.distribution([0, 2, 3, 2, 5], 5) == [0, 2, 3, 2, 5]
    assert privacy.distribution([1, 1, 1], 5) is None  # too few


def test_near_unanimous_share_is_masked():
    assert privacy.share(10, 10, 5) is None
    assert privacy.share(0, 10, 5) is None
    assert privacy.share(7, 10, 5) is None  # all but 3 on one side
    assert privacy.share(7, 14, 5) == 50.0


def test_response_rate_needs_k_members_and_k_answers_and_is_banded():
    assert privacy.response_rate(3, 4, 5) is None
    assert privacy.response_rate(3, 6, 5) is None  # would say "3 answered"
    assert privacy.response_rate(6, 9, 5) == 70


@st.composite
def orgs(draw):
    """A random team tree with respondents directly in each team, and some without a team."""
    size = draw(st.integers(1, 9))
    nodes = {}
    for node in range(1, size + 1):
        parent = draw(st.sampled_from([None, *range(1, node)]))
        nodes[node] = (parent, draw(st.integers(0, 12)))
    return nodes, draw(st.integers(0, 4)), draw(st.integers(3, 6))


def subtree(nodes, root):
    kids = [n for n, (p, _) in nodes.items() if p == root]
    return {root} | set().union(*(subtree(nodes, kid) for kid in kids)) if kids else {root}


@settings(max_examples=400, deadline=None)
@given(orgs())
def test_no_visible_number_comes_from_fewer_than_k_people(org):
    nodes, unassigned, k = org
    verdicts = privacy.tree(nodes, k, unassigned)
    # People are (team, index) pairs; a shown group is the set of people it covers.
    people = {None: {(None, i) for i in range(unassigned)}}
    for node, (_, direct) in nodes.items():
        people[node] = {(node, i) for i in range(direct)}
    groups = {None: set().union(*people.values())}
    for node in nodes:
        groups[node] = set().union(*(people[n] for n in subtree(nodes, node)))
    shown = [groups[key] for key, (_, verdict) in verdicts.items() if verdict]
    for group_ in shown:
        assert len(group_) >= k
    # No subtraction of one shown group from another isolates 1..k-1 people,
    for a, b in itertools.permutations(shown, 2):
        if a <= b:
            assert len(b - a) == 0 or len(b - a) >= k
    # nor a shown group minus any set of shown, disjoint groups inside it.
    for parent in shown:
        inside = [g for g in shown if g < parent]
        for r in range(2, min(len(inside), 4) + 1):
            for combo in itertools.combinations(inside, r):
                if all(x.isdisjoint(y) for x, y in itertools.combinations(combo, 2)):
                    rest = len(parent) - sum(len(g) for g in combo)
                    assert rest == 0 or rest >= k


# ---------------------------------------------------------------- through the pages


def reported_round(team, people, **answer_kwargs):
    round_ = open_round(now=MONDAY)
    answer_all(round_, people, **answer_kwargs)
    close_round(round_=round_, now=round_.closes_at)
    return round_


def test_manager_of_a_team_of_four_sees_not_enough_responses(
    client_for, clock, alice, team, subteam
):
    small = fill_team(subteam, 4)
    everyone = [alice, *fill_team(team, 8), *small]
    reported_round(team, everyone)
    body = client_for(alice).get(f"/pulse/results/?team={subteam.pk}").content.decode()
    assert "Not enough responses" in body
    assert "connection score (0–100)" not in body


def test_manager_of_a_larger_team_sees_score_and_chart(client_for, clock, alice, team):
    people = [alice, *fill_team(team, 9)]
    round_ = open_round(now=MONDAY)
    for i, person in enumerate(people):
        answer_all(round_, [person], value=2 + i % 4, enps=5 + i % 6)
    close_round(round_=round_, now=round_.closes_at)
    body = client_for(alice).get(f"/pulse/results/?team={team.pk}").content.decode()
    assert '<svg class="chart"' in body
    assert "connection score (0–100)" in body
    assert "Not enough responses" not in body


def test_sub_team_hidden_when_it_would_reveal_the_rest_by_subtraction(
    client_for, clock, alice, hana, team, subteam
):
    # Platform: alice + 2 direct members; Reliability: 6. Platform shows 9 in all, so
    # showing Reliability (6) would reveal the 3 direct members by subtraction.
    direct = [alice, *fill_team(team, 2)]
    below = fill_team(subteam, 6)
    reported_round(team, [*direct, *below])
    client = client_for(hana)
    assert (
        "connection score (0–100)" in client.get(f"/pulse/results/?team={team.pk}").content.decode()
    )
    hidden = client.get(f"/pulse/results/?team={subteam.pk}").content.decode()
    assert "Not enough responses" in hidden


def test_unanimous_answers_are_masked(client_for, clock, alice, team):
    reported_round(team, [alice, *fill_team(team, 5)], value=5, enps=10)
    body = client_for(alice).get(f"/pulse/results/?team={team.pk}").content.decode()
    assert "too alike to show" in body
    assert "Hidden: answers too alike to show" in body  # eNPS


def test_comments_need_ten_answers(client_for, clock, alice, team):
    reported_round(team, [alice, *fill_team(team, 6)], comment="More pairing please")
    body = client_for(alice).get(f"/pulse/results/?team={team.pk}").content.decode()
    assert "More pairing please" not in body
    assert "Comments appear once at least 10 people answered" in body


def test_week_over_week_change_is_the_difference_of_two_published_scores(
    client_for, clock, alice, team
):
    people = [alice, *fill_team(team, 9)]
    first = open_round(now=MONDAY)
    answer_all(first, people, value=3)
    close_round(round_=first, now=first.closes_at)
    clock.move_to(MONDAY + dt.timedelta(days=7))
    second = open_round(now=MONDAY + dt.timedelta(days=7))
    answer_all(second, people[:8], value=4)  # 2 fewer people than the week before
    close_round(round_=second, now=second.closes_at)
    response = client_for(alice).get(f"/pulse/results/?team={team.pk}")
    # Hiding it would hide nothing: both scores are published (50, then 75).
    assert response.context["result"].change == 25
    # The trend pools rounds: the second point is both weeks together, not week two.
    first_score, pooled = (value for _, value in response.context["trend"])
    assert first_score == 50
    # Pooled from the two published scores, in whole points: (10 x 50 + 8 x 75) / 18.
    assert pooled == 61


def test_hr_slices_are_guarded_and_csv_goes_through_the_guard(client_for, clock, hana, alice, team):
    remote = fill_team(team, 7, location="remote")
    office = fill_team(team, 2, location="office")
    reported_round(team, [*remote, *office])
    client = client_for(hana)
    body = client.get("/pulse/org/", {"team": team.pk, "by": "location"}).content.decode()
    assert "Not enough responses" in body  # office: 2
    assert "Hidden so a smaller group next to it stays hidden" in body  # remote: 7, not shown
    csv_text = client.get("/pulse/org.csv").content.decode()
    rows = [line.split(",") for line in csv_text.strip().splitlines()]
    assert rows[0][:4] == ["round", "opened", "team", "respondents"]
    for row in rows[1:]:
        assert row[3] == "" or int(row[3]) >= 5


def test_employees_cannot_read_results(client_for, bob, clock):
    assert client_for(bob).get("/pulse/results/").status_code == 403
    assert client_for(bob).get("/pulse/org/").status_code == 403


def test_manager_cannot_read_another_teams_results(client_for, alice, other_team, clock):
    assert client_for(alice).get(f"/pulse/results/?team={other_team.pk}").status_code == 403
    assert client_for(alice).get(f"/api/pulse/teams/{other_team.pk}/results/").status_code == 404


def test_api_team_results_are_guarded(client_for, clock, alice, team, subteam):
    reported_round(team, [alice, *fill_team(team, 6), *fill_team(subteam, 3)])
    client = client_for(alice)
    small = client.get(f"/api/pulse/teams/{subteam.pk}/results/").json()
    assert small["shown"] is False and small["connection_score"] is None
    assert small["respondents"] is None
    big = client.get(f"/api/pulse/teams/{team.pk}/results/").json()
    assert big["shown"] is True and big["respondents"] == 10


# ---------------------------------------------------------------- review: subtraction attacks


def three_teams(k_people_b=5):
    dept = make_team(name="Dept")
    return dept, make_team(name="A", parent=dept), make_team(name="B", parent=dept)


def test_lopsided_subgroup_is_not_recovered_by_subtracting_shares(db, clock):
    from pulse import results

    dept, a, b = three_teams()
    round_ = open_round(now=MONDAY)
    a_people = fill_team(a, 10)
    answer_all(round_, a_people[:5], value=4)
    answer_all(round_, a_people[5:], value=2)
    answer_all(round_, fill_team(b, 5), value=1)  # every B member disagrees
    close_round(round_=round_, now=round_.closes_at)
    snapshot = results.OrgSnapshot([round_])
    dept_view = results.detail(snapshot, round_, dept)
    a_view = results.detail(snapshot, round_, a)
    # Dept minus A would leave B's 5 all unfavourable: the two shares are never both shown.
    for dept_item, a_item in zip(dept_view.questions, a_view.questions, strict=True):
        assert dept_item["favourable"] is None or a_item["favourable"] is None
    assert any(q["favourable"] is not None for q in dept_view.questions + a_view.questions)


def test_moving_a_team_later_does_not_change_an_old_rounds_figures(db, clock):
    from pulse import results

    dept, a, x = three_teams()
    other = make_team(name="Other")
    round_ = open_round(now=MONDAY)
    answer_all(round_, fill_team(a, 10), value=4)
    answer_all(round_, fill_team(x, 3), value=1)
    answer_all(round_, fill_team(make_team(name="Far", parent=other), 10), value=4)
    close_round(round_=round_, now=round_.closes_at)
    before = results.OrgSnapshot([round_]).headline(round_, dept.pk)
    x.parent = other
    x.save()
    after = results.OrgSnapshot([round_]).headline(round_, dept.pk)
    assert (after.respondents, after.score) == (before.respondents, before.score)


def test_teams_with_pulse_history_cannot_be_deleted(clock, alice, team):
    from django.db.models import ProtectedError

    round_ = open_round(now=MONDAY)
    answer_all(round_, [alice])
    with pytest.raises(ProtectedError):
        team.delete()


def test_comments_of_a_small_group_are_not_recovered_by_subtraction(db, clock):
    from pulse import results

    dept, a, b = three_teams()
    round_ = open_round(now=MONDAY)
    answer_all(round_, fill_team(a, 10), comment="fine in A")
    answer_all(round_, fill_team(b, 5), comment="something only B would say")
    close_round(round_=round_, now=round_.closes_at)
    snapshot = results.OrgSnapshot([round_])
    dept_view = results.detail(snapshot, round_, dept)
    a_view = results.detail(snapshot, round_, a)
    assert not set(dept_view.comments) - set(a_view.comments)


def test_answers_cannot_be_lined_up_with_receipts_after_close(db, clock):
    from django.db import connection as db

    from pulse.models import Receipt, Response

    team = make_team(name="T")
    people = fill_team(team, 30)
    round_ = open_round(now=MONDAY)
    for i, person in enumerate(people):
        answer_all(round_, [person], comment=f"comment {i}")
    close_round(round_=round_, now=round_.closes_at)
    order = "rowid" if db.vendor == "sqlite" else "ctid"
    who = list(Receipt.objects.raw(f"SELECT * FROM pulse_receipt ORDER BY {order}"))
    what = list(Response.objects.raw(f"SELECT * FROM pulse_response ORDER BY {order}"))
    index = {p.pk: i for i, p in enumerate(people)}
    lined_up = sum(
        1 for r, s in zip(who, what, strict=True) if s.comment == f"comment {index[r.person_id]}"
    )
    assert lined_up < 10  # shuffled: about one match expected by chance


def test_odd_digits_in_the_team_parameter_are_a_clean_error(client_for, alice, clock):
    response = client_for(alice).get("/pulse/results/?team=%C2%B2")
    assert response.status_code in (400, 403, 404)
