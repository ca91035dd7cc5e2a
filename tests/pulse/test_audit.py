"""The attacks of the privacy review, replayed against the demo organisation.

An HR admin reads every figure of a round (tests/pulse/attacker.py solves them
together); nothing she can combine may single out 1 to k-1 respondents, bound
their mean within ±10 points, or leave fewer than k answers on one side of a
share. Random organisations are in test_audit_random.py.
"""

import csv
import gc
import io

import pytest

from connection.models import Team, User
from pulse import publication
from pulse.models import Published, Round
from pulse.results import ROLLING, OrgSnapshot
from tests.helpers import seeded_demo
from tests.pulse.attacker import View

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with seeded_demo(django_db_blocker):
        yield list(Round.objects.reported().order_by("-number"))


def test_no_combination_of_the_demo_s_scores_and_slices_singles_anyone_out(demo):
    """The review combined location and tenure slices of two departments into one
    respondent; every round of the demo is solved as a whole here."""
    assert len(demo) >= 4
    for round_ in demo[:4]:
        view = View.read(round_)
        assert len(view.scores) > 10, "the demo shows teams and slices"
        assert view.isolations() == [], round_
        assert view.narrow() == [], round_


def test_no_shown_share_of_the_demo_has_fewer_than_k_on_a_side(demo):
    """The review found 18 shares in one round with 1 to 4 people on one side."""
    for round_ in demo[:4]:
        view = View.read(round_)
        for figures in view.shares.values():
            for figure in figures:
                favourable = round(figure.value * figure.respondents / 100)
                assert min(favourable, figure.respondents - favourable) >= view.k
        assert view.lopsided() == [], round_


def test_the_csv_s_rolling_scores_unroll_to_nothing_but_published_scores(demo, client):
    """The review solved the CSV's exact counts and 0.1-point rolling scores for every
    single round. Each rolling value is now the published scores of its window,
    weighted by their published respondents: unrolling it gives those back, and a
    round hidden for a team adds nothing to any window."""
    client.force_login(User.objects.get(email="hana@hearth.example"))
    rows = list(csv.DictReader(io.StringIO(client.get("/pulse/org.csv").content.decode())))
    rolling_column = "connection score (4-round rolling)"
    snapshot = OrgSnapshot(demo, earlier=0)
    published = {
        (round_.number, team.pk if team else None): snapshot.headline(
            round_, team.pk if team else None
        )
        for round_ in demo
        for team in [None, *Team.objects.all()]
    }
    names = {team.name: team.pk for team in Team.objects.all()}
    names["Whole organisation"] = None
    numbers = sorted((r.number for r in demo), reverse=True)
    checked = 0
    for row in rows:
        team_id, number = names[row["team"]], int(row["round"])
        mine = published[(number, team_id)]
        if not mine.shown:
            assert row["respondents"] == row[rolling_column] == ""
            continue
        assert int(row["respondents"]) == mine.respondents
        window = [published.get((n, team_id)) for n in numbers if n <= number][:ROLLING]
        shown = [p for p in window if p is not None and p.shown]
        n = sum(p.respondents for p in shown)
        expected = int(sum(p.respondents * p.score for p in shown) / n + 0.5)
        assert int(row[rolling_column]) == expected, (row, expected)
        assert "." not in row[rolling_column]  # whole points, as every page shows them
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("collecting", [True, False])
def test_publishing_again_leaves_the_garbage_collector_as_it_was(demo, collecting):
    """The audit pauses Python's cyclic collector while it runs: the process gets it
    back as it found it, and the round publishes the same figures."""
    round_ = demo[0]
    fields = ["team_id", "by", "value", "shown", "reason", "respondents", "score", "enps"]

    def figures() -> list:
        return sorted(Published.objects.filter(round=round_).values_list(*fields), key=repr)

    before, was = figures(), gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        publication.publish(round_)
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert len(before) > 10
    assert figures() == before
