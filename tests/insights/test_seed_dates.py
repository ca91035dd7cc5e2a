"""The demo's story holds whatever the day the demo is seeded on."""

import datetime as dt
import io
import statistics

import pytest
import time_machine
from django.core.management import call_command

from connection.calendar import monday
from connection.models import Nudge, Team, User
from insights.demo.story import DRIFTING
from insights.models import TeamWeek

pytestmark = pytest.mark.django_db

# The seed draws its history with a fixed seed, but people's start dates are
# relative to today, so which draws land where followed the day of the week:
# seeded on any Sunday, Alice's team connected no less last week than before.
SUNDAY = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)


def test_alice_s_team_connects_less_last_week_when_seeded_on_a_sunday():
    with time_machine.travel(SUNDAY, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
    this_monday = monday(SUNDAY.date())
    shares = {
        row.week: row.activity_share
        for row in TeamWeek.objects.filter(team=Team.objects.get(name=DRIFTING))
    }
    earlier = [shares[this_monday - dt.timedelta(weeks=n)] for n in range(2, 6)]
    assert shares[this_monday - dt.timedelta(weeks=1)] < statistics.mean(earlier) - 0.05
    alice = User.objects.get(email="alice@hearth.example")
    assert Nudge.objects.filter(recipient=alice, kind="manager_alert").exists()
