"""A double click (or twenty at once) leaves one row and no error (PostgreSQL)."""

import pytest
from django.db import connection

from mentorship.models import Avoid, Membership, Programme
from tests.helpers import make_user, post_at_once

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
]


def test_twenty_joins_of_a_programme_leave_one_membership():
    programme = Programme.objects.create(kind="coffee", name="Coffee chat")
    person = make_user()
    path = f"/mentorship/programmes/{programme.pk}/membership/"
    assert post_at_once(person, path, {"action": "join"}) == [302] * 20
    assert Membership.objects.filter(programme=programme, person=person).count() == 1


def test_twenty_clicks_on_avoid_leave_one_row():
    person, other = make_user(), make_user()
    statuses = post_at_once(person, "/mentorship/avoid/", {"person": str(other.pk)})
    assert statuses == [302] * 20
    assert Avoid.objects.filter(person=person, avoided=other).count() == 1
