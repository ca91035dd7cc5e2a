"""Teams: the outbox's messages as Adaptive Cards (checked against Microsoft's 1.5
schema, tests/chat/data/), and the signed one-click pages their buttons open."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.test import Client
from jsonschema import Draft6Validator

from chat.teams import links
from chat.teams.cards import plain, webhook_body
from chat.teams.links import ActionLinkError, action_token, action_url, read_action
from connection.models import Signal
from connection.nudges import create_nudge, deliver_due_nudges, message_context
from mentorship.models import CheckIn, MatchGroup, MatchRound, Programme
from mentorship.services.programmes import join_programme, run_round
from tests.connection.test_nudges import Hook
from tests.helpers import make_user

NOW = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)  # a Wednesday
SCHEMA = json.loads((Path(__file__).parent / "data" / "adaptive-card-1.5.json").read_text())
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
OWN_WEBHOOK = "https://acme.webhook.office.com/webhookb2/bob"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def teams_hook(settings):
    # The local server listens on 127.0.0.1, which only tests may reach.
    settings.HEARTH_WEBHOOK_ALLOW_LOOPBACK = True
    server = Hook()
    yield server
    server.close()


@pytest.fixture
def nia(other_team):
    return make_user(display_name="Nia Okafor", team=other_team)


@pytest.fixture
def pairing(bob, nia):
    """Bob and Nia, matched for a coffee chat."""
    programme = Programme.objects.create(kind="coffee", name="Coffee chat", cadence_weeks=2)
    group = MatchGroup.objects.create(
        round=MatchRound.objects.create(programme=programme, number=1, run_on=NOW.date())
    )
    group.members.set([bob, nia])
    return group


# ---------------------------------------------------------------- what a card is


def card_of(body: dict) -> dict:
    """The card inside a webhook body, once the body has the envelope Teams expects and
    the card passes the Adaptive Card 1.5 schema."""
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == CARD_TYPE
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    errors = [error.message for error in Draft6Validator(SCHEMA).iter_errors(card)]
    assert errors == []
    # The schema's anyOf of elements is lenient about where things sit: say it directly.
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.5")
    for block in blocks(card):
        if block["type"] == "TextBlock":
            assert block["wrap"] is True
    for action in actions(card):
        assert action["type"] == "Action.OpenUrl"
        assert action["url"].startswith(settings.SITE_URL + "/")
    return card


def blocks(element: dict) -> list[dict]:
    """Every element of a card, containers opened, in order."""
    found = []
    for child in element.get("body", element.get("items", [])):
        found += [child, *blocks(child)]
    return found


def actions(card: dict) -> list[dict]:
    nested = [a for b in blocks(card) if b["type"] == "ActionSet" for a in b["actions"]]
    return nested + card["actions"]


def titles(card: dict) -> list[str]:
    return [action["title"] for action in actions(card)]


def texts(card: dict) -> list[str]:
    return [b["text"] for b in blocks(card) if b["type"] == "TextBlock"]


def test_the_schema_refuses_a_card_it_should(db):
    """The validation above can fail: a misspelt property or an unknown element is caught."""
    validator = Draft6Validator(SCHEMA)
    good = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hi"}]}
    assert validator.is_valid(good)
    assert not validator.is_valid(good | {"body": [{"type": "TextBlock", "txt": "Hi"}]})
    assert not validator.is_valid(good | {"body": [{"type": "Marquee", "text": "Hi"}]})
    assert not validator.is_valid(good | {"actions": [{"type": "Action.OpenUrl", "title": "x"}]})


# ---------------------------------------------------------------- cards through the outbox


def test_a_pairing_check_in_reaches_teams_as_a_card_with_three_one_click_answers(
    frozen, teams_hook, bob, nia
):
    bob.nudge_channel, bob.teams_webhook_url = "teams", teams_hook.url
    bob.save(update_fields=["nudge_channel", "teams_webhook_url"])
    programme = Programme.objects.create(kind="coffee", name="Coffee chat", cadence_weeks=2)
    for person in (bob, nia):
        join_programme(programme=programme, person=person)
    group = run_round(programme=programme).groups.get()
    deliver_due_nudges(now=NOW + dt.timedelta(days=1))  # the introduction
    deliver_due_nudges(now=NOW + dt.timedelta(days=8))  # the check-in, six days on
    cards = {card_of(body)["fallbackText"]: card_of(body) for body in teams_hook.bodies}
    assert set(cards) == {"Coffee chat: meet Nia", "Did you meet Nia?"}

    intro, checkin = cards["Coffee chat: meet Nia"], cards["Did you meet Nia?"]
    assert titles(intro) == ["See your match", "Turn these off", "Preferences"]
    assert titles(checkin) == [
        "We met",
        "Not yet",
        "Rescheduled",
        "See your match",
        "Turn these off",
        "Preferences",
    ]
    assert "You get this because you joined a pairing programme." in texts(checkin)
    reason = next(b for b in blocks(checkin) if b.get("text", "").startswith("You get this"))
    assert (reason["isSubtle"], reason["size"]) == (True, "Small")
    answers = {}
    for button in actions(checkin)[:3]:
        token = urlsplit(button["url"]).path.removeprefix("/chat/teams/do/").strip("/")
        person, action, params = read_action(token)
        assert (person, action) == (bob, "checkin")
        answers[button["title"]] = params
    assert answers["We met"] == {"group": group.pk, "week": 1, "answer": "met"}
    assert answers["Not yet"]["answer"] == "not_yet"
    assert answers["Rescheduled"]["answer"] == "rescheduled"
    assert actions(checkin)[3]["url"] == settings.SITE_URL + "/mentorship/"
    assert actions(checkin)[4]["url"].startswith(settings.SITE_URL + "/nudges/unsubscribe/")
    assert actions(checkin)[5]["url"] == settings.SITE_URL + "/nudges/preferences/"


def test_a_buddy_check_in_of_week_three_answers_for_week_three(frozen, bob, nia, pairing):
    bob.teams_webhook_url = OWN_WEBHOOK
    nudge = create_nudge(
        recipient=bob,
        kind="buddy_checkin",
        dedupe_key="buddy:3",
        payload={
            "title": "Buddy check-in, week 3",
            "url": "/mentorship/",
            "chat": {"checkin": pairing.pk, "week": 3},
        },
    )
    card = card_of(webhook_body([nudge], bob, message_context([nudge], bob)))
    met = next(a for a in actions(card) if a["title"] == "We met")
    token = urlsplit(met["url"]).path.split("/")[-2]
    assert read_action(token)[2] == {"group": pairing.pk, "week": 3, "answer": "met"}
    assert titles(card)[3] == "Say how it went"


def test_on_the_teams_channel_a_card_says_whose_it_is_and_carries_no_signed_link(
    frozen, teams_hook, bob, nia, pairing
):
    """Colleagues read the team's channel too: a signed link there would let them answer
    Bob's check-in or turn his messages off; Hearth's own pages ask them to sign in."""
    bob.team.teams_webhook_url = teams_hook.url
    bob.team.save(update_fields=["teams_webhook_url"])
    bob.nudge_channel = "teams"
    bob.save(update_fields=["nudge_channel"])
    create_nudge(
        recipient=bob,
        kind="pairing",
        dedupe_key="checkin:team",
        payload={
            "title": "Did you meet Nia?",
            "url": "/mentorship/",
            "chat": {"checkin": pairing.pk, "week": 1},
        },
    )
    assert deliver_due_nudges().sent == 1
    card = card_of(teams_hook.bodies[0])
    assert titles(card) == ["See your match", "Preferences"]
    assert "For Bob. You get this because you joined a pairing programme." in texts(card)
    assert "/chat/teams/do/" not in json.dumps(card)
    assert "/nudges/unsubscribe/" not in json.dumps(card)


def test_a_digest_is_one_card_with_a_container_for_each_item(frozen, teams_hook, bob):
    bob.nudge_channel, bob.teams_webhook_url = "teams", teams_hook.url
    bob.save(update_fields=["nudge_channel", "teams_webhook_url"])
    for i in range(3):
        create_nudge(
            recipient=bob,
            kind="recognition",
            dedupe_key=f"thanks{i}",
            payload={"title": f"Kudos number {i}", "body": "For the deploy.", "url": "/"},
        )
    create_nudge(
        recipient=bob,
        kind="thread_activity",
        dedupe_key="reply",
        payload={"title": "A reply", "url": "/rituals/thread/"},
    )
    report = deliver_due_nudges()
    assert (report.sent, report.messages) == (4, 1)
    [body] = teams_hook.bodies
    card = card_of(body)
    assert card["body"][0]["text"] == "4 small things from Hearth today"
    containers = [b for b in card["body"] if b["type"] == "Container"]
    assert len(containers) == 4
    assert all(c["separator"] is True for c in containers)
    assert [c["items"][0]["text"] for c in containers] == [
        "Kudos number 0",
        "Kudos number 1",
        "Kudos number 2",
        "A reply",
    ]
    assert "You get this because someone answered you in the team thread." in texts(card)
    assert not {"We met", "Not yet", "Rescheduled"} & set(titles(card))
    assert titles(card)[-2:] == ["Turn these off", "Preferences"]
    # One switch for the digest: every low-priority kind it carries.
    token = card["actions"][0]["url"].split("/")[-2]
    assert signing.loads(token, salt="hearth.nudges.unsubscribe")["k"] == "all"


def test_a_markdown_link_in_a_title_does_not_become_a_link(frozen, bob):
    nudge = create_nudge(
        recipient=bob,
        kind="recognition",
        dedupe_key="evil",
        payload={"title": "[Your bonus](http://evil.example/login)", "body": "[x] [y](/z)"},
    )
    card = card_of(webhook_body([nudge], bob, message_context([nudge], bob)))
    text = json.dumps(texts(card))
    assert "](" not in text
    assert "Your bonus (http://evil.example/login)" in texts(card)
    assert "[x] y (/z)" in texts(card)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("[WIP] Deploys", "[WIP] Deploys"),
        ("[x](http://evil)", "x (http://evil)"),
        ("[x] (http://evil)", "x (http://evil)"),
        ("[x]\n(http://evil)", "x\n(http://evil)"),
        ("[a [b] c](http://evil)", "a [b] c (http://evil)"),
        ("[[x](http://a)](http://b)", "x (http://a) (http://b)"),
        ("see [x][1]\n[1]: http://evil", "see [x][1]\n1: http://evil"),
        ("a](http://evil)", "a (http://evil)"),
        ("**bold** stays", "**bold** stays"),
    ],
)
def test_plain_undoes_every_markdown_link(written, shown):
    assert plain(written) == shown
    assert not re.search(r"\]\s*[(:]", plain(written))


# ---------------------------------------------------------------- signed links


def test_a_link_is_absolute_and_reads_back(frozen, bob, pairing):
    url = action_url(bob, "checkin", group=pairing.pk, week=1, answer="met")
    assert url.startswith(f"{settings.SITE_URL}/chat/teams/do/")
    token = url.split("/")[-2]
    assert read_action(token) == (bob, "checkin", {"group": pairing.pk, "week": 1, "answer": "met"})


def test_a_link_is_never_made_for_an_unknown_action_or_answer(bob):
    with pytest.raises(ValueError):
        action_token(bob, "delete_everything", group=1)
    with pytest.raises(ValueError):
        action_token(bob, "checkin", group=1, week=1, answer="maybe")
    with pytest.raises(ValueError):
        action_token(bob, "checkin", group=1, week=99, answer="met")


def test_links_of_another_salt_or_of_an_inactive_person_do_not_read(frozen, bob, pairing):
    params = {"p": bob.pk, "a": "checkin", "q": {"group": pairing.pk, "week": 1, "answer": "met"}}
    forged = signing.dumps(params, salt="hearth.nudges.unsubscribe", compress=True)
    with pytest.raises(ActionLinkError, match="incomplete or was changed"):
        read_action(forged)
    token = action_token(bob, "checkin", group=pairing.pk, week=1, answer="met")
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    with pytest.raises(ActionLinkError, match="no longer active"):
        read_action(token)


# ---------------------------------------------------------------- the one-click page


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def one_click(person, group, answer="met", week=1) -> str:
    return (
        "/chat/teams/do/"
        + action_token(person, "checkin", group=group.pk, week=week, answer=answer)
        + "/"
    )


def test_opening_the_link_only_asks_and_the_button_records(frozen, client, bob, pairing):
    url = one_click(bob, pairing)
    page = client.get(url)
    assert page.status_code == 200
    assert "Record that you met Nia this week?" in text_of(page)
    assert f'action="{url}"' in text_of(page)
    assert CheckIn.objects.count() == 0  # a link scanner's GET changes nothing
    assert Signal.objects.count() == 0

    done = client.post(url)
    assert done.status_code == 200
    assert "Thanks, recorded" in text_of(done)
    assert 'href="/mentorship/"' in text_of(done)
    checkin = CheckIn.objects.get()
    assert (checkin.group, checkin.person, checkin.week, checkin.answer) == (pairing, bob, 1, "met")


def test_a_second_click_changes_the_answer_and_never_adds_a_row(frozen, client, bob, pairing):
    assert client.post(one_click(bob, pairing, "met")).status_code == 200
    assert client.post(one_click(bob, pairing, "met")).status_code == 200
    assert CheckIn.objects.count() == 1
    page = client.get(one_click(bob, pairing, "rescheduled"))
    assert "Record that you and Nia rescheduled?" in text_of(page)
    assert client.post(one_click(bob, pairing, "rescheduled")).status_code == 200
    assert list(CheckIn.objects.values_list("person", "week", "answer")) == [
        (bob.pk, 1, "rescheduled")
    ]


def test_the_button_needs_the_pages_csrf_token(frozen, bob, pairing):
    client = Client(enforce_csrf_checks=True)
    url = one_click(bob, pairing, "not_yet")
    assert client.post(url).status_code == 403
    page = client.get(url)
    assert "Record that you haven't met Nia yet?" in text_of(page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(page))[1]
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
    assert CheckIn.objects.get().answer == "not_yet"


def test_a_tampered_link_is_refused_and_writes_nothing(frozen, client, bob, pairing):
    token = action_token(bob, "checkin", group=pairing.pk, week=1, answer="met")
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for send in (client.get, client.post):
        response = send(f"/chat/teams/do/{tampered}/")
        assert response.status_code == 400
        assert "incomplete or was changed" in text_of(response)
        assert 'href="/login/"' in text_of(response)
    assert CheckIn.objects.count() == 0


def test_a_link_older_than_two_weeks_is_refused(frozen, client, bob, pairing):
    url = one_click(bob, pairing)
    frozen.shift(links.MAX_AGE - dt.timedelta(minutes=1))
    assert client.get(url).status_code == 200
    frozen.shift(dt.timedelta(minutes=2))
    response = client.post(url)
    assert response.status_code == 400
    assert "more than two weeks old" in text_of(response)
    assert CheckIn.objects.count() == 0


def test_a_group_the_person_is_not_in_is_refused(frozen, client, charlie, pairing):
    url = one_click(charlie, pairing)
    for send in (client.get, client.post):
        response = send(url)
        assert response.status_code == 400
        assert "That isn't one of your groups." in text_of(response)
    assert CheckIn.objects.count() == 0


def test_an_inactive_person_is_refused(frozen, client, bob, pairing):
    url = one_click(bob, pairing)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    response = client.post(url)
    assert response.status_code == 400
    assert "no longer active" in text_of(response)
    assert CheckIn.objects.count() == 0
