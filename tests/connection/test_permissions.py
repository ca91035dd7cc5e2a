import pytest

from connection.models import Team, User
from tests.helpers import make_team, make_user


def test_employee_sees_only_own_team(bob, charlie, team):
    assert list(Team.objects.visible_to(bob)) == [team]
    assert charlie not in User.objects.visible_to(bob)


def test_manager_sees_sub_teams_but_not_parent_or_siblings(alice, team, subteam, department):
    sibling = make_team(name="Payments", parent=department)
    visible = set(Team.objects.visible_to(alice))
    assert visible == {team, subteam}
    assert sibling not in visible


def test_manager_sees_people_of_sub_teams(alice, subteam):
    deep = make_user(display_name="Deep", team=subteam)
    assert deep in User.objects.visible_to(alice)


def test_hr_admin_sees_everyone(hana, bob, charlie):
    assert set(User.objects.visible_to(hana)) >= {bob, charlie, hana}


def test_person_without_team_sees_only_themselves(db):
    loner = make_user()
    assert list(User.objects.visible_to(loner)) == [loner]
    assert not Team.objects.visible_to(loner).exists()


def test_deactivated_person_sees_nothing(bob, team):
    bob.is_active = False
    assert not Team.objects.visible_to(bob).exists()


def test_employee_cannot_list_another_teams_people_on_the_page(
    client_for, bob, charlie, other_team
):
    response = client_for(bob).get("/people/", {"team": other_team.pk})
    assert response.status_code == 403
    assert "Charlie" not in response.content.decode()


def test_employee_people_page_lists_teammates_only(client_for, bob, alice, charlie):
    body = client_for(bob).get("/people/").content.decode()
    assert "Alice Moreau" in body
    assert "Charlie Brooks" not in body


def test_employee_cannot_list_another_teams_people_through_the_api(client_for, bob, charlie):
    client = client_for(bob)
    listed = client.get("/api/people/").json()["results"]
    assert charlie.pk not in {p["id"] for p in listed}
    assert client.get(f"/api/people/{charlie.pk}/").status_code == 404
    # Another team's id is refused as an unknown one is: a 400, nobody listed.
    assert client.get("/api/people/", {"team": charlie.team_id}).json() == {
        "team": [f'Invalid pk "{charlie.team_id}" - object does not exist.']
    }


def test_manager_api_lists_sub_team_people(client_for, alice, subteam):
    deep = make_user(display_name="Deep", team=subteam)
    ids = {p["id"] for p in client_for(alice).get("/api/people/").json()["results"]}
    assert deep.pk in ids


def test_hr_admin_api_lists_all_teams(client_for, hana, team, other_team):
    names = {t["name"] for t in client_for(hana).get("/api/teams/").json()["results"]}
    assert {"Platform", "Sales", "Engineering"} <= names


def test_api_refuses_anonymous_callers(client, bob):
    assert client.get("/api/people/").status_code == 403


def test_api_accepts_a_personal_token(client_for, client, bob):
    client_for(bob).post("/profile/api-token/", {"action": "create"})
    key = bob.auth_token.key
    client.logout()
    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["email"] == "bob@example.com"
    assert response.json()["role"] == "employee"


def test_revoked_token_stops_working(client_for, client, bob):
    client_for(bob).post("/profile/api-token/", {"action": "create"})
    key = User.objects.get(pk=bob.pk).auth_token.key
    client.post("/profile/api-token/", {"action": "revoke"})
    client.logout()
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 403


def test_only_hr_admins_reach_the_org_import(client_for, alice, hana):
    assert client_for(alice).get("/org/import/").status_code == 403
    assert client_for(hana).get("/org/import/").status_code == 200


@pytest.mark.parametrize("url", ["/", "/people/", "/profile/", "/org/import/"])
def test_pages_ask_anonymous_visitors_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/")
