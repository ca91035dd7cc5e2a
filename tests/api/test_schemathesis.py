"""Schemathesis against the schema the app serves (/api/schema/), as an employee and
as HR: every operation gets boundary and hostile values (the coverage phase) and a
few generated requests (fuzzing), and every answer must be a documented status with
a body that matches its schema. No server errors, and bad input is refused.

Path ids point at a small org built for each test, so actions run against objects
that exist, some the caller may reach and some not. Deterministic: a fixed
seed, derandomised generation and a pinned clock, so CI never flakes."""

import datetime as dt
import re

import pytest
import schemathesis
import time_machine
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from connection.models.org import remember_language
from connection.wsgi import application
from tests.api.conftest import NOW

EXAMPLES = 5  # generated requests per operation and role, on top of the coverage phase

config = schemathesis.Config.from_dict(
    {
        "seed": 11,
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            "mode": "all",
            # The token is ours (below); generated credentials would only be refused.
            "with-security-parameters": False,
        },
        "phases": {"coverage": {"unexpected-methods": ["DELETE", "PATCH", "PUT"]}},
        "checks": {
            # A well-formed request can still break a rule (a date outside the
            # quarter, a programme you are not in): a 400 with a message, by design.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)
# The schema is read when this module loads, before tests may use the database: the
# organisation's language (which every page reads, kept per process) is known already.
remember_language(django_settings.LANGUAGE_CODE)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


@pytest.fixture(params=["employee", "hr"])
def token(request, org_ids, bob, hana):
    """The caller's API token, and the org's clock pinned while Schemathesis calls."""
    user = {"employee": bob, "hr": hana}[request.param]
    key = Token.objects.create(user=user).key
    # The WSGI app runs inside the test's transaction: Django must not close the
    # connection at the end of each request (its test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        # Calls happen just after the ritual's first occurrence began, so it can be rated.
        with time_machine.travel(NOW + dt.timedelta(minutes=75), tick=False):
            yield key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Ids in request bodies, and the rows they name.
BODY_IDS = {
    "mentee": "/api/people/",
    "receivers": "/api/people/",
    "team": "/api/teams/",
    "parent": "/api/thread-posts/",
}


def org_id(value, ids: list[int]):
    """The org's row for a generated id. Only in-range whole numbers move (the coverage
    phase sends them as strings, fuzzing as integers): negative, huge and non-integer
    ids, the hostile ones, are sent as generated."""
    if isinstance(value, bool) or not ids or not re.fullmatch(r"\d{1,9}", str(value)):
        return value
    return ids[int(value) % len(ids)]


def aim_at_org(case, org_ids: dict[str, list[int]]) -> None:
    """Point generated ids, in the path and in the body, at rows of the org, so the
    checks behind "does it exist" run too."""
    if case.path_parameters and "id" in case.path_parameters:
        ids = next((ids for prefix, ids in org_ids.items() if case.path.startswith(prefix)), [])
        case.path_parameters["id"] = org_id(case.path_parameters["id"], ids)
    if isinstance(case.body, dict):
        for field, prefix in BODY_IDS.items():
            value = case.body.get(field)
            if isinstance(value, list):
                case.body[field] = [org_id(item, org_ids[prefix]) for item in value]
            elif value is not None:
                case.body[field] = org_id(value, org_ids[prefix])


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_api_answers_as_documented(case, token, org_ids):
    aim_at_org(case, org_ids)
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
