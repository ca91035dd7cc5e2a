"""Two hourly runs of the micro-moments at once (a second beat, a retried task) write
each moment once (PostgreSQL)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from connection.models import Nudge, Team
from mentorship.models import Booking, OfficeHours
from moments.models import CheckinSuggestion
from moments.services import plan_moments
from rituals.models import ThreadPost
from tests.helpers import make_user, race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
]
WEDNESDAY = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def test_four_runs_at_once_write_each_moment_once():
    with time_machine.travel(WEDNESDAY, tick=False):
        team = Team.objects.create(name="Racers")
        lead = make_user(team=team, time_zone="UTC", checkin_suggestions=True)
        team.managers.add(lead)
        member = make_user(
            team=team,
            manager=lead,
            time_zone="UTC",
            start_date=dt.date(2024, 11, 25),
            share_anniversary=True,
            thanks_prompts=True,
        )
        hours = OfficeHours.objects.create(
            host=lead, weekday=3, start_time=dt.time(9), time_zone="UTC"
        )
        Booking.objects.create(
            office_hours=hours,
            starts_at=WEDNESDAY - dt.timedelta(hours=1),
            booker=member,
            topic="Deploys",
        )

        assert race(lambda: plan_moments(WEDNESDAY), threads=4) == ["won"] * 4

    assert ThreadPost.objects.filter(moment="anniversary").count() == 1
    assert CheckinSuggestion.objects.count() == 1
    kinds = sorted(Nudge.objects.values_list("kind", flat=True))
    assert kinds == ["checkin_suggestion", "moment", "thanks_prompt"]
