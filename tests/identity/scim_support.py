"""Helpers for the SCIM tests: a provider's client, and a response checker built from
the schema definitions Hearth serves at /Schemas (RFC 7643 §2, §3.1, §7; RFC 7644
§3.4.2, §3.12)."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client

from identity.models import ScimToken, token_digest
from identity.scim.protocol import CONTENT_TYPE, ERROR, LIST

RAW_TOKEN = "provider-token-0123456789abcdefghijklmnop"
SCIM_TYPES = {
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
}
TYPES = {"string": str, "boolean": bool, "reference": str, "dateTime": str, "complex": dict}
COMMON = {"schemas", "id", "externalId", "meta"}


def make_token(raw: str = RAW_TOKEN, **fields) -> ScimToken:
    fields = {"label": "Okta", "prefix": raw[:8]} | fields
    return ScimToken.objects.create(digest=token_digest(raw), **fields)


class Provider:
    """What an identity provider does: JSON with a bearer token, no session."""

    def __init__(self, raw: str = RAW_TOKEN):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", enforce_csrf_checks=True)

    def send(self, method: str, path: str, body: dict | None = None):
        url = path if path.startswith("/") else f"/scim/v2/{path}"
        data = json.dumps(body) if body is not None else ""
        return self.client.generic(method, url, data, content_type=CONTENT_TYPE)

    def get(self, path: str):
        return self.send("GET", path)

    def post(self, path: str, body: dict):
        return self.send("POST", path, body)

    def put(self, path: str, body: dict):
        return self.send("PUT", path, body)

    def patch(self, path: str, *operations: dict):
        body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}
        return self.send("PATCH", path, body | {"Operations": list(operations)})

    def delete(self, path: str):
        return self.send("DELETE", path)


class SchemaChecker:
    """Checks responses against the schema definitions Hearth serves."""

    def __init__(self, provider: Provider):
        listed = provider.get("Schemas").json()["Resources"]
        self.schemas = {schema["id"]: schema["attributes"] for schema in listed}
        self.core = {
            "User": "urn:ietf:params:scim:schemas:core:2.0:User",
            "Group": "urn:ietf:params:scim:schemas:core:2.0:Group",
        }

    def response(self, response) -> list[str]:
        """Every problem with a response: content type, then its body's shape."""
        if response.status_code == 204:
            return ["a 204 has a body"] if response.content else []
        problems = []
        if response["Content-Type"].split(";")[0] != CONTENT_TYPE:
            problems.append(f"content type {response['Content-Type']}")
        body = response.json()
        if response.status_code >= 400:
            return problems + self.error(body, response.status_code)
        if body.get("schemas") == [LIST]:
            return problems + self.listing(body)
        return problems + self.resource(body)

    def error(self, body: dict, status: int) -> list[str]:
        problems = []
        if body.get("schemas") != [ERROR]:
            problems.append(f"error schemas {body.get('schemas')}")
        if body.get("status") != str(status):
            problems.append(f"error status {body.get('status')!r} is not the string {status}")
        if "scimType" in body and body["scimType"] not in SCIM_TYPES:
            problems.append(f"unknown scimType {body['scimType']}")
        if not isinstance(body.get("detail", ""), str):
            problems.append("detail is not a string")
        return problems

    def listing(self, body: dict) -> list[str]:
        problems = []
        for key in ("totalResults", "itemsPerPage", "startIndex"):
            if not isinstance(body.get(key), int) or isinstance(body.get(key), bool):
                problems.append(f"{key} is not an integer")
        resources = body.get("Resources", [])
        if body.get("itemsPerPage") != len(resources):
            problems.append("itemsPerPage is not the number of Resources")
        if body.get("totalResults", 0) < len(resources):
            problems.append("more Resources than totalResults")
        for item in resources:
            problems += self.resource(item)
        return problems

    def resource(self, body: dict) -> list[str]:
        kind = body.get("meta", {}).get("resourceType")
        if kind not in self.core:
            return []  # discovery resources: checked on their own
        problems = self._common(body)
        core = self.core[kind]
        listed = body.get("schemas", [])
        if core not in listed:
            problems.append(f"schemas {listed} lack {core}")
        for urn in listed:
            if urn not in self.schemas:
                problems.append(f"schema {urn} is not served at /Schemas")
        for key, value in body.items():
            if key.startswith("urn:"):
                if key not in listed:
                    problems.append(f"extension {key} is not listed in schemas")
                problems += self.attributes(value, self.schemas.get(key, []), key)
        core_body = {k: v for k, v in body.items() if k not in COMMON and not k.startswith("urn:")}
        return problems + self.attributes(core_body, self.schemas[core], kind)

    def _common(self, body: dict) -> list[str]:
        problems = []
        if not isinstance(body.get("id"), str) or not body["id"]:
            problems.append("id is not a non-empty string")
        if "externalId" in body and not isinstance(body["externalId"], str):
            problems.append("externalId is not a string")
        meta = body.get("meta", {})
        for key in ("resourceType", "location"):
            if not isinstance(meta.get(key), str):
                problems.append(f"meta.{key} is not a string")
        for key in ("created", "lastModified"):
            if key in meta and not _is_datetime(meta[key]):
                problems.append(f"meta.{key} is not an xsd:dateTime")
        return problems

    def attributes(self, body: dict, definitions: list[dict], where: str) -> list[str]:
        problems = []
        known = {definition["name"].lower(): definition for definition in definitions}
        for key in body:
            if key.lower() not in known:
                problems.append(f"{where}.{key} is not in the schema")
        for definition in definitions:
            name = definition["name"]
            present = next((key for key in body if key.lower() == name.lower()), None)
            if definition["returned"] == "never" and present:
                problems.append(f"{where}.{name} is returned but never should be")
            if present is None:
                if definition["required"] or definition["returned"] == "always":
                    problems.append(f"{where}.{name} is required and missing")
                continue
            problems += self.value(body[present], definition, f"{where}.{name}")
        return problems

    def value(self, value, definition: dict, where: str) -> list[str]:
        if definition["multiValued"]:
            if not isinstance(value, list):
                return [f"{where} is multi-valued but not a list"]
            single = definition | {"multiValued": False}
            return [problem for item in value for problem in self.value(item, single, where)]
        if value is None:
            return []
        kind = TYPES.get(definition["type"], object)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            return [f"{where} is {value!r}, not a {definition['type']}"]
        if definition["type"] == "dateTime" and not _is_datetime(value):
            return [f"{where} is not an xsd:dateTime"]
        if definition.get("canonicalValues") and value not in definition["canonicalValues"]:
            return [f"{where} is {value!r}, not one of {definition['canonicalValues']}"]
        if definition["type"] == "complex":
            return self.attributes(value, definition.get("subAttributes", []), where)
        return []


def _is_datetime(text) -> bool:
    try:
        dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
