"""The SCIM wire format (RFC 7644): URNs, errors, list responses, JSON in and out."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
HEARTH_GROUP = "urn:ietf:params:scim:schemas:extension:hearth:2.0:Group"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

DEFAULT_COUNT = 100
MAX_COUNT = 200


@dataclass
class ScimError(Exception):
    """An answer the client gets as a SCIM error body; raised anywhere below a view."""

    status: int
    detail: str
    scim_type: str = ""

    def body(self) -> dict:
        body = {"schemas": [ERROR], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def not_found(kind: str, scim_id: str) -> ScimError:
    return ScimError(404, _("No %(kind)s with id %(id)s.") % {"kind": kind, "id": repr(scim_id)})


def answer(data: dict | None, *, status: int = 200, location: str = "") -> HttpResponse:
    """A SCIM response: `application/scim+json`, or no body for 204."""
    if data is None:
        return HttpResponse(status=status)
    response = HttpResponse(json.dumps(data), status=status, content_type=CONTENT_TYPE)
    if location:
        response["Location"] = location
    return response


def error_answer(error: ScimError) -> HttpResponse:
    response = answer(error.body(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="Hearth SCIM"'
    return response


def read_json(request: HttpRequest) -> dict:
    """The request's JSON object; a body that is not one is a 400 invalidSyntax."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise ScimError(
            400, _("The body is not JSON: %(error)s") % {"error": error}, "invalidSyntax"
        ) from error
    if not isinstance(body, dict):
        raise ScimError(400, _("The body must be a JSON object."), "invalidSyntax")
    return body


def location(route: str, *pk: int | str) -> str:
    """The resource's absolute URL, as `meta.location` and `$ref` carry it."""
    return settings.SITE_URL + reverse(route, args=[str(part) for part in pk])


def list_answer(resources: list[dict], *, total: int, start: int) -> HttpResponse:
    return answer(
        {
            "schemas": [LIST],
            "totalResults": total,
            "itemsPerPage": len(resources),
            "startIndex": start,
            "Resources": resources,
        }
    )


def stamp(moment) -> str:
    """An xsd:dateTime in UTC, as SCIM's `meta` carries it."""
    return moment.isoformat().replace("+00:00", "Z")


def as_bool(value, *, name: str) -> bool:
    """A SCIM boolean; Microsoft Entra sends "True" and "False" as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid_value(
        _("%(name)s must be true or false, not %(value)s.") % {"name": name, "value": repr(value)}
    )


def trim(resource: dict, *, attributes: list[str], excluded: list[str]) -> dict:
    """Apply `attributes` / `excludedAttributes` (top-level names, RFC 7644 §3.9);
    `id`, `schemas` and `meta` are always returned."""
    always = {"id", "schemas", "meta"}

    def top(name: str) -> str:
        if name.lower().startswith("urn:"):
            for key in resource:
                if name.lower().startswith(key.lower()) and key.lower().startswith("urn:"):
                    return key.lower()
        return name.split(".")[0].lower()

    if attributes:
        wanted = {top(name) for name in attributes} | always
        return {key: value for key, value in resource.items() if key.lower() in wanted}
    if excluded:
        dropped = {top(name) for name in excluded} - always
        return {key: value for key, value in resource.items() if key.lower() not in dropped}
    return resource
