"""The demo org's 12 weeks of history tell the story the dashboards are meant to show.

`seed_demo` runs once for the module, inside a transaction rolled back at the end;
each test runs in a savepoint within it.
"""

import datetime as dt
import statistics

import pytest
from django.db.models import Count, F
from django.utils import timezone

from connection.calendar import monday
from connection.models import Nudge, Signal, Team, User
from insights.dashboards import evidence_cards
from insights.demo.story import (
    ADOPTED_WEEKS_AGO,
    DRIFTING,
    HISTORY_WEEKS,
    RITUAL_TEMPLATE,
)
from insights.evidence import HELPS
from insights.models import TeamWeek
from pulse.models import Round
from rituals.models import TeamRitual
from tests.helpers import seeded_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with seeded_demo(django_db_blocker):
        yield


def this_monday() -> dt.date:
    return monday(timezone.now().date())


def weeks_of(team: Team) -> dict[dt.date, TeamWeek]:
    return {row.week: row for row in TeamWeek.objects.filter(team=team)}


def ago(weeks: int) -> dt.date:
    return this_monday() - dt.timedelta(weeks=weeks)


def test_twelve_weekly_rounds_are_reported_and_one_is_open():
    assert Round.objects.reported().count() >= HISTORY_WEEKS
    assert Round.objects.open().count() == 1


def test_insights_cover_thirteen_weeks_once_each():
    weeks = sorted(set(TeamWeek.objects.values_list("week", flat=True)))
    assert weeks == [ago(n) for n in range(HISTORY_WEEKS, -1, -1)]
    assert not TeamWeek.objects.values("team", "week").annotate(n=Count("pk")).filter(n__gt=1)
    assert TeamWeek.objects.filter(team__isnull=True).count() == HISTORY_WEEKS + 1


def test_alice_s_team_drifts_down_and_connects_less():
    platform = weeks_of(Team.objects.get(name=DRIFTING))
    assert platform[ago(0)].score_rolling < platform[ago(6)].score_rolling - 5
    # Last week is the last whole one: this week is still under way.
    earlier = [platform[ago(n)].activity_share for n in range(2, 6)]
    assert platform[ago(1)].activity_share < statistics.mean(earlier) - 0.05
    alice = User.objects.get(email="alice@hearth.example")
    assert Nudge.objects.filter(recipient=alice, kind="manager_alert").exists()


def test_teams_that_adopted_the_ritual_rose_against_those_that_did_not():
    started = timezone.now().date() - dt.timedelta(weeks=ADOPTED_WEEKS_AGO)
    adoptions = TeamRitual.objects.filter(template__slug=RITUAL_TEMPLATE, starts_on=started)
    assert adoptions.exclude(team__name=DRIFTING).count() >= 3
    adopted = dict(adoptions.values_list("team_id", "starts_on"))
    rose = 0
    for team_id in adopted:
        rows = TeamWeek.objects.filter(team_id=team_id, score__isnull=False)
        before = [r.score for r in rows if r.week < monday(started)]
        after = [r.score for r in rows if r.week > monday(started)]
        if before and after:
            assert statistics.mean(after) > statistics.mean(before)
            rose += 1
    assert rose >= 3
    # HR's "which rituals work" card, as the page computes it.
    cards = {c["template"].slug: c["card"] for c in evidence_cards()}
    assert cards[RITUAL_TEMPLATE].verdict == HELPS, cards[RITUAL_TEMPLATE].reason
    assert cards[RITUAL_TEMPLATE].effect > 0
    assert cards[RITUAL_TEMPLATE].adopters >= 3


def test_a_team_of_four_never_has_a_score():
    rows = TeamWeek.objects.filter(team__name="Reliability")
    assert rows.count() == HISTORY_WEEKS + 1
    assert not rows.filter(score__isnull=False).exists()
    assert not rows.filter(score_rolling__isnull=False).exists()


def test_the_ledger_has_history_isolates_and_newcomers_who_ask():
    assert not Signal.objects.filter(actor=F("other")).exists()
    assert not Signal.objects.filter(occurred_at__gt=timezone.now()).exists()
    assert Signal.objects.filter(occurred_at__lt=timezone.now() - dt.timedelta(weeks=11)).exists()
    last_week = TeamWeek.objects.get(team__isnull=True, week=ago(1))
    assert 0 < last_week.isolated < 10
    assert last_week.newcomers > 0
    assert 1 <= last_week.newcomers_without_ask <= 2
    # Nia's first question is a step of her journey (today, her third day): not seeded.
    nia = User.objects.get(email="nia@hearth.example")
    assert not Signal.objects.filter(actor=nia, kind=Signal.Kind.ASKED).exists()
    assert (timezone.now().date() - nia.start_date).days == 2  # the demo dates days in UTC


def test_the_seed_leaves_nothing_due_whatever_the_hour():
    """The history's invitations and recognitions count as delivered when they were due.

    Left pending, the next beat tick after seeding sent or expired them
    depending on the hour (a recognition due in Nia's working hours was sent
    at 15:00 UTC and moved to the next morning at 23:00), so a test counting
    what it delivered passed or failed by the clock.
    """
    now = timezone.now()
    assert not Nudge.objects.filter(status=Nudge.Status.PENDING, due_at__lte=now).exists()
    delivered = Nudge.objects.filter(status=Nudge.Status.SENT)
    assert delivered.exists()
    assert not delivered.filter(sent_at__gt=now).exists()
    # The newest stay unread for the bell; the old history does not pile up there.
    unread = delivered.filter(read_at__isnull=True)
    assert not unread.filter(due_at__lt=now - dt.timedelta(days=3)).exists()
