"""Every query parameter and body goes through a serializer: a bad value is a 400
naming the field, an address no route matches is a JSON 404, and nothing 500s."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from connection.urls import router
from mentorship.models import Booking, OfficeHours
from rituals.models import Attendance, Budget, Spend, ThreadPost
from tests.api.conftest import NOW

HOSTILE_IDS = ["²", "abc", "1.5", "\x00", "-1", "", "9" * 30]


@pytest.fixture
def clock():
    with time_machine.travel(NOW + dt.timedelta(minutes=75), tick=False) as traveller:
        yield traveller


def test_people_filtered_by_a_bad_or_hidden_team_is_a_400_naming_team(
    client_for, bob, alice, team, other_team
):
    client = client_for(bob)
    for value in [v for v in HOSTILE_IDS if v] + [str(other_team.pk)]:
        response = client.get("/api/people/", {"team": value})
        assert response.status_code == 400, value
        assert list(response.json()) == ["team"]
    mine = client.get("/api/people/", {"team": team.pk}).json()["results"]
    assert {person["id"] for person in mine} == {alice.pk, bob.pk}


def test_blank_filters_are_no_filters(client_for, bob, alice):
    assert client_for(bob).get("/api/people/", {"team": ""}).json()["count"] == 2


def test_thread_and_occurrence_filters_refuse_bad_ids(client_for, org_ids, bob):
    client = client_for(bob)
    for path, field in (("/api/thread-posts/", "team"), ("/api/occurrences/", "ritual")):
        for value in HOSTILE_IDS[:-2]:
            response = client.get(path, {field: value})
            assert response.status_code == 400, (path, value)
            assert field in response.json()


def test_org_insights_level_must_be_a_level(client_for, hana):
    client = client_for(hana)
    for value in ["²", "abc", "1.5", "\x00", "-1", "99999999999"]:
        response = client.get("/api/insights/org/", {"level": value})
        assert response.status_code == 400, value
        assert "level" in response.json()
    assert client.get("/api/insights/org/", {"level": "2"}).status_code == 200


def test_case_note_topic_refuses_nul_and_searches_otherwise(client_for, org_ids, bob):
    client = client_for(bob)
    refused = client.get("/api/case-notes/", {"topic": "\x00"})
    assert refused.status_code == 400
    assert "topic" in refused.json()
    assert client.get("/api/case-notes/", {"topic": "x" * 81}).status_code == 400
    found = client.get("/api/case-notes/", {"topic": "async"}).json()["results"]
    assert [note["topic"] for note in found] == ["Async"]


@pytest.mark.parametrize("page", ["false", "0", "-1", "abc", "1.5", "²", "\x00"])
def test_a_page_that_is_not_a_page_number_is_a_400(client_for, bob, page):
    response = client_for(bob).get("/api/teams/", {"page": page})
    assert response.status_code == 400
    assert "page" in response.json()


def test_a_page_past_the_last_is_a_json_404(client_for, bob):
    response = client_for(bob).get("/api/teams/", {"page": "2"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize("path", ["/api/nope/", "/api/budgets/0.5/", "/api/insights/teams/x/"])
def test_an_api_address_no_route_matches_answers_json(client_for, bob, path):
    response = client_for(bob).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_other_addresses_keep_the_site_404_page(client_for, bob):
    response = client_for(bob).get("/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("who", ["bob", "hana"])
def test_every_api_route_answers_on_the_json_suffix(client_for, org_ids, request, who):
    """DRF's router adds `.json` to every route; the actions used not to take the
    `format` argument it passes, and 500ed."""
    client = client_for(request.getfixturevalue(who))
    seen = 0
    for pattern in router.urls:
        if "format>" not in str(pattern.pattern):
            continue
        prefix = str(pattern.pattern).split("/")[0].lstrip("^")
        kwargs = {"format": "json"}
        if "(?P<pk>" in str(pattern.pattern):
            kwargs["pk"] = org_ids[f"/api/{prefix}/"][0] if f"/api/{prefix}/" in org_ids else 1
        url = reverse(pattern.name, kwargs=kwargs)
        # DRF adds "head" to a viewset's actions once it has served a GET.
        methods = set(getattr(pattern.callback, "actions", {"get": "list"})) - {"head"}
        for method in sorted(methods):
            response = client.generic(method.upper(), url, "{}", "application/json")
            assert response.status_code < 500, (method, url, response.content)
            assert response["Content-Type"] == "application/json", url
        seen += 1
    assert seen == 30  # the API root, every list and detail of 12 viewsets, 5 actions


def test_the_action_routes_named_in_the_issue_answer_on_json(client_for, clock, org_ids, bob):
    client = client_for(bob)
    occurrence, group = org_ids["/api/occurrences/"][0], org_ids["/api/my-groups/"][0]
    attend = client.post(
        f"/api/occurrences/{occurrence}/attend.json", {"worth_it": True}, "application/json"
    )
    assert attend.status_code == 200
    assert Attendance.objects.get(occurrence_id=occurrence, person=bob).worth_it is True
    checked = client.post(
        f"/api/my-groups/{group}/check-in.json", {"answer": "met"}, "application/json"
    )
    assert checked.status_code == 200
    joined = client.post(f"/api/programmes/{org_ids['/api/programmes/'][0]}/join.json")
    assert joined.status_code == 200


def test_a_spend_without_an_amount_is_hours_only(client_for, clock, org_ids, alice):
    budget = Budget.objects.get(pk=org_ids["/api/budgets/"][0])
    url = f"/api/budgets/{budget.pk}/spends.json"
    body = {"category": "gathering", "hours": "2", "spent_on": "2026-11-10"}
    created = client_for(alice).post(url, body, "application/json")
    assert created.status_code == 201
    assert created.json()["amount"] == "0.00"
    assert Spend.objects.get().hours == Decimal("2.0")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"category": "gathering", "spent_on": "2026-11-10"}, "detail"),
        ({"category": "gathering", "amount": "-5", "spent_on": "2026-11-10"}, "amount"),
        ({"category": "gathering", "amount": "5"}, "spent_on"),
        ({"category": "party", "amount": "5", "spent_on": "2026-11-10"}, "category"),
        ({"category": "gathering", "amount": "5", "spent_on": "9999-12-31"}, "detail"),
        ([None, None], "non_field_errors"),
    ],
)
def test_a_bad_spend_is_a_400_and_nothing_is_written(
    client_for, clock, org_ids, alice, body, field
):
    url = f"/api/budgets/{org_ids['/api/budgets/'][0]}/spends/"
    response = client_for(alice).post(url, body, "application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Spend.objects.exists()


def test_the_api_reads_json_only(client_for, clock, org_ids, alice):
    url = f"/api/budgets/{org_ids['/api/budgets/'][0]}/spends/"
    response = client_for(alice).post(url, {"category": "gathering", "amount": "5"})
    assert response.status_code == 415
    assert not Spend.objects.exists()


@pytest.mark.parametrize("worth_it", ["yes", "true", 1, "1"])
def test_booleans_are_json_booleans(client_for, clock, org_ids, bob, worth_it):
    url = f"/api/occurrences/{org_ids['/api/occurrences/'][0]}/attend/"
    response = client_for(bob).post(url, {"worth_it": worth_it}, "application/json")
    assert response.status_code == 400
    assert "worth_it" in response.json()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "starts_at",
    ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"],
)
def test_a_booking_at_the_ends_of_time_is_a_400(client_for, clock, org_ids, bob, starts_at):
    slot = OfficeHours.objects.get(pk=org_ids["/api/office-hours/"][0])
    response = client_for(bob).post(
        f"/api/office-hours/{slot.pk}/book/",
        {"starts_at": starts_at, "topic": "Hi"},
        "application/json",
    )
    assert response.status_code == 400
    assert "starts_at" in response.json() or "detail" in response.json()
    assert not Booking.objects.exists()


@pytest.mark.parametrize("status", [0, 1.5, ["hi"], {"text": "hi"}])
def test_strings_are_json_strings(client_for, clock, bob, team, status):
    response = client_for(bob).post(
        "/api/thread-posts/", {"team": team.pk, "status": status}, "application/json"
    )
    assert response.status_code == 400
    assert "status" in response.json()
    assert not ThreadPost.objects.exists()


def test_the_api_answers_json_even_to_a_browser(client_for, bob):
    """DRF's browsable pages carry inline styles the site's CSP refuses; /api/docs/ is
    where people read the API."""
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client_for(bob).get("/api/people/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["count"] == 2
