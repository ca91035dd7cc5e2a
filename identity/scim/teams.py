"""SCIM Groups: Hearth's teams.

displayName is the team's (unique) name; members are the people whose team it is. A
person is on one team, so adding them to a group moves them there from any other,
and removing them leaves them on no team (unless they already moved on). Where a
team sits in the tree comes from our extension
`urn:ietf:params:scim:schemas:extension:hearth:2.0:Group` (`parent.value`, a group
id); a provider that does not send it leaves the team where HR put it.
"""

from __future__ import annotations

from django.db import IntegrityError, router, transaction
from django.db.models import Prefetch, ProtectedError, Q, RestrictedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from connection.audit import record
from connection.models import AuditEntry, Team, User
from identity.scim.filters import filter_q
from identity.scim.forms import MembersForm, ScimTeamForm, check, resource_pk, scim_people
from identity.scim.patch import Operation, operations, reference_id
from identity.scim.protocol import (
    GROUP,
    HEARTH_GROUP,
    ScimError,
    invalid_value,
    location,
    not_found,
    stamp,
)

EXTENSIONS = (HEARTH_GROUP, GROUP)


def _id_q(value) -> Q:
    pk = resource_pk(value)
    return Q(pk=pk) if pk else Q(pk__in=[])


FILTERS = {
    "displayname": "name__iexact",
    "externalid": "external_id",
    "id": _id_q,
    "members": lambda value: Q(members__in=scim_people().filter(_id_q(value))),
    "members.value": lambda value: Q(members__in=scim_people().filter(_id_q(value))),
}


def listed(filter_text: str):
    people = scim_people().order_by("pk")
    rows = Team.objects.select_related("parent").prefetch_related(
        Prefetch("members", queryset=people, to_attr="scim_members")
    )
    rows = rows.filter(filter_q(filter_text, FILTERS)).distinct() if filter_text else rows
    return rows.order_by("pk")


def find(scim_id: str) -> Team:
    pk = resource_pk(scim_id)
    team = listed("").filter(pk=pk).first() if pk else None
    if team is None:
        raise not_found(kind="Group", scim_id=scim_id)
    return team


def resource(team: Team) -> dict:
    """The team as a SCIM Group (RFC 7643 §4.2), its parent in Hearth's extension."""
    body = {
        "schemas": [GROUP],
        "id": str(team.pk),
        "displayName": team.name,
        "members": [
            {
                "value": str(person.pk),
                "$ref": location("scim_user", person.pk),
                "display": person.display_name,
                "type": "User",
            }
            for person in team.scim_members
        ],
        "meta": {
            "resourceType": "Group",
            "created": stamp(team.created_at),
            "location": location("scim_group", team.pk),
        },
    }
    if team.external_id:
        body["externalId"] = team.external_id
    if team.parent_id:
        body["schemas"].append(HEARTH_GROUP)
        body[HEARTH_GROUP] = {
            "parent": {
                "value": str(team.parent_id),
                "$ref": location("scim_group", team.parent_id),
                "display": team.parent.name,
            }
        }
    return body


def _member_ids(value) -> list[str]:
    """[{"value": "7"}, …] (or one such object) → ["7", …]."""
    items = value if isinstance(value, list) else [value]
    return [reference_id(item) for item in items if reference_id(item) is not None]


def changes_from_resource(body: dict) -> tuple[dict, list]:
    """What a POST or PUT sets: (team fields, member actions). Leaving `members` out
    of a PUT leaves the team's people as they are."""
    changes: dict = {}
    if "displayName" in body:
        changes["name"] = _text(body["displayName"], "displayName")
    if "externalId" in body:
        changes["external_id"] = _text(body["externalId"], "externalId")
    extension = body.get(HEARTH_GROUP)
    if isinstance(extension, dict) and "parent" in extension:
        changes["parent"] = reference_id(extension["parent"])
    actions = [("set", _member_ids(body["members"]))] if "members" in body else []
    return changes, actions


def _text(value, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    raise invalid_value(
        _("%(name)s must be a string, not %(value)s.") % {"name": name, "value": repr(value)}
    )


def change_from_operation(operation: Operation) -> tuple[dict, list]:
    path, value, removing = operation.path, operation.value, operation.op == "remove"
    if path.schema == HEARTH_GROUP:
        if path.attribute == "parent":
            return {"parent": None if removing else reference_id(value)}, []
        return {}, []
    if path.schema not in ("", GROUP):
        return {}, []
    if path.attribute == "displayname":
        if removing:
            raise ScimError(400, _("displayName cannot be removed."), "mutability")
        return {"name": _text(value, "displayName")}, []
    if path.attribute == "externalid":
        return {"external_id": "" if removing else _text(value, "externalId")}, []
    if path.attribute != "members":
        return {}, []
    if path.where:
        ids = [str(v) for attribute, v in path.where if attribute == "value"]
        if not removing or len(ids) != len(path.where):
            raise ScimError(400, 'Hearth reads members[value eq "…"] to remove.', "invalidPath")
        return {}, [("remove", ids)]
    if operation.op == "add":
        return {}, [("add", _member_ids(value))]
    if operation.op == "replace":
        return {}, [("set", _member_ids(value))]
    return {}, [("remove", _member_ids(value))] if value else [("clear", [])]


def _check_place(team: Team | None, data: dict) -> None:
    taken = Team.objects.filter(name__iexact=data["name"])
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if taken.exists():
        raise ScimError(
            409, _("A team named %(name)s exists.") % {"name": repr(data["name"])}, "uniqueness"
        )
    parent = data["parent"]
    if team is not None and parent is not None and team.pk in parent.lineage_ids:
        raise invalid_value(_("A team cannot sit below itself."))


def _move_people(team: Team, actions: list) -> dict:
    """Apply member actions in order; returns how many people joined and left."""
    named = [pk for _action, ids in actions for pk in ids]
    people = check(MembersForm({"people": named}))["people"] if named else []
    if len({person.pk for person in people}) != len(set(named)):
        raise invalid_value(_("members: every value is the id of a User."))
    moved = {"joined": 0, "left": 0}
    on_team = scim_people().filter(team=team)
    for action, ids in actions:
        if action in ("set", "clear"):
            moved["left"] += on_team.exclude(pk__in=ids).update(team=None)
        if action in ("set", "add"):
            moved["joined"] += scim_people().filter(pk__in=ids).exclude(team=team).update(team=team)
        if action == "remove":
            moved["left"] += on_team.filter(pk__in=ids).update(team=None)
    return moved


def _write(team: Team | None, changes: dict, actions: list, *, operation: str) -> int:
    data = check(
        ScimTeamForm(
            {
                "name": changes.get("name", team.name if team else ""),
                "external_id": changes.get("external_id", team.external_id if team else ""),
                "parent": changes.get("parent", team.parent_id if team else None),
            }
        )
    )
    _check_place(team, data)
    team = team or Team()
    before = {"name": team.name, "external_id": team.external_id, "parent": team.parent_id}
    team.name, team.external_id, team.parent = data["name"], data["external_id"], data["parent"]
    team.save()
    after = {"name": team.name, "external_id": team.external_id, "parent": team.parent_id}
    moved = _move_people(team, actions)
    record(
        actor=None,
        action=AuditEntry.Action.SCIM_CHANGED,
        target=team,
        detail={
            "resource": "Group",
            "operation": operation,
            "changed": [field for field in before if before[field] != after[field]],
            **moved,
        },
    )
    return team.pk


def _unique(write) -> int:
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        raise ScimError(409, _("A team with that displayName exists."), "uniqueness") from error


def _locked(scim_id: str) -> Team:
    return Team.objects.select_for_update().get(pk=find(scim_id).pk)


def create(body: dict) -> int:
    changes, actions = changes_from_resource(body)
    if not changes.get("name"):
        raise invalid_value(_("displayName is required."))
    return _unique(lambda: _write(None, changes, actions, operation="created"))


def replace(scim_id: str, body: dict) -> int:
    changes, actions = changes_from_resource(body)
    if not changes.get("name"):
        raise invalid_value(_("displayName is required."))
    return _unique(lambda: _write(_locked(scim_id), changes, actions, operation="replaced"))


def patch(scim_id: str, body: dict) -> int:
    changes: dict = {}
    actions: list = []
    for operation in operations(body, extensions=EXTENSIONS):
        change, more = change_from_operation(operation)
        changes |= change
        actions += more
    return _unique(lambda: _write(_locked(scim_id), changes, actions, operation="patched"))


def _history(team: Team) -> list[str]:
    """What deleting the team would take with it besides its managers' links: rituals,
    thread posts, budgets, pulse figures… (empty for a team nothing refers to)."""
    collector = Collector(using=router.db_for_write(Team), origin=team)
    try:
        collector.collect([team])
    except (ProtectedError, RestrictedError) as error:
        blocking = getattr(error, "protected_objects", None) or error.restricted_objects
        return sorted({str(row._meta.verbose_name_plural) for row in blocking})
    through = Team.managers.through
    kinds = {
        str(model._meta.verbose_name_plural)
        for model, rows in collector.data.items()
        if rows and model not in (Team, through)
    }
    kinds |= {
        str(query.model._meta.verbose_name_plural)
        for query in collector.fast_deletes
        if query.model is not through and query.exists()
    }
    return sorted(kinds)


def delete(scim_id: str) -> None:
    """DELETE /Groups/{id}: only an empty team goes. A team with people, sub-teams or
    history answers 409 and stays: HR moves or merges it (the provider logs the error)."""
    with transaction.atomic():
        team = _locked(scim_id)
        people = User.objects.filter(team=team).count()
        below = Team.objects.filter(parent=team).count()
        if people or below:
            raise ScimError(
                409,
                _(
                    "Team %(name)s still has %(people)s people and %(below)s sub-teams; "
                    "Hearth removes only an empty team."
                )
                % {"name": repr(team.name), "people": people, "below": below},
            )
        kept = _history(team)
        if kept:
            raise ScimError(
                409,
                _("Team %(name)s keeps history (%(kept)s); HR removes it.")
                % {"name": repr(team.name), "kept": ", ".join(kept)},
            )
        record(
            actor=None,
            action=AuditEntry.Action.SCIM_CHANGED,
            target=team,
            detail={"resource": "Group", "operation": "deleted", "changed": []},
        )
        team.delete()
