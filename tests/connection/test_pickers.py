"""People pickers: each person named with team and city, ticked in a list that
works without JavaScript, and narrowed by a search box (htmx) that keeps the
people already chosen."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connection.pickers import SHOWN
from mentorship.models import Avoid
from tests.helpers import make_team, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def payments(db):
    team = make_team(name="Payments")
    return [
        make_user(display_name="Ana Silva", team=team, time_zone="Asia/Kolkata"),
        make_user(
            display_name="Ana Silva", team=make_team(name="Sales"), time_zone="Europe/Lisbon"
        ),
        make_user(display_name="Quentin Ross", team=team, time_zone="America/New_York"),
    ]


def _options(response) -> list[tuple[str, str, bool]]:
    """(value, text, checked) of each option the response draws."""
    html = response.content.decode()
    found = re.findall(
        r'<input type="(?:checkbox|radio)" name="\w+" value="(\d+)"( checked)?> '
        r"<span>(.*?) <span class=\"muted\">· (.*?)</span>",
        html,
    )
    return [(value, f"{name} · {place}", bool(checked)) for value, checked, name, place in found]


def _pick(client, **query):
    return client.get(
        "/people/pick/", {"name": "receivers", "many": 1, "part": "options", **query}, **HTMX
    )


def test_the_recognition_form_lists_everyone_else_to_tick_with_team_and_city(
    client_for, bob, alice, payments
):
    page = client_for(bob).get("/rituals/recognition/")
    texts = [text for _, text, _ in _options(page)]
    assert "Ana Silva · Payments · Kolkata" in texts and "Ana Silva · Sales · Lisbon" in texts
    assert not any(text.startswith(bob.display_name) for text in texts)
    assert len(texts) == 4  # Alice and the three: no JavaScript needed to reach anyone
    assert 'hx-get="/people/pick/?name=receivers&amp;many=1&amp;part=box"' in page.content.decode()


def test_ticking_two_in_the_list_recognises_both(client_for, bob, alice, payments):
    client = client_for(bob)
    page = client.get("/rituals/recognition/").content.decode()
    value = re.search(r'name="values" value="(\d+)"', page).group(1)
    client.post(
        "/rituals/recognition/",
        {
            "receivers": [alice.pk, payments[0].pk],
            "message": "Thanks for the deploy help",
            "values": [value],
            "visibility": "team",
        },
    )
    assert set(bob.recognitions_given.get().receivers.all()) == {alice, payments[0]}


def test_search_matches_name_team_or_city_and_keeps_the_chosen_first(
    client_for, bob, alice, payments
):
    client = client_for(bob)
    by_team = [text for _, text, _ in _options(_pick(client, q="payments"))]
    assert by_team == ["Ana Silva · Payments · Kolkata", "Quentin Ross · Payments · New York"]
    by_city = _options(_pick(client, q="new york", receivers=[alice.pk]))
    assert by_city == [
        (str(alice.pk), f"{alice.display_name} · {alice.picker_place}", True),
        (str(payments[2].pk), "Quentin Ross · Payments · New York", False),
    ]
    assert "Nobody matches “zzz”" in _pick(client, q="zzz").content.decode()


def test_a_single_picker_keeps_one_choice(client_for, bob, alice, payments):
    response = client_for(bob).get(
        "/people/pick/",
        {
            "name": "other",
            "many": 0,
            "part": "options",
            "q": "ana",
            "other": [alice.pk, payments[2].pk],
        },
        **HTMX,
    )
    options = _options(response)
    assert [checked for _, _, checked in options] == [True, False, False]
    assert 'type="radio"' in response.content.decode()


def test_the_search_box_never_submits_the_form_around_it(client_for, bob):
    html = (
        client_for(bob)
        .get("/people/pick/", {"name": "receivers", "many": 1, "part": "box"}, **HTMX)
        .content.decode()
    )
    assert 'type="search"' in html and 'form="picker-search-only"' in html
    assert 'hx-include="#picker-receivers"' in html


def test_a_long_result_says_to_type_more_and_costs_the_same_queries(client_for, bob, payments):
    client = client_for(bob)
    _pick(client, q="a")
    with CaptureQueriesContext(connection) as few:
        _pick(client, q="a")
    team = make_team(name="Atlas")
    for number in range(SHOWN + 5):
        make_user(display_name=f"Avery {number}", team=team)
    with CaptureQueriesContext(connection) as many:
        response = _pick(client, q="a")
    assert len(_options(response)) == SHOWN
    assert "More people match" in response.content.decode()
    assert len(many) == len(few)


def test_inactive_people_and_unknown_pickers_are_not_offered(client_for, bob, payments):
    payments[2].is_active = False
    payments[2].save()
    client = client_for(bob)
    assert "Quentin" not in _pick(client, q="payments").content.decode()
    assert client.get("/people/pick/", {"name": "Drop Table", "part": "options"}).status_code == 400


def test_dont_pair_me_with_is_a_picker_that_preselects_nobody(client_for, bob, alice, payments):
    client = client_for(bob)
    options = _options(client.get("/mentorship/"))
    assert len(options) == 4 and not any(checked for _, _, checked in options)
    client.post("/mentorship/avoid/", {"person": payments[1].pk, "action": "add"})
    assert Avoid.objects.get(person=bob).avoided == payments[1]


def test_a_large_org_renders_the_first_people_not_everyone(client_for, bob, alice, payments):
    client = client_for(bob)
    client.get("/rituals/recognition/")
    with CaptureQueriesContext(connection) as small:
        client.get("/rituals/recognition/")
    team = make_team(name="Atlas")
    crowd = [make_user(display_name=f"Zed {number:03d}", team=team) for number in range(SHOWN * 3)]
    with CaptureQueriesContext(connection) as large:
        page = client.get("/rituals/recognition/")
    assert len(_options(page)) == SHOWN
    assert "More people match" in page.content.decode()
    assert len(large) == len(small)  # the same queries, whatever the size of the org
    # Someone chosen beyond the first page (a form shown again) is kept, and ticked.
    last = crowd[-1]
    again = client.post("/rituals/recognition/", {"receivers": [last.pk], "message": ""})
    ticked = [(value, checked) for value, _, checked in _options(again) if checked]
    assert ticked == [(str(last.pk), True)]
