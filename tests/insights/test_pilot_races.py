"""Two HR admins (or one double click) starting a pilot for the same teams at once
leave one pilot, and a team adopts each ritual once (PostgreSQL)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from connection.models import User
from insights.models import Pilot
from insights.pilots import PilotError, start_pilot
from rituals import reference as rituals_reference
from rituals.models import RitualTemplate, TeamRitual
from tests.helpers import make_team, make_user, race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
]
NOW = dt.datetime(2026, 10, 29, 9, 0, tzinfo=dt.UTC)


def test_two_starts_at_once_leave_one_pilot():
    with time_machine.travel(NOW, tick=False):
        rituals_reference.ensure_reference_data()
        template = RitualTemplate.objects.filter(active=True).order_by("position").first()
        teams = [make_team(name=f"Racing {i}") for i in range(3)]
        hana = make_user(is_hr_admin=True)

        def attempt():
            start_pilot(
                name="Twice",
                teams=teams,
                templates=[template],
                starts_on=dt.date(2026, 11, 2),
                by=User.objects.get(pk=hana.pk),
            )

        assert race(attempt, threads=3, refused=PilotError) == ["PilotError", "PilotError", "won"]
    assert Pilot.objects.count() == 1
    assert TeamRitual.objects.filter(template=template).count() == 3
