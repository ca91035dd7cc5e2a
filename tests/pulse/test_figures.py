"""Each pulse figure is computed once, so every page shows what the guard decided.

The whole demo organisation is compared page by page in
tests/connection/test_figures_agree.py; these are the cases it cannot show.
"""

import datetime as dt
import re

import time_machine

from connection.models import OrgSettings
from insights.nightly import compute_week
from pulse.models import Dimension
from pulse.services import close_round, open_round
from tests.helpers import make_team
from tests.pulse.conftest import MONDAY, answer_all, fill_team


def reported(people, overrides=None):
    OrgSettings.load()
    round_ = open_round(now=MONDAY)
    answer_all(round_, people, value=3, overrides=overrides)
    close_round(round_=round_, now=round_.closes_at)
    compute_week(MONDAY.date())
    return round_


def hidden_team_beside_a_small_one():
    """Dept: A (6 people, all long-tenured) and B (2, newer). B is too small, so the
    guard hides A too (Dept minus A would be B). For long tenure alone, though, B has
    nobody: that slice's own tree would show A."""
    dept = make_team(name="Dept")
    a, b = make_team(name="A", parent=dept), make_team(name="B", parent=dept)
    long_ago = MONDAY.date() - dt.timedelta(days=5 * 365)
    a_people = fill_team(a, 6, start_date=long_ago)
    b_people = fill_team(b, 2, start_date=MONDAY.date() - dt.timedelta(days=2 * 365))
    return dept, a, b, a_people + b_people


def test_a_team_the_guard_hides_shows_no_slice_on_the_org_dashboard(clock, client_for, hana):
    dept, a, _, people = hidden_team_beside_a_small_one()
    reported(people)
    client = client_for(hana)
    pulse_page = client.get(f"/pulse/org/?team={a.pk}&by=tenure_band")
    assert pulse_page.context["slices"] == []
    view = client.get("/insights/org/", {"level": 1, "slice": "tenure_band:3y+"}).context["view"]
    scores = {row["team"].name: row["score"] for row in view.rows}
    assert scores == {"A": None, "B": None}
    # Dept (shown) minus a shown A would have been B's two people.
    dept_row = client.get("/insights/org/", {"level": 0}).context["view"].rows[0]
    assert dept_row["team"] == dept and dept_row["score"] is not None


def test_a_hidden_team_shows_no_response_rate(clock, client_for, hana):
    _, a, _, people = hidden_team_beside_a_small_one()
    reported(people)
    page = client_for(hana).get(f"/pulse/results/?team={a.pk}").content.decode()
    assert "Not enough responses" in page
    assert "of the team answered" not in page


def test_response_rate_counts_only_people_who_had_started_by_the_close(clock, client_for, hana):
    team = make_team(name="Growing")
    people = fill_team(team, 8)
    fill_team(team, 2)  # asked, did not answer: 8 of 10
    fill_team(team, 6, start_date=MONDAY.date() + dt.timedelta(days=30))  # not yet here
    reported(people)
    client = client_for(hana)
    page = client.get(f"/pulse/results/?team={team.pk}").content.decode()
    assert "about 80% of the team answered" in page
    insights = client.get(f"/insights/?team={team.pk}").content.decode()
    assert re.search(r"Answered the pulse</th>\s*<td class=\"num\">80 %", insights)


def test_hidden_enps_hides_its_question_s_promoter_share(clock, client_for, hana):
    team = make_team(name="Quiet")
    people = fill_team(team, 10)
    round_ = open_round(now=MONDAY)
    enps = round_.questions.get(dimension=Dimension.ENPS)
    # One promoter, one passive, eight detractors spread over 0 to 6: the three
    # groups are near-unanimous (hidden), the eleven values are not.
    values = [10, 7, 0, 1, 2, 3, 4, 5, 6, 6]
    answer_all(
        round_,
        people,
        value=3,
        overrides={p.pk: {enps.pk: v} for p, v in zip(people, values, strict=True)},
    )
    close_round(round_=round_, now=round_.closes_at)
    page = client_for(hana).get(f"/pulse/results/?team={team.pk}").content.decode()
    assert "eNPS · Hidden: answers too alike to show" in page
    row = re.search(r"<td>eNPS</td><td class=\"num\">(.*?)</td>", page).group(1)
    assert "promoters" not in row and "too alike to show" in row
    api = client_for(hana).get(f"/api/pulse/teams/{team.pk}/results/").json()
    assert api["enps"] is None


def test_a_score_ending_in_a_half_reads_the_same_on_both_pages(clock, client_for, hana):
    team = make_team(name="Even")
    people = fill_team(team, 10)
    round_ = open_round(now=MONDAY)
    # Nine people answer 3 (50) and one answers 4 (75): a score of 52.5.
    lifted = {people[0].pk: {q.pk: 4 for q in round_.questions.all() if not q.is_enps}}
    answer_all(round_, people, value=3, overrides=lifted)
    close_round(round_=round_, now=round_.closes_at)
    compute_week(MONDAY.date())
    client = client_for(hana)
    results = client.get(f"/pulse/results/?team={team.pk}")
    assert results.context["result"].score == 53  # published in whole points, half up
    assert '<span class="stat-value">53</span>' in results.content.decode()
    insights = client.get(f"/insights/?team={team.pk}").content.decode()
    assert "53 / 100" in insights


def test_every_dimension_share_comes_from_one_rule(clock):
    assert [d.favourable_from for d in Dimension] == [3, 3, 3, 3, 3, 9]
    assert Dimension.ENPS.is_favourable(9) and not Dimension.ENPS.is_favourable(8)
    assert Dimension.SAFETY.is_favourable(4) and not Dimension.SAFETY.is_favourable(3)


def test_weeks_with_the_same_day_number_keep_their_own_shares(db, client_for, hana):
    """8 February and 8 March 2027 both print "8" in the heat map's header."""
    team = make_team(name="Steady")
    people = fill_team(team, 12)
    OrgSettings.load()
    # Belonging favourable: 50 % on 1 and 8 February, 58 % on 8 March (at least five
    # people on each side, or the share would be hidden).
    halves = {p.pk: 4 if i < 6 else 2 for i, p in enumerate(people)}
    more = {p.pk: 5 if i < 3 else 4 if i < 7 else 2 for i, p in enumerate(people)}
    for day, values in ((1, halves), (8, halves), (36, more)):
        monday = dt.datetime(2027, 1, 31, 8, tzinfo=dt.UTC) + dt.timedelta(days=day)
        with time_machine.travel(monday, tick=False):
            round_ = open_round(now=monday)
            overrides = {
                pk: {q.pk: v for q in round_.questions.all() if not q.is_enps}
                for pk, v in values.items()
            }
            answer_all(round_, people, overrides=overrides)
            close_round(round_=round_, now=round_.closes_at)
            compute_week(monday.date())
    with time_machine.travel(dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        client = client_for(hana)
        page = client.get(f"/insights/?team={team.pk}").content.decode()
        api = client.get(f"/api/insights/teams/{team.pk}/").json()
    heads = re.search(r"<th scope=\"col\">Dimension</th>(.*?)</tr>", page).group(1)
    assert re.findall(r">([^<]+)</th>", heads) == ["1 Feb", "8", "8"]
    row = re.search(r"<th scope=\"row\">Belonging</th>(.*?)</tr>", page).group(1)
    assert re.findall(r">([^<]+)</td>", row) == ["50%", "50%", "58%"]
    assert api["dimensions"]["Belonging"] == {"1 Feb": 50, "8 Feb": 50, "8 Mar": 58}


def test_the_org_table_lists_whole_levels_below_the_chosen_group(
    clock, client_for, hana, monkeypatch
):
    """A large org's table stops at the last whole level that fits on a page; picking a
    group lists the teams below it."""
    dept, a, b, people = hidden_team_beside_a_small_one()
    leaf = make_team(name="Leaf", parent=a)
    reported(people + fill_team(leaf, 5))
    client = client_for(hana)
    monkeypatch.setattr("pulse.views.ORG_ROWS", 3)  # Dept, A and B; Leaf is one level more

    page = client.get("/pulse/org/")
    names = [t.name for _, t, _ in page.context["rows"] if t is not None]
    assert names == ["Dept", "A", "B"] and page.context["deeper"]
    assert "pick a group above to see the teams further down" in page.content.decode()

    page = client.get("/pulse/org/", {"team": a.pk})
    rows = page.context["rows"]
    assert [t.name for _, t, _ in rows] == ["A", "Leaf"] and not page.context["deeper"]
    assert rows[1][2].shown  # Leaf's 5 people are shown, as on its own results page
