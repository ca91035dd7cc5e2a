"""A double click (or twenty at once) leaves one row and no error (PostgreSQL)."""

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.helpers import make_user, post_at_once

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
]


def test_twenty_clicks_on_new_api_token_leave_one_token():
    person = make_user()
    assert post_at_once(person, "/profile/api-token/", {}) == [302] * 20
    assert Token.objects.filter(user=person).count() == 1


def test_twenty_clicks_on_revoke_leave_none():
    person = make_user()
    Token.objects.create(user=person)
    assert post_at_once(person, "/profile/api-token/", {"action": "revoke"}) == [302] * 20
    assert not Token.objects.exists()
