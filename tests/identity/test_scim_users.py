"""SCIM Users: deactivation ends access at once, input is checked before anything is
written, filters and pages answer as RFC 7644 says, and one userName wins a race."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from connection.lifecycle import FORMER_EMAIL, erase_person
from connection.models import AuditEntry, Nudge, Team, User
from connection.nudges import create_nudge
from identity.models import ScimPerson
from pulse.models import Response, Round
from tests.helpers import race
from tests.identity.scim_support import Provider, SchemaChecker, make_token

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def provider(db) -> Provider:
    make_token()
    return Provider()


@pytest.fixture
def checker(provider) -> SchemaChecker:
    return SchemaChecker(provider)


def new_user(provider: Provider, user_name: str = "new.person@example.com", **extra):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "New", "familyName": "Person"},
    }
    return provider.post("Users", body | extra)


def ok(checker: SchemaChecker, response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert checker.response(response) == []
    return response.json() if response.content else {}


# ---------------------------------------------------------------- deactivation


def _pulse_response(team: Team) -> None:
    round_ = Round.objects.create(
        number=7,
        opens_at=NOW - dt.timedelta(days=7),
        closes_at=NOW - dt.timedelta(days=1),
        status=Round.Status.REPORTED,
        min_group_size=5,
        comment_threshold=10,
    )
    Response.objects.create(round=round_, team=team, tenure_band="1-3y", location="remote")


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "value": {"active": False}},  # Okta
        {"op": "Replace", "path": "active", "value": "False"},  # Microsoft Entra
    ],
    ids=["okta", "entra"],
)
def test_patching_active_false_ends_sessions_tokens_and_nudges_in_that_request(
    provider, checker, bob, team, operation
):
    browser = Client()
    browser.force_login(bob)
    assert browser.get(reverse("profile")).status_code == 200
    token = Token.objects.create(user=bob)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    assert api.get("/api/me/").status_code == 200
    waiting = create_nudge(recipient=bob, kind="ritual_reminder", dedupe_key="k", payload={})
    _pulse_response(team)

    body = ok(checker, provider.patch(f"Users/{bob.pk}", operation), 200)

    assert body["active"] is False
    assert browser.get(reverse("profile")).url.startswith(reverse("login"))
    assert not Token.objects.filter(user=bob).exists()
    assert api.get("/api/me/").json() == {"detail": "Invalid token."}
    waiting.refresh_from_db()
    assert waiting.status == Nudge.Status.SKIPPED
    assert Response.objects.count() == 1
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.SCIM_CHANGED)
    assert [entry.detail for entry in entries] == [
        {"resource": "User", "operation": "patched", "changed": ["is_active"]}
    ]
    assert AuditEntry.objects.get(action=AuditEntry.Action.PEOPLE_DEACTIVATED).detail == {
        "people": 1,
        "via": "SCIM",
    }


def test_put_with_active_false_deactivates_and_true_reactivates(provider, checker, bob):
    browser = Client()
    browser.force_login(bob)
    body = {"userName": bob.email, "displayName": bob.display_name, "active": False}
    assert ok(checker, provider.put(f"Users/{bob.pk}", body), 200)["active"] is False
    assert browser.get(reverse("profile")).status_code == 302
    assert ok(checker, provider.put(f"Users/{bob.pk}", body | {"active": True}), 200)["active"]
    bob.refresh_from_db()
    assert bob.is_active


def test_delete_deactivates_keeps_the_person_and_answers_404_after(provider, checker, bob):
    browser = Client()
    browser.force_login(bob)
    with time_machine.travel(NOW, tick=False):
        assert provider.delete(f"Users/{bob.pk}").status_code == 204
    assert browser.get(reverse("profile")).status_code == 302
    bob.refresh_from_db()
    assert not bob.is_active
    assert ScimPerson.objects.get(user=bob).deleted_at == NOW
    for path in (f"Users/{bob.pk}", f'Users?filter=userName eq "{bob.email}"'):
        response = provider.get(path)
        assert checker.response(response) == []
    assert provider.get(f"Users/{bob.pk}").status_code == 404
    assert provider.get(f'Users?filter=userName eq "{bob.email}"').json()["totalResults"] == 0
    assert provider.delete(f"Users/{bob.pk}").status_code == 404


def test_creating_a_deleted_userName_again_brings_the_person_back(provider, checker, bob):
    provider.delete(f"Users/{bob.pk}")
    body = ok(checker, new_user(provider, bob.email.upper()), 201)
    assert body["id"] == str(bob.pk)
    assert body["active"] is True
    assert ScimPerson.objects.get(user=bob).deleted_at is None


# ---------------------------------------------------------------- what is written


def test_post_maps_the_attributes_and_lower_cases_userName(provider, checker, alice):
    response = new_user(
        provider,
        "Ana.Silva@Example.COM",
        displayName="Ana Silva",
        externalId="00u1",
        timezone="Europe/Lisbon",
        active=True,
        **{ENTERPRISE: {"manager": {"value": str(alice.pk)}}},
    )
    body = ok(checker, response, 201)
    person = User.objects.get(pk=body["id"])
    assert response["Location"] == body["meta"]["location"].replace("http://testserver", "")
    assert (person.email, person.display_name, person.external_id) == (
        "ana.silva@example.com",
        "Ana Silva",
        "00u1",
    )
    assert (person.time_zone, person.manager, person.is_active) == ("Europe/Lisbon", alice, True)
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{person.pk}")


def test_the_primary_email_stands_in_for_a_missing_userName(provider, checker):
    emails = [
        {"value": "other@example.com", "type": "home"},
        {"value": "Main@Example.com", "type": "work", "primary": True},
    ]
    response = provider.post("Users", {"emails": emails, "displayName": "Main"})
    assert ok(checker, response, 201)["userName"] == "main@example.com"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"userName": "not an address"}, "userName"),
        ({"active": "maybe"}, "active"),
        ({ENTERPRISE: {"manager": {"value": "999999"}}}, "manager"),
        ({"displayName": ["a list"]}, "displayName"),
    ],
)
def test_bad_input_is_400_invalidValue_and_writes_nothing(provider, checker, extra, problem):
    response = new_user(provider, **extra)
    body = ok(checker, response, 400)
    assert body["scimType"] == "invalidValue"
    assert problem in body["detail"]
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_bad_patch_changes_nothing_of_the_operations_before_it(provider, checker, bob):
    response = provider.patch(
        f"Users/{bob.pk}",
        {"op": "replace", "path": "displayName", "value": "Robert"},
        {"op": "replace", "path": "active", "value": False},
        {"op": "replace", "path": "timezone", "value": "Nowhere/Else"},
    )
    assert ok(checker, response, 400)["scimType"] == "invalidValue"
    bob.refresh_from_db()
    assert (bob.display_name, bob.is_active, bob.time_zone) == (
        "Bob Ferreira",
        True,
        "Europe/Lisbon",
    )
    assert not AuditEntry.objects.exists()


def test_a_taken_userName_is_409_uniqueness(provider, checker, bob, alice):
    assert ok(checker, new_user(provider, "BOB@example.com"), 409)["scimType"] == "uniqueness"
    response = provider.patch(
        f"Users/{bob.pk}", {"op": "replace", "path": "userName", "value": alice.email}
    )
    assert ok(checker, response, 409)["scimType"] == "uniqueness"


def test_patch_sets_and_removes_the_manager(provider, checker, bob, alice, charlie):
    path = f"{ENTERPRISE}:manager"
    body = ok(
        checker,
        provider.patch(
            f"Users/{bob.pk}", {"op": "Add", "path": path, "value": [{"value": str(charlie.pk)}]}
        ),
        200,
    )
    assert body[ENTERPRISE]["manager"]["value"] == str(charlie.pk)
    body = ok(checker, provider.patch(f"Users/{bob.pk}", {"op": "Remove", "path": path}), 200)
    assert ENTERPRISE not in body
    bob.refresh_from_db()
    assert bob.manager is None
    response = provider.patch(f"Users/{bob.pk}", {"op": "Add", "path": path, "value": str(bob.pk)})
    assert ok(checker, response, 400)["scimType"] == "invalidValue"


def test_unknown_attributes_are_ignored_and_unknown_ops_refused(provider, checker, bob):
    ignored = {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+351"}
    assert ok(checker, provider.patch(f"Users/{bob.pk}", ignored), 200)["id"] == str(bob.pk)
    response = provider.patch(f"Users/{bob.pk}", {"op": "move", "path": "active", "value": True})
    assert ok(checker, response, 400)["scimType"] == "invalidSyntax"
    response = provider.patch(f"Users/{bob.pk}", {"op": "remove"})
    assert ok(checker, response, 400)["scimType"] == "noTarget"
    response = provider.send("PATCH", f"Users/{bob.pk}", None)
    assert ok(checker, response, 400)["scimType"] == "invalidSyntax"


# ---------------------------------------------------------------- reading


def test_filters_by_userName_externalId_and_and(provider, checker, bob, alice):
    bob.external_id = "ext-bob"
    bob.save(update_fields=["external_id"])
    for text, found in [
        ('userName eq "BOB@example.com"', [bob]),
        ('externalId eq "ext-bob"', [bob]),
        ('userName eq "bob@example.com" and active eq true', [bob]),
        ('userName eq "bob@example.com" and externalId eq "other"', []),
        ('USERNAME EQ "alice@example.com"', [alice]),
        ('displayName eq "Name with \\"quotes\\" and spaces"', []),
    ]:
        body = ok(checker, provider.get(f"Users?filter={text}"), 200)
        assert [item["id"] for item in body["Resources"]] == [str(p.pk) for p in found], text


@pytest.mark.parametrize(
    "text",
    [
        'userName co "bob"',
        'userName eq "a" or userName eq "b"',
        '(userName eq "a")',
        'emails[type eq "work"].value eq "a"',
        "userName eq bob",
        'title eq "CEO"',
        " ",
    ],
)
def test_filters_hearth_does_not_read_are_400_invalidFilter(provider, checker, text):
    body = ok(checker, provider.get(f"Users?filter={text}"), 400)
    assert body["scimType"] == "invalidFilter"


def test_pagination_edges(provider, checker, bob, alice, charlie):
    ids = [str(p.pk) for p in sorted([alice, bob, charlie], key=lambda p: p.pk)]

    def page(query: str) -> dict:
        return ok(checker, provider.get(f"Users?{query}"), 200)

    assert [r["id"] for r in page("startIndex=2&count=1")["Resources"]] == ids[1:2]
    beyond = page("startIndex=10&count=5")
    assert (beyond["totalResults"], beyond["itemsPerPage"], beyond["Resources"]) == (3, 0, [])
    counted = page("count=0")
    assert (counted["totalResults"], counted["Resources"]) == (3, [])
    assert page("startIndex=0&count=-4")["startIndex"] == 1
    assert page("startIndex=-3")["Resources"][0]["id"] == ids[0]
    assert page("count=500")["itemsPerPage"] == 3
    assert ok(checker, provider.get("Users?count=two"), 400)["scimType"] == "invalidValue"


def test_attributes_and_excludedAttributes_trim_the_answer(provider, bob):
    body = provider.get(f"Users/{bob.pk}?attributes=userName").json()
    assert set(body) == {"schemas", "id", "meta", "userName"}
    body = provider.get(f"Users/{bob.pk}?excludedAttributes=groups,emails").json()
    assert "groups" not in body and "emails" not in body and body["userName"] == bob.email


def test_unknown_ids_are_404(provider, checker):
    for path in ("Users/999999", "Users/abc", "Users/²"):
        assert ok(checker, provider.get(path), 404)["status"] == "404"


# ---------------------------------------------------------------- the race


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency")
def test_two_creates_of_one_userName_at_once_give_one_201_and_one_409():
    make_token()
    statuses = []

    def attempt():
        statuses.append(new_user(Provider(), "twice@example.com").status_code)

    for _ in range(5):
        statuses.clear()
        User.objects.filter(email="twice@example.com").delete()
        race(attempt, threads=2)
        assert sorted(statuses) == [201, 409]
    assert User.objects.filter(email="twice@example.com").count() == 1


def test_the_placeholder_for_erased_people_is_not_a_scim_user(provider, checker, bob, hana):
    """Erasure leaves one inactive "former colleague" row signing what erased people
    wrote for others; the directory neither lists nor reaches it."""
    erase_person(person=bob, actor=hana)
    placeholder = User.objects.get(email=FORMER_EMAIL)
    listed = ok(checker, provider.get("Users"), 200)
    assert str(placeholder.pk) not in [r["id"] for r in listed["Resources"]]
    assert provider.get(f"Users/{placeholder.pk}").status_code == 404
    assert (
        ok(checker, provider.get(f'Users?filter=userName eq "{FORMER_EMAIL}"'), 200)["totalResults"]
        == 0
    )
