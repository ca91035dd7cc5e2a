"""Each input the review saw answered with a 500: now a 400 with a message (a form
with errors: its page again, 200, with the message; a page number: the first page),
and nothing written."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from connection.models import OrgImport, Team, User
from mentorship.models import Avoid, Booking, ShadowWindow
from mentorship.services.office_hours import host_office_hours
from tests.helpers import make_user, org_csv, shows_errors

NOW = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)


@pytest.fixture
def clock(db):
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text_of(response) -> str:
    """The page as a reader sees it: no tags, entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def test_a_superscript_digit_as_team_is_a_clean_400(client_for, clock, alice):
    response = client_for(alice).get("/insights/", {"team": "²"})
    assert response.status_code == 400
    assert "Choose a team from the list" in text_of(response)


def test_a_superscript_digit_as_level_is_a_clean_400(client_for, clock, hana):
    response = client_for(hana).get("/insights/org/", {"level": "²"})
    assert response.status_code == 400
    assert "Level" in text_of(response)


def test_an_unreadable_page_number_shows_the_first_page(client_for, clock, hana):
    assert client_for(hana).get("/insights/org/", {"page": "²"}).status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_quarter_at_the_ends_of_the_calendar_is_a_clean_400(client_for, clock, hana, day):
    response = client_for(hana).get("/rituals/budgets/", {"quarter": day})
    assert response.status_code == 400
    assert "Choose a day between" in text_of(response)


def test_a_nul_in_the_case_note_search_is_a_clean_400(client_for, clock, bob):
    response = client_for(bob).get("/mentorship/notes/", {"q": "\x00"})
    assert response.status_code == 400
    assert "Null characters are not allowed" in text_of(response)


def test_a_nul_calendar_token_is_no_such_calendar(client, clock, bob):
    assert client.get("/rituals/feed/%00.ics").status_code == 404


@pytest.mark.parametrize("action", ["add", "remove"])
def test_avoiding_a_person_who_is_not_a_number_is_a_clean_400(client_for, clock, bob, action):
    response = client_for(bob).post("/mentorship/avoid/", {"person": "abc", "action": action})
    assert response.status_code == 400
    assert "Choose someone from the list" in text_of(response)
    assert not Avoid.objects.exists()


def test_requesting_a_shadow_window_that_is_not_a_number_is_a_clean_400(client_for, clock, bob):
    response = client_for(bob).post(
        "/mentorship/shadowing/", {"action": "request", "window": "abc"}
    )
    assert response.status_code == 400
    assert "Choose a window from the list" in text_of(response)
    assert not ShadowWindow.requests.through.objects.exists()


def test_booking_at_the_end_of_time_is_refused_with_a_message(client_for, clock, alice, bob):
    slot = host_office_hours(
        host=alice, weekday=3, start_time=dt.time(10), minutes=60, block_minutes=20
    )
    response = client_for(bob).post(
        f"/mentorship/office-hours/{slot.pk}/book/",
        {"starts_at": "9999-12-31T23:59:59", "topic": "Deploys"},
    )
    assert shows_errors(response)
    assert "Choose a time between" in text_of(response)
    assert not Booking.objects.exists()


def upload(client, data: bytes):
    return client.post("/org/import/", {"file": SimpleUploadedFile("org.csv", data, "text/csv")})


def test_an_org_chart_cell_with_a_nul_is_a_row_problem(client_for, clock, hana):
    data = org_csv([["a@acme.test", "A\x00B", "T", "", "", "", "UTC", "remote"]])
    response = upload(client_for(hana), data)
    assert shows_errors(response)
    assert "Row 2: this row has a NUL character" in text_of(response)
    assert not OrgImport.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["a@acme.test", "A" * 121, "T", "", "", "", "UTC", "remote"], "“name” is longer than 120"),
        (["a@acme.test", "A", "T" * 121, "", "", "", "UTC", "remote"], "“team” is longer than 120"),
        (
            ["a@acme.test", "A", "T", "P" * 121, "", "", "UTC", "remote"],
            "“parent team” is longer than 120",
        ),
        ([f"{'a' * 250}@acme.test", "A", "T", "", "", "", "UTC", "remote"], "“email” is longer"),
    ],
    ids=["name", "team", "parent-team", "email"],
)
def test_an_org_chart_value_over_its_column_length_is_a_row_problem(
    client_for, clock, hana, row, message
):
    before = (User.objects.count(), Team.objects.count())
    response = upload(client_for(hana), org_csv([row]))
    assert shows_errors(response)
    assert f"Row 2: {message}" in text_of(response)
    assert not OrgImport.objects.exists()
    assert (User.objects.count(), Team.objects.count()) == before


def test_an_org_chart_at_the_column_lengths_imports(client_for, clock, hana):
    name, team = "N" * 120, "T" * 120
    client = client_for(hana)
    assert upload(client, org_csv([["a@acme.test", name, team, "", "", "", "UTC", "remote"]]))
    org_import = OrgImport.objects.get()
    client.post(f"/org/import/{org_import.pk}/apply/")
    assert User.objects.get(email="a@acme.test").team.name == team
    assert make_user(display_name=name).display_name == name
