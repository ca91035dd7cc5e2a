"""SCIM Groups are teams: members move people, the parent comes from Hearth's extension,
and only an empty team with no history is deleted."""

from __future__ import annotations

import pytest

from connection.models import AuditEntry, Team
from rituals.models import ThreadPost
from tests.helpers import make_team
from tests.identity.scim_support import Provider, SchemaChecker, make_token

HEARTH = "urn:ietf:params:scim:schemas:extension:hearth:2.0:Group"


@pytest.fixture
def provider(db) -> Provider:
    make_token()
    return Provider()


@pytest.fixture
def checker(provider) -> SchemaChecker:
    return SchemaChecker(provider)


def ok(checker: SchemaChecker, response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert checker.response(response) == []
    return response.json() if response.content else {}


def test_adding_a_member_moves_them_from_their_team(provider, checker, bob, charlie, team):
    created = ok(
        checker,
        provider.post("Groups", {"displayName": "Data", "members": [{"value": str(bob.pk)}]}),
        201,
    )
    bob.refresh_from_db()
    assert bob.team_id == int(created["id"])
    path = f"Groups/{created['id']}"
    provider.patch(path, {"op": "add", "path": "members", "value": [{"value": str(charlie.pk)}]})
    charlie.refresh_from_db()
    assert charlie.team_id == int(created["id"])
    body = ok(checker, provider.get(path), 200)
    assert sorted(member["value"] for member in body["members"]) == sorted(
        [str(bob.pk), str(charlie.pk)]
    )
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.SCIM_CHANGED).order_by("pk").last()
    assert entry.detail == {
        "resource": "Group",
        "operation": "patched",
        "changed": [],
        "joined": 1,
        "left": 0,
    }


def test_removing_someone_who_already_moved_on_leaves_them_where_they_are(
    provider, bob, team, other_team
):
    bob.team = other_team
    bob.save(update_fields=["team"])
    remove = {"op": "remove", "path": f'members[value eq "{bob.pk}"]'}
    assert provider.patch(f"Groups/{team.pk}", remove).status_code == 204
    bob.refresh_from_db()
    assert bob.team == other_team


def test_replacing_members_sets_exactly_them(provider, checker, alice, bob, charlie, team):
    body = {"displayName": team.name, "members": [{"value": str(charlie.pk)}]}
    result = ok(checker, provider.put(f"Groups/{team.pk}", body), 200)
    assert [member["value"] for member in result["members"]] == [str(charlie.pk)]
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.team is None and bob.team is None


def test_an_unknown_member_is_400_and_nobody_moves(provider, checker, bob, team, other_team):
    operation = {
        "op": "add",
        "path": "members",
        "value": [{"value": str(bob.pk)}, {"value": "424242"}],
    }
    assert ok(checker, provider.patch(f"Groups/{other_team.pk}", operation), 400)["scimType"] == (
        "invalidValue"
    )
    bob.refresh_from_db()
    assert bob.team == team


def test_the_parent_comes_from_hearths_extension(provider, checker, department, team):
    body = {"displayName": "Search", HEARTH: {"parent": {"value": str(team.pk)}}}
    created = ok(checker, provider.post("Groups", body), 201)
    search = Team.objects.get(pk=created["id"])
    assert search.parent == team
    assert search.path == f"{team.path}{search.pk}/"
    assert created[HEARTH]["parent"] == {
        "value": str(team.pk),
        "$ref": f"http://127.0.0.1:8000/scim/v2/Groups/{team.pk}",
        "display": "Platform",
    }
    # A team cannot sit below itself (or below its own sub-team).
    below_itself = {"op": "replace", "path": f"{HEARTH}:parent", "value": {"value": created["id"]}}
    assert ok(checker, provider.patch(f"Groups/{team.pk}", below_itself), 400)
    assert provider.patch(f"Groups/{search.pk}", {"op": "remove", "path": f"{HEARTH}:parent"})
    search.refresh_from_db()
    assert search.parent is None


def test_a_taken_displayName_is_409_uniqueness(provider, checker, team, other_team):
    assert ok(checker, provider.post("Groups", {"displayName": "platform"}), 409)["scimType"] == (
        "uniqueness"
    )
    rename = {"op": "Replace", "path": "displayName", "value": "Sales"}
    assert ok(checker, provider.patch(f"Groups/{team.pk}", rename), 409)["scimType"] == (
        "uniqueness"
    )


def test_filters_by_displayName_and_externalId(provider, checker, team, other_team):
    other_team.external_id = "grp-1"
    other_team.save()
    for text, found in [('displayName eq "PLATFORM"', team), ('externalId eq "grp-1"', other_team)]:
        body = ok(checker, provider.get(f"Groups?filter={text}"), 200)
        assert [item["id"] for item in body["Resources"]] == [str(found.pk)]


def test_a_group_with_people_or_sub_teams_is_not_deleted(
    provider, checker, bob, department, team, subteam
):
    body = ok(checker, provider.delete(f"Groups/{team.pk}"), 409)
    assert "2 people and 1 sub-teams" in body["detail"]
    body = ok(checker, provider.delete(f"Groups/{department.pk}"), 409)
    assert "0 people and 1 sub-teams" in body["detail"]
    assert Team.objects.filter(pk__in=[department.pk, team.pk, subteam.pk]).count() == 3
    assert not AuditEntry.objects.exists()


def test_a_team_with_history_is_not_deleted(provider, checker, alice, db):
    quiet = make_team(name="Quiet")
    ThreadPost.objects.create(team=quiet, author=alice, status="Hello")
    body = ok(checker, provider.delete(f"Groups/{quiet.pk}"), 409)
    assert "history" in body["detail"]
    assert Team.objects.filter(pk=quiet.pk).exists()


def test_an_empty_team_is_deleted_with_an_audit_entry(provider, db):
    empty = make_team(name="Empty")
    assert provider.delete(f"Groups/{empty.pk}").status_code == 204
    assert not Team.objects.filter(pk=empty.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SCIM_CHANGED)
    assert (entry.target_label, entry.detail["operation"]) == ("Empty", "deleted")
