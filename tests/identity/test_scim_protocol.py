"""SCIM's doors and discovery: bearer tokens only, errors as SCIM bodies, and the
schemas Hearth serves are well-formed RFC 7643 definitions that the checker used by
every other SCIM test really applies."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from identity.models import ScimToken
from tests.identity.scim_support import RAW_TOKEN, Provider, SchemaChecker, make_token

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
PATHS = [
    "Users",
    "Users/1",
    "Groups",
    "Groups/1",
    "ServiceProviderConfig",
    "Schemas",
    "ResourceTypes",
    "Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    "ResourceTypes/User",
]
CHARACTERISTICS = {
    "mutability": {"readOnly", "readWrite", "immutable", "writeOnly"},
    "returned": {"always", "never", "default", "request"},
    "uniqueness": {"none", "server", "global"},
    "type": {
        "string",
        "boolean",
        "decimal",
        "integer",
        "dateTime",
        "reference",
        "complex",
        "binary",
    },
}


@pytest.fixture
def provider(db) -> Provider:
    make_token()
    return Provider()


def refused(response) -> bool:
    return (
        response.status_code == 401
        and response["Content-Type"] == "application/scim+json"
        and response["WWW-Authenticate"].startswith("Bearer")
        and response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        and response.json()["status"] == "401"
    )


@pytest.mark.parametrize("path", PATHS)
def test_no_token_a_wrong_token_or_a_session_is_401(db, bob, path):
    make_token()
    signed_in = Client()
    signed_in.force_login(bob)
    for client in (
        Client(),
        Client(HTTP_AUTHORIZATION="Bearer wrong-token"),
        Client(HTTP_AUTHORIZATION=f"Basic {RAW_TOKEN}"),
        Client(HTTP_AUTHORIZATION="Bearer "),
        signed_in,
    ):
        assert refused(client.get(f"/scim/v2/{path}")), client
        assert refused(client.post(f"/scim/v2/{path}", "{}", content_type="application/json"))


def test_a_revoked_token_is_refused_and_a_live_one_notes_its_use(db):
    live = make_token()
    make_token("revoked-token-000000000000", revoked_at=NOW)
    assert refused(Provider("revoked-token-000000000000").get("Users"))
    with time_machine.travel(NOW, tick=False):
        assert Provider().get("Users").status_code == 200
    live.refresh_from_db()
    assert live.last_used_at == NOW
    assert ScimToken.objects.get(prefix="revoked-").last_used_at is None


def test_writes_need_no_csrf_token(provider, db):
    # Provider's client enforces CSRF checks, as a browser would be held to them.
    assert provider.post("Users", {"userName": "csrf@example.com"}).status_code == 201


def test_unsupported_methods_are_405_scim_errors(provider):
    checker = SchemaChecker(provider)
    for method, path in [("DELETE", "Users"), ("PUT", "Groups"), ("POST", "Schemas")]:
        response = provider.send(method, path, {})
        assert response.status_code == 405
        assert checker.response(response) == []


def test_a_body_that_is_not_json_is_400_invalidSyntax(provider):
    response = provider.client.post("/scim/v2/Users", "{nope", content_type="application/scim+json")
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidSyntax"
    response = provider.client.post("/scim/v2/Users", "[1]", content_type="application/json")
    assert response.json()["scimType"] == "invalidSyntax"


def test_service_provider_config_says_what_hearth_supports(provider):
    body = provider.get("ServiceProviderConfig").json()
    assert body["patch"] == {"supported": True}
    assert body["filter"] == {"supported": True, "maxResults": 200}
    assert not body["bulk"]["supported"] and not body["etag"]["supported"]
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert body["meta"]["location"].endswith("/scim/v2/ServiceProviderConfig")


def test_resource_types_name_their_schemas_and_extensions(provider):
    body = provider.get("ResourceTypes").json()
    found = {item["id"]: item for item in body["Resources"]}
    assert found["User"]["endpoint"] == "/Users"
    assert found["Group"]["schemaExtensions"] == [
        {"schema": "urn:ietf:params:scim:schemas:extension:hearth:2.0:Group", "required": False}
    ]
    schemas = {item["id"] for item in provider.get("Schemas").json()["Resources"]}
    for item in found.values():
        assert item["schema"] in schemas
        assert provider.get(f"ResourceTypes/{item['id']}").json() == item
    assert provider.get("ResourceTypes/Printer").status_code == 404
    assert provider.get("Schemas/urn:nothing").status_code == 404


def _definitions(attributes: list[dict], where: str) -> list[str]:
    problems = []
    for attribute in attributes:
        name = f"{where}.{attribute.get('name')}"
        for key in ("name", "type", "multiValued", "description", "required", "caseExact"):
            if key not in attribute:
                problems.append(f"{name} lacks {key}")
        for key, allowed in CHARACTERISTICS.items():
            if attribute.get(key) not in allowed:
                problems.append(f"{name}.{key} is {attribute.get(key)!r}")
        if attribute["type"] == "complex":
            problems += _definitions(attribute.get("subAttributes", []), name)
        if attribute["type"] == "reference" and not attribute.get("referenceTypes"):
            problems.append(f"{name} lacks referenceTypes")
    return problems


def test_served_schemas_are_rfc_7643_definitions(provider):
    body = provider.get("Schemas").json()
    assert body["totalResults"] == len(body["Resources"]) == 4
    for schema in body["Resources"]:
        assert schema["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
        assert _definitions(schema["attributes"], schema["id"]) == []
        assert provider.get(f"Schemas/{schema['id']}").json() == schema


def test_the_checker_finds_what_is_wrong(provider, bob):
    checker = SchemaChecker(provider)
    good = provider.get(f"Users/{bob.pk}").json()
    assert checker.resource(good) == []
    broken = dict(good, active="yes", nickName="Bobby", emails={"value": "x"})
    del broken["userName"]
    broken["name"] = {"formatted": 3}
    broken["schemas"] = ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:example:unknown"]
    assert sorted(checker.resource(broken)) == sorted(
        [
            "User.active is 'yes', not a boolean",
            "User.nickName is not in the schema",
            "User.emails is multi-valued but not a list",
            "User.userName is required and missing",
            "User.name.formatted is 3, not a string",
            "schema urn:example:unknown is not served at /Schemas",
            # Bob has a manager: the enterprise extension is there but no longer listed.
            "extension urn:ietf:params:scim:schemas:extension:enterprise:2.0:User is not "
            "listed in schemas",
        ]
    )
    assert checker.error({"schemas": [], "status": 400}, 400) == [
        "error schemas []",
        "error status 400 is not the string 400",
    ]
    listing = {"schemas": [], "totalResults": 0, "itemsPerPage": 1, "startIndex": 1}
    assert "itemsPerPage is not the number of Resources" in checker.listing(listing)
