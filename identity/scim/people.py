"""SCIM Users: people in Hearth, shown as SCIM resources and changed from SCIM's JSON.

userName is the person's e-mail address (lower-cased); Hearth keeps one display name,
taken from displayName, else name.formatted, else given and family name. Every write
is one transaction with its audit entry; `active: false` (and DELETE) goes through
`connection.access.deactivate_people`, which ends sessions and API tokens at once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connection.access import deactivate_people
from connection.audit import record
from connection.models import AuditEntry, User
from identity.models import ScimPerson
from identity.scim.filters import filter_q
from identity.scim.forms import ScimPersonForm, check, resource_pk, scim_people
from identity.scim.patch import Operation, operations, reference_id
from identity.scim.protocol import (
    ENTERPRISE,
    USER,
    ScimError,
    as_bool,
    invalid_value,
    location,
    not_found,
    stamp,
)

EXTENSIONS = (ENTERPRISE, USER)
NAME_PARTS = {"givenname": "given_name", "familyname": "family_name", "formatted": "formatted"}
TEXT_ATTRIBUTES = {"displayname": "display_name", "externalid": "external_id"}
KEPT = ("email", "display_name", "external_id", "time_zone", "manager_id", "is_active")
FIELDS_SAVED = ("email", "display_name", "external_id", "time_zone", "manager", "is_active")
FILTERS = {
    "username": "email__iexact",
    "emails": "email__iexact",
    "emails.value": "email__iexact",
    "externalid": "external_id",
    "displayname": "display_name",
    "id": lambda value: Q(pk=resource_pk(value)) if resource_pk(value) else Q(pk__in=[]),
    "active": lambda value: Q(is_active=as_bool(value, name="active")),
}


def listed(filter_text: str):
    rows = scim_people().select_related("team", "manager", "scim").order_by("pk")
    return rows.filter(filter_q(filter_text, FILTERS)) if filter_text else rows


def find(scim_id: str) -> User:
    pk = resource_pk(scim_id)
    person = listed("").filter(pk=pk).first() if pk else None
    if person is None:
        raise not_found(kind="User", scim_id=scim_id)
    return person


def _record(person: User | None) -> ScimPerson | None:
    try:
        return person.scim if person is not None and person.pk else None
    except ScimPerson.DoesNotExist:
        return None


def resource(person: User) -> dict:
    """The person as a SCIM User (RFC 7643 §4.1, with the enterprise manager)."""
    scim = _record(person)
    name = {"formatted": person.display_name}
    if scim is not None:
        name |= {"givenName": scim.given_name, "familyName": scim.family_name}
        name = {key: value for key, value in name.items() if value}
    body = {
        "schemas": [USER],
        "id": str(person.pk),
        "userName": person.email,
        "name": name,
        "displayName": person.display_name,
        "emails": [{"value": person.email, "type": "work", "primary": True}],
        "timezone": person.time_zone,
        "active": person.is_active,
        "groups": [],
        "meta": {
            "resourceType": "User",
            "created": stamp(person.date_joined),
            "location": location("scim_user", person.pk),
        },
    }
    if scim is not None:
        body["meta"]["lastModified"] = stamp(max(scim.modified_at, person.date_joined))
    if person.external_id:
        body["externalId"] = person.external_id
    if person.team_id:
        body["groups"] = [
            {
                "value": str(person.team_id),
                "$ref": location("scim_group", person.team_id),
                "display": person.team.name,
                "type": "direct",
            }
        ]
    if person.manager_id:
        body["schemas"].append(ENTERPRISE)
        body[ENTERPRISE] = {
            "manager": {
                "value": str(person.manager_id),
                "$ref": location("scim_user", person.manager_id),
                "displayName": person.manager.display_name,
            }
        }
    return body


def _text(value, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    raise invalid_value(
        _("%(name)s must be a string, not %(value)s.") % {"name": name, "value": repr(value)}
    )


def _primary_email(emails) -> str | None:
    if not isinstance(emails, list) or not emails:
        return None
    entries = [entry for entry in emails if isinstance(entry, dict)]
    primary = [entry for entry in entries if entry.get("primary") in (True, "true", "True")]
    chosen = (primary or entries or [{}])[0]
    return chosen.get("value")


def _name_parts(name: dict) -> dict:
    return {
        NAME_PARTS[key.lower()]: _text(value, f"name.{key}")
        for key, value in name.items()
        if key.lower() in NAME_PARTS
    }


def changes_from_resource(body: dict) -> dict:
    """What a POST or PUT body sets, by Hearth's field names; attributes it leaves out
    are not in the result (they keep their value)."""
    changes: dict = {}
    user_name = body.get("userName") or _primary_email(body.get("emails"))
    if user_name is not None:
        changes["email"] = _text(user_name, "userName")
    for key, field in (("displayName", "display_name"), ("externalId", "external_id")):
        if key in body:
            changes[field] = _text(body[key], key)
    if body.get("timezone") is not None:
        changes["time_zone"] = _text(body["timezone"], "timezone")
    if isinstance(body.get("name"), dict):
        changes |= _name_parts(body["name"])
    if body.get("active") is not None:
        changes["is_active"] = as_bool(body["active"], name="active")
    enterprise = body.get(ENTERPRISE)
    if isinstance(enterprise, dict) and "manager" in enterprise:
        changes["manager"] = reference_id(enterprise["manager"])
    return changes


def change_from_operation(operation: Operation) -> dict:
    """What one PATCH operation sets; attributes Hearth does not keep (phone numbers,
    titles, addresses, other extensions) change nothing."""
    path, value, removing = operation.path, operation.value, operation.op == "remove"
    if path.schema == ENTERPRISE:
        if path.attribute == "manager":
            return {"manager": None if removing else reference_id(value)}
        return {}
    if path.schema not in ("", USER):
        return {}
    attribute = path.attribute
    if attribute == "username":
        if removing:
            raise ScimError(400, _("userName cannot be removed."), "mutability")
        return {"email": _text(value, "userName")}
    if attribute in TEXT_ATTRIBUTES:
        return {TEXT_ATTRIBUTES[attribute]: "" if removing else _text(value, attribute)}
    if attribute == "timezone":
        return {} if removing or value is None else {"time_zone": _text(value, "timezone")}
    if attribute == "active":
        if removing:
            raise ScimError(400, _("active cannot be removed; set it to false."), "mutability")
        return {"is_active": as_bool(value, name="active")}
    if attribute == "name" and path.sub:
        field = NAME_PARTS.get(path.sub)
        return {field: "" if removing else _text(value, f"name.{path.sub}")} if field else {}
    if attribute == "name":
        if removing:
            return dict.fromkeys(NAME_PARTS.values(), "")
        if not isinstance(value, dict):
            raise invalid_value(_("name is an object."))
        return _name_parts(value)
    return {}


def _current_parts(person: User | None, scim: ScimPerson | None) -> tuple[str, str]:
    if scim is not None and (scim.given_name or scim.family_name):
        return scim.given_name, scim.family_name
    if person is None:
        return "", ""
    # Someone the org import created has one name: read its last word as the family
    # name, so a provider that sends only name.familyName changes only that word.
    given, _space, family = person.display_name.strip().rpartition(" ")
    return (given, family) if given else (family, "")


def form_data(changes: dict, person: User | None, *, fresh: bool) -> dict:
    """The person as they would be after `changes`: what ScimPersonForm checks."""
    given, family = _current_parts(person, _record(person))
    given = changes.get("given_name", given)
    family = changes.get("family_name", family)
    email = changes.get("email", person.email if person else "")
    named = " ".join(part for part in (given, family) if part)
    display = (
        changes.get("display_name")
        or changes.get("formatted")
        or (named if {"given_name", "family_name"} & set(changes) else "")
        or (person.display_name if person else "")
        or named
        or email.partition("@")[0]
    )
    return {
        "email": email,
        "display_name": display,
        "given_name": given,
        "family_name": family,
        "external_id": changes.get("external_id", person.external_id if person else ""),
        "is_active": changes.get("is_active", True if fresh else person.is_active),
        "time_zone": changes.get("time_zone", person.time_zone if person else "UTC"),
        "manager": changes.get("manager", person.manager_id if person else None),
    }


def _write(person: User | None, changes: dict, *, operation: str, fresh: bool = False) -> int:
    """Check and save, in the caller's transaction; returns the person's id."""
    data = check(ScimPersonForm(form_data(changes, person, fresh=fresh)))
    taken = User.objects.filter(email__iexact=data["email"])
    if person is not None:
        taken = taken.exclude(pk=person.pk)
    if taken.exists():
        raise ScimError(
            409,
            _("%(email)s is someone else's userName.") % {"email": data["email"]},
            "uniqueness",
        )
    if person is not None and data["manager"] is not None and data["manager"].pk == person.pk:
        raise invalid_value(_("A person cannot be their own manager."))
    before = {field: getattr(person, field) for field in KEPT} if person else {}
    deactivating = not data["is_active"] and person is not None and person.is_active
    person = person or User()
    person.email, person.display_name = data["email"], data["display_name"]
    person.external_id, person.time_zone = data["external_id"], data["time_zone"]
    person.manager = data["manager"]
    if data["is_active"] or person.pk is None:
        person.is_active = data["is_active"]
    if person.pk is None:
        person.set_unusable_password()
        person.save()
    else:
        person.save(update_fields=[*FIELDS_SAVED])
    if deactivating:
        deactivate_people([person.pk], actor=None, via="SCIM")
        person.is_active = False
    ScimPerson.objects.update_or_create(
        user=person,
        defaults={
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "modified_at": timezone.now(),
            "deleted_at": None,
        },
    )
    changed = [field for field in KEPT if before.get(field) != getattr(person, field)]
    _audit(person, operation=operation, changed=changed)
    return person.pk


def _audit(person: User, *, operation: str, changed: list[str]) -> None:
    record(
        actor=None,
        action=AuditEntry.Action.SCIM_CHANGED,
        target=person,
        detail={"resource": "User", "operation": operation, "changed": changed},
    )


def _unique(write):
    """Run a write; two requests for one userName at once: the loser gets 409."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        raise ScimError(409, _("That userName is someone else's."), "uniqueness") from error


def create(body: dict) -> int:
    """POST /Users. A userName the provider deleted before brings that person back."""
    changes = changes_from_resource(body)
    if not changes.get("email"):
        raise invalid_value(_("userName is required."))

    def write() -> int:
        existing = User.objects.filter(email__iexact=changes["email"].lower()).first()
        if existing is not None and _record(existing) and _record(existing).deleted_at:
            return _write(existing, changes, operation="restored", fresh=True)
        if existing is not None:
            raise ScimError(
                409, _("%(email)s already exists.") % {"email": existing.email}, "uniqueness"
            )
        return _write(None, changes, operation="created", fresh=True)

    return _unique(write)


def _locked(scim_id: str) -> User:
    person = find(scim_id)
    return User.objects.select_for_update().get(pk=person.pk)


def replace(scim_id: str, body: dict) -> int:
    """PUT /Users/{id}: the attributes it carries replace Hearth's; userName is required."""
    changes = changes_from_resource(body)
    if not changes.get("email"):
        raise invalid_value(_("userName is required."))
    return _unique(lambda: _write(_locked(scim_id), changes, operation="replaced"))


def patch(scim_id: str, body: dict) -> int:
    changes: dict = {}
    for operation in operations(body, extensions=EXTENSIONS):
        changes |= change_from_operation(operation)
    return _unique(lambda: _write(_locked(scim_id), changes, operation="patched"))


def delete(scim_id: str) -> None:
    """DELETE /Users/{id}: deactivated, not destroyed (their history stays); SCIM then
    answers 404 for them."""
    with transaction.atomic():
        person = _locked(scim_id)
        deactivate_people([person.pk], actor=None, via="SCIM")
        now = timezone.now()
        ScimPerson.objects.update_or_create(
            user=person, defaults={"deleted_at": now, "modified_at": now}
        )
        _audit(person, operation="deleted", changed=["is_active"])
