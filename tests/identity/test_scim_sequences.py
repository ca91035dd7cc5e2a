"""Replays, in order, the requests Okta and Microsoft Entra ID send (from their public
SCIM documentation, stored in scim_sequences/), checking each status, the parts of
each body the provider reads, and every body against the schemas Hearth serves."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine

from connection.models import AuditEntry, Team, User
from identity.models import ScimPerson
from tests.helpers import make_user
from tests.identity.scim_support import Provider, SchemaChecker, make_token

SEQUENCES = Path(__file__).parent / "scim_sequences"
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def contains(actual, expected, where: str = "body") -> list[str]:
    """What of `expected` is not in `actual`: objects by key, lists item by item."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where} is {actual!r}, not an object"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key} is missing")
            else:
                problems += contains(actual[key], value, f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where} is {actual!r}, expected {len(expected)} items"]
        return [p for i, item in enumerate(expected) for p in contains(actual[i], item, where)]
    return [] if actual == expected else [f"{where} is {actual!r}, not {expected!r}"]


def fill(value, saved: dict):
    text = json.dumps(value)
    for name, found in saved.items():
        text = text.replace("{" + name + "}", found)
    return json.loads(text)


def replay(name: str) -> dict:
    """Send every step of a stored sequence; returns the ids it saved."""
    provider, saved = Provider(), {}
    checker = SchemaChecker(provider)
    for step in json.loads((SEQUENCES / f"{name}.json").read_text())["steps"]:
        step = fill(step, saved)
        response = provider.send(step["method"], step["path"], step.get("body"))
        assert response.status_code == step["status"], (step["name"], response.content)
        problems = checker.response(response)
        if response.status_code != 204:
            body = response.json()
            problems += contains(body, step.get("expect", {}))
            problems += [f"{key} is returned" for key in step.get("absent", []) if key in body]
            saved |= {var: body[key] for var, key in step.get("save", {}).items()}
        assert not problems, (step["name"], problems)
    return saved


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_okta_sequence_creates_updates_deactivates_and_groups_a_person(db, frozen):
    make_token()
    make_user(email="earlier.one@example.com")
    make_user(email="earlier.two@example.com")
    saved = replay("okta")
    person = User.objects.get(pk=saved["user_id"])
    assert (person.email, person.display_name, person.is_active) == (
        "test.user@okta.local",
        "Another User",
        True,
    )
    assert person.external_id == "00ujl29u0le5T6Aj10h7"
    assert person.team is None
    assert not person.has_usable_password()
    assert not Team.objects.filter(name__startswith="Test SCIMv2").exists()
    actions = AuditEntry.objects.filter(action=AuditEntry.Action.SCIM_CHANGED)
    # POST, PUT, 2 PATCH on the user; POST, PUT, 4 PATCH, DELETE on the group.
    assert actions.count() == 11


def test_entra_sequence_provisions_and_deletes(db, frozen):
    make_token()
    saved = replay("entra")
    person = User.objects.get(pk=saved["user_id"])
    assert person.email == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    assert person.display_name == "givenName updatedFamilyName"
    assert person.manager_id == int(saved["manager_id"])
    assert not person.is_active
    assert ScimPerson.objects.get(user=person).deleted_at == NOW
    assert not Team.objects.filter(pk=saved["group_id"]).exists()
    assert User.objects.get(pk=saved["manager_id"]).team is None


@pytest.mark.parametrize("name", ["okta", "entra"])
def test_sequences_are_the_documented_shape(name):
    stored = json.loads((SEQUENCES / f"{name}.json").read_text())
    assert stored["source"]
    for step in stored["steps"]:
        assert {"name", "method", "path", "status"} <= set(step), step
        assert step["method"] in {"GET", "POST", "PUT", "PATCH", "DELETE"}
