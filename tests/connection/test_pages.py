import datetime as dt

import time_machine
from django.utils import timezone

from tests.helpers import make_team, make_user


def test_employee_home_shows_team_and_shared_hours(client_for, bob, alice):
    body = client_for(bob).get("/").content.decode()
    assert "Platform" in body
    assert "Alice Moreau" in body
    assert "Shared hours" in body
    assert "Your organisation" not in body
    assert "Teams you look after" not in body


@time_machine.travel(dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC), tick=False)
def test_home_shows_times_in_the_viewers_zone(client_for, bob, alice):
    body = client_for(bob).get("/").content.decode()
    # 15:00 UTC is 15:00 in Lisbon and 10:00 in New York.
    assert "It’s 15:00 on Wednesday 25 November" in body
    assert "10:00 in New York" in body
    # Lisbon 09:00-17:30 and New York 09:00-17:30 share 14:00-17:30 UTC, 14:00-17:30 Lisbon.
    assert "14:00–17:30" in body


def test_manager_home_lists_managed_teams_with_counts(client_for, alice, bob, subteam):
    make_user(team=subteam, start_date=timezone.now().date() - dt.timedelta(days=10))
    body = client_for(alice).get("/").content.decode()
    assert "Teams you look after" in body
    assert "Reliability" in body
    assert "welcome them" in body


def test_hr_home_shows_the_org(client_for, hana, bob, charlie):
    body = client_for(hana).get("/").content.decode()
    assert "Your organisation" in body
    assert "Import org chart" in body


def test_people_search_and_team_filter(client_for, hana, bob, charlie, team):
    client = client_for(hana)
    body = client.get("/people/", {"q": "ferr"}).content.decode()
    assert "Bob Ferreira" in body and "Charlie Brooks" not in body
    body = client.get("/people/", {"team": team.pk}).content.decode()
    assert "Bob Ferreira" in body and "Charlie Brooks" not in body


def test_people_filter_includes_sub_teams(client_for, hana, team, subteam):
    make_user(display_name="Deep Diver", team=subteam)
    body = client_for(hana).get("/people/", {"team": team.pk}).content.decode()
    assert "Deep Diver" in body


def test_htmx_search_returns_only_the_results_fragment(client_for, hana, bob):
    response = client_for(hana).get("/people/", {"q": "bob"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "Bob Ferreira" in body


def test_people_are_paginated(client_for, hana):
    team = make_team()
    for i in range(30):
        make_user(display_name=f"Member {i:02d}", team=team)
    client = client_for(hana)
    first = client.get("/people/").content.decode()
    assert "Page 1 of 2" in first
    second = client.get("/people/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    # A page past the end shows the last page rather than an error.
    assert client.get("/people/", {"page": 99}).status_code == 200


def test_deactivated_people_are_not_listed(client_for, hana, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert "Bob Ferreira" not in client_for(hana).get("/people/").content.decode()


def test_password_reset_sends_a_link(client, bob, mailoutbox):
    response = client.post("/password-reset/", {"email": "bob@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/password-reset/" in mailoutbox[0].body
    assert mailoutbox[0].to == ["bob@example.com"]


def test_logout_needs_a_post(client_for, bob):
    client = client_for(bob)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_pages_send_a_content_security_policy(client_for, bob):
    response = client_for(bob).get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
