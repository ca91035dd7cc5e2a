"""A person's own data and erasure: "Download my data" (a page and a JSON file) and
"Erase my account" for the person; the same for HR, about anyone, audited."""

from __future__ import annotations

import json

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from connection.lifecycle.anonymise import FORMER_EMAIL
from connection.lifecycle.forms import EraseForm
from connection.lifecycle.services import erase_person, export_person, record_export
from connection.models import OrgSettings, User
from connection.roles import hr_admin_required


def _may_erase_themselves() -> bool:
    # Read, not OrgSettings.load(): a refused request writes no settings row.
    allowed = OrgSettings.objects.values_list("people_may_erase_themselves", flat=True).first()
    return bool(allowed)


def _json(person: User) -> HttpResponse:
    body = json.dumps(export_person(person), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    name = f"hearth-data-{person.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# A kind with more rows than this shows them behind "Show all": signals and messages
# run to hundreds, and the page should still read from the top.
SHOWN_ROWS = 5


def _shown(value):
    """A value as the page shows it: lists as comma-separated text."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or None
    return value


def _readable(export: dict) -> dict:
    sections = []
    for number, section in enumerate(export["sections"], start=1):
        rows = [{key: _shown(value) for key, value in row.items()} for row in section["rows"]]
        sections.append(
            section
            | {
                "anchor": f"kind-{number}",
                "count": len(rows),
                "first": rows[:SHOWN_ROWS],
                "more": rows[SHOWN_ROWS:],
            }
        )
    return export | {"sections": sections}


def _page(request: HttpRequest, person: User, *, json_url: str) -> HttpResponse:
    export = _readable(export_person(person))
    own = person == request.user
    context = {
        "export": export,
        "person": person,
        "json_url": json_url,
        "own": own,
        "may_erase": own and _may_erase_themselves(),
    }
    return render(request, "connection/my_data.html", context)


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return _page(request, request.user, json_url="/profile/data.json")


@login_required
@require_GET
def my_data_json(request: HttpRequest) -> HttpResponse:
    return _json(request.user)


def _someone(pk: int) -> User:
    return get_object_or_404(User.objects.exclude(email=FORMER_EMAIL), pk=pk)


@hr_admin_required
@require_GET
def person_data(request: HttpRequest, pk: int) -> HttpResponse:
    person = _someone(pk)
    record_export(person=person, actor=request.user)
    return _page(request, person, json_url=f"/people/{person.pk}/data.json")


@hr_admin_required
@require_GET
def person_data_json(request: HttpRequest, pk: int) -> HttpResponse:
    person = _someone(pk)
    record_export(person=person, actor=request.user)
    return _json(person)


def _erase(request: HttpRequest, person: User, *, own: bool) -> HttpResponse:
    form = EraseForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        erase_person(person=person, actor=request.user)
        if own:
            logout(request)
        return render(request, "connection/erase_done.html", {"own": own})
    return render(request, "connection/erase.html", {"form": form, "person": person, "own": own})


@login_required
@require_http_methods(["GET", "POST"])
def erase_self(request: HttpRequest) -> HttpResponse:
    if not _may_erase_themselves():
        raise PermissionDenied(_("Your HR admin erases accounts here; ask them."))
    return _erase(request, request.user, own=True)


@hr_admin_required
@require_http_methods(["GET", "POST"])
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = _someone(pk)
    if person == request.user:
        raise PermissionDenied(
            _("Another HR admin erases your account, or you do from your profile.")
        )
    return _erase(request, person, own=False)
