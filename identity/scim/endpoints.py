"""/scim/v2/: the SCIM 2.0 endpoints (RFC 7644) an identity provider calls.

No session and no CSRF: each request carries a bearer token HR issued (Settings →
SCIM), checked against its SHA-256 digest. Every answer is `application/scim+json`,
every refusal a SCIM error body.
"""

from __future__ import annotations

import functools

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from identity.models import ScimToken, token_digest
from identity.scim import people, schemas, teams
from identity.scim.forms import ListQueryForm
from identity.scim.protocol import (
    ScimError,
    answer,
    error_answer,
    list_answer,
    location,
    read_json,
    trim,
)


def authenticate(request: HttpRequest) -> ScimToken:
    scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ScimError(401, _("Send the SCIM token HR issued as a bearer token."))
    token = ScimToken.objects.live().filter(digest=token_digest(raw.strip())).first()
    if token is None:
        raise ScimError(401, _("This token is unknown or revoked."))
    ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def scim_endpoint(*methods: str):
    """A SCIM view: bearer token first, then the methods it answers, errors as SCIM."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                authenticate(request)
                if request.method not in methods:
                    raise ScimError(
                        405,
                        _("%(method)s is not supported here.") % {"method": request.method},
                    )
                return view(request, *args, **kwargs)
            except ScimError as error:
                return error_answer(error)

        return csrf_exempt(wrapped)

    return decorate


def _page(request: HttpRequest, module) -> HttpResponse:
    query = ListQueryForm(request.GET).query()
    rows = module.listed(query["filter"])
    total = rows.count()
    start = query["start"]
    chosen = rows[start - 1 : start - 1 + query["count"]] if query["count"] else []
    resources = [
        trim(module.resource(row), attributes=query["attributes"], excluded=query["excluded"])
        for row in chosen
    ]
    return list_answer(resources, total=total, start=start)


def _one(request: HttpRequest, module, pk: str, *, status: int = 200) -> HttpResponse:
    query = ListQueryForm(request.GET).query()
    found = module.resource(module.find(pk))
    body = trim(found, attributes=query["attributes"], excluded=query["excluded"])
    return answer(body, status=status, location=found["meta"]["location"])


def _collection(request: HttpRequest, module) -> HttpResponse:
    if request.method == "POST":
        return _one(request, module, str(module.create(read_json(request))), status=201)
    return _page(request, module)


def _item(request: HttpRequest, module, pk: str, *, patch_status: int) -> HttpResponse:
    if request.method == "PUT":
        module.replace(pk, read_json(request))
    elif request.method == "PATCH":
        module.patch(pk, read_json(request))
        if patch_status == 204:
            return answer(None, status=204)
    elif request.method == "DELETE":
        module.delete(pk)
        return answer(None, status=204)
    return _one(request, module, pk)


@scim_endpoint("GET", "POST")
def users(request: HttpRequest) -> HttpResponse:
    return _collection(request, people)


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, pk: str) -> HttpResponse:
    # Okta reads the person back from a PATCH answer: 200 with the User.
    return _item(request, people, pk, patch_status=200)


@scim_endpoint("GET", "POST")
def groups(request: HttpRequest) -> HttpResponse:
    return _collection(request, teams)


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, pk: str) -> HttpResponse:
    # Okta and Entra both expect 204 from a group PATCH (a big team's members stay home).
    return _item(request, teams, pk, patch_status=204)


@scim_endpoint("GET")
def service_provider_config(request: HttpRequest) -> HttpResponse:
    return answer(schemas.service_provider_config())


@scim_endpoint("GET")
def schema_list(request: HttpRequest) -> HttpResponse:
    found = [schemas.schema_resource(urn) for urn in schemas.SCHEMAS]
    return list_answer(found, total=len(found), start=1)


@scim_endpoint("GET")
def schema(request: HttpRequest, urn: str) -> HttpResponse:
    if urn not in schemas.SCHEMAS:
        raise ScimError(
            404,
            _("No schema %(urn)s; see %(url)s.")
            % {"urn": repr(urn), "url": location("scim_schemas")},
        )
    return answer(schemas.schema_resource(urn))


@scim_endpoint("GET")
def resource_types(request: HttpRequest) -> HttpResponse:
    found = [schemas.resource_type(name) for name in schemas.RESOURCE_TYPES]
    return list_answer(found, total=len(found), start=1)


@scim_endpoint("GET")
def resource_type(request: HttpRequest, name: str) -> HttpResponse:
    if name not in schemas.RESOURCE_TYPES:
        raise ScimError(
            404, _("No resource type %(name)s; Hearth has User and Group.") % {"name": repr(name)}
        )
    return answer(schemas.resource_type(name))
