"""A conversation on a pulse comment in the browser: Bob comments and his browser
keeps the key; Alice replies on her results page; from the next batch Bob reads it
and answers, with requests that carry no cookie; Hana, without the key, sees
nothing; Alice then reads the answer as "the author"."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from connection.models import Nudge, Team, User
from pulse.conversations import next_batch
from pulse.models import CommentReply, Round
from pulse.services import close_round, open_round, submit_response

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"
SECOND = dt.timedelta(seconds=1)
COMMENT = "Could we pair more on the on-call handover?"


@pytest.fixture
def demo_org(demo_org):
    """The demo org without its pulse history: this test runs its own round."""
    Round.objects.all().delete()
    Nudge.objects.filter(kind__in=["pulse_invite", "pulse_reminder"]).delete()


def test_a_conversation_on_a_comment(new_page, demo_org, clock, sign_in, screenshot):
    # The clock moves by timestamps, which may land a microsecond early: every step
    # below stands a second clear of the instant it must be past.
    round_ = open_round(now=clock.now - SECOND)
    assert round_ is not None
    bob_page = sign_in(new_page(), "bob")
    bob_page.goto("/pulse/")
    for item in bob_page.locator("fieldset.pulse-item").all():
        item.locator("label.scale-option").filter(has_text=re.compile(r"^\s*(Agree|9)\s*$")).click()
    bob_page.get_by_label("Anything else? (optional)").fill(COMMENT)
    bob_page.get_by_role("button", name="Send my answers").click()
    key_box = bob_page.locator("[data-conversation-key]")
    expect(key_box).to_contain_text("If someone replies to your comment")
    key = key_box.get_attribute("data-conversation-key")
    assert len(key) == 43
    # The page's script keeps it in this browser.
    bob_page.wait_for_function("() => localStorage.getItem('hearth.conversationKeys') !== null")
    stored = bob_page.evaluate("localStorage.getItem('hearth.conversationKeys')")
    assert stored is not None and key in stored
    screenshot(bob_page, "conversation-key")

    # The rest of Platform answers; the round closes with its comments shown.
    platform = Team.objects.get(name="Platform")
    answers = {q.pk: 9 if q.is_enps else 4 for q in round_.questions.all()}
    for person in User.objects.active().filter(team__path__startswith=platform.path):
        if not round_.receipts.filter(person=person).exists():
            submit_response(person=person, round_=round_, answers=answers)
    clock.move_to(round_.closes_at + SECOND)
    assert close_round(round_=round_, now=clock.now)

    alice_page = sign_in(new_page(), "alice")
    alice_page.goto(f"/pulse/results/?team={platform.pk}")
    comment = alice_page.locator(".comments > li", has_text=COMMENT)
    comment.get_by_label("Reply to this comment").fill("Yes! Shall we try Friday pairing?")
    comment.get_by_role("button", name="Reply").click()
    expect(alice_page.locator(".message-success")).to_contain_text("next batch")
    reply = CommentReply.objects.get()
    assert reply.side == "manager"
    screenshot(alice_page, "conversation-reply")

    cookies = []
    bob_page.on(
        "request",
        lambda request: (
            cookies.append(request.headers.get("cookie"))
            if "/pulse/conversations/" in request.url and request.method == "POST"
            else None
        ),
    )
    bob_page.goto("/pulse/conversations/")
    expect(bob_page.locator("#conversations")).to_contain_text("No reply yet")
    assert reply.shown_at == next_batch(clock.now)
    clock.move_to(reply.shown_at + SECOND)  # the batch comes
    bob_page.reload()
    thread = bob_page.locator("article.conversation", has_text=COMMENT)
    expect(thread).to_contain_text("Yes! Shall we try Friday pairing?")
    thread.get_by_label("Answer, still without your name").fill("Friday works, thank you")
    thread.get_by_role("button", name="Send").click()
    expect(thread).to_contain_text("Friday works, thank you")
    assert cookies and all(cookie is None for cookie in cookies), cookies
    screenshot(bob_page, "conversation-author")

    hana_page = sign_in(new_page(), "hana")
    hana_page.goto("/pulse/conversations/")
    expect(hana_page.locator("#conversations")).to_contain_text("holds no conversation keys")

    answer = CommentReply.objects.get(side="author")
    assert answer.shown_at == next_batch(clock.now)
    alice_page.reload()
    expect(alice_page.locator(".comments")).not_to_contain_text("Friday works, thank you")
    clock.move_to(answer.shown_at + SECOND)  # the next batch
    alice_page.reload()
    answered = alice_page.locator(".comments > li", has_text=COMMENT)
    expect(answered).to_contain_text("The author Friday works, thank you")
    screenshot(alice_page, "conversation-manager")
