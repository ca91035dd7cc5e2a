"""Mentorship in the browser: a newcomer's buddy, office hours, the mentoring log."""

import re

import pytest
from playwright.sync_api import expect

from connection.models import User
from mentorship.models import Booking, CaseNote, CheckIn, MatchGroup, MentoringSession
from tests.browser.conftest import main_nav, pick_person

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"


def person(who: str) -> User:
    return User.objects.get(email=f"{who}@{DEMO_DOMAIN}")


def messages(page):
    return page.locator(".messages[role=status]")


def test_newcomer_sees_her_buddy_and_checks_in(
    new_page, viewport, demo_org, sign_in, screenshot, live_server
):
    nia = person("nia")
    group = MatchGroup.objects.of(nia).get(newcomer=nia)
    buddy = group.members.exclude(pk=nia.pk).get()
    assert group.reasons, "the buddy pairing comes without reasons"

    page = sign_in(new_page(**viewport), "nia")
    main_nav(page).get_by_role("link", name="Connect").click()
    page.wait_for_url(f"{live_server.url}/mentorship/")
    expect(page.get_by_role("heading", name="Connect", exact=True)).to_be_visible()

    card = page.locator("section.buddy")
    expect(card.get_by_role("heading", name="Your buddy")).to_be_visible()
    expect(card.locator(".big-name")).to_contain_text(buddy.display_name)

    expect(page.get_by_role("heading", name="Your matches")).to_be_visible()
    match = page.locator("article.match", has_text="Newcomer buddies")
    expect(match).to_have_count(1)
    for reason in group.reasons:  # said once, on the match, not again on the buddy card
        expect(match.get_by_text(reason, exact=True)).to_be_visible()
        expect(card.get_by_text(reason, exact=True)).to_have_count(0)
    # Not to_have_text: overview.html puts its comma after every member but the
    # last one, so when Nia comes last among the members her buddy reads "Felix, ".
    expect(match.locator("strong")).to_contain_text(buddy.display_name)
    expect(match.get_by_text("Did you meet?")).to_be_visible()
    for label in ("We met", "Not yet", "We rescheduled"):
        expect(match.get_by_role("button", name=label)).to_be_visible()

    with page.expect_navigation():
        match.get_by_role("button", name="We met").click()
    expect(messages(page)).to_contain_text("Thanks for letting us know.")
    match = page.locator("article.match", has_text="Newcomer buddies")
    expect(match.locator(".note")).to_have_text(re.compile(r"^Week \d+: you said we met\.$"))
    expect(match.get_by_role("button", name="We met")).to_be_hidden()  # behind "Change"
    match.get_by_text("Change your answer").click()
    expect(match.get_by_role("button", name="Not yet")).to_be_visible()
    assert CheckIn.objects.get(group=group, person=nia).answer == CheckIn.Answer.MET
    screenshot(page, "buddy")


def test_bob_books_a_block_of_alices_office_hours(
    new_page, viewport, demo_org, sign_in, screenshot
):
    bob = person("bob")
    page = sign_in(new_page(**viewport), "bob")
    page.goto("/mentorship/office-hours/")
    expect(page.get_by_role("heading", name="Office hours", exact=True)).to_be_visible()

    card = page.locator("article.slot", has=page.get_by_role("heading", name="Alice Moreau"))
    expect(card).to_have_count(1)
    blocks = card.get_by_role("group", name=re.compile(r"^Pick a \d+-minute block$")).get_by_role(
        "radio"
    )
    expect(blocks.first).to_be_visible()
    assert blocks.count() >= 3  # an hour in 20-minute blocks
    first = blocks.first
    label = card.locator("label.block").first.inner_text().strip()
    # Alice hosts Wednesdays 11:00 New York time; Bob sees them in Lisbon time.
    assert re.fullmatch(r"Wed \d{1,2} \w{3}, \d\d:\d\d", label), label
    first.check()
    card.get_by_label("What would you like to talk about?").fill("The deploy process")

    with page.expect_navigation():
        card.get_by_role("button", name="Book").click()
    expect(messages(page)).to_contain_text("Booked with Alice. You’ll both get a reminder.")
    coming = page.locator("section", has=page.get_by_role("heading", name="Coming up"))
    expect(coming).to_contain_text(f"{label} · with Alice Moreau: The deploy process")
    booking = Booking.objects.get(booker=bob, status="booked")
    assert booking.topic == "The deploy process"
    assert booking.office_hours.host == person("alice")
    # The booked block is no longer offered.
    card = page.locator("article.slot", has=page.get_by_role("heading", name="Alice Moreau"))
    expect(card.locator("label.block", has_text=label)).to_have_count(0)
    screenshot(page, "office-hours")


def test_alice_logs_a_session_and_shares_a_case_note(
    new_page, viewport, demo_org, sign_in, screenshot
):
    alice, nia = person("alice"), person("nia")
    today = alice.local_now().date()

    page = sign_in(new_page(**viewport), "alice")
    page.goto("/mentorship/log/")
    expect(page.get_by_role("heading", name="Mentoring log")).to_be_visible()

    session = page.locator("form", has=page.get_by_role("heading", name="Log a session"))
    pick_person(session, "other", "Nia Okafor · Platform · Berlin")
    session.get_by_label("I mentored them").check()
    session.get_by_label("Kind").select_option(label="Mentoring")
    session.get_by_label("Held on").fill(today.isoformat())
    session.get_by_label("Minutes").fill("30")
    session.get_by_label("Note").fill("Walked through a deploy together")
    with page.expect_navigation():
        session.get_by_role("button", name="Log it").click()
    expect(messages(page)).to_contain_text("Logged.")
    logged = MentoringSession.objects.get(mentor=alice, mentee=nia)
    assert (logged.kind, logged.held_on, logged.minutes) == ("mentoring", today, 30)
    sessions = page.locator("section", has=page.get_by_role("heading", name="Your sessions"))
    expect(sessions).to_contain_text("Alice Moreau → Nia Okafor · 30 min")
    screenshot(page, "mentoring-log")

    note = page.locator("form", has=page.get_by_role("heading", name="Publish a case note"))
    note.get_by_label("Topic").fill("Reading deploy logs")
    note.get_by_label("What we tried").fill("Tailing the deploy log while the release ran.")
    note.get_by_label("What didn’t work").fill("Grepping for ERROR missed the real failure.")
    note.get_by_label("What we learned").fill("Start from the last healthy step and read forward.")
    note.get_by_label("Visibility").select_option(label="Everyone")
    with page.expect_navigation():
        note.get_by_role("button", name="Publish").click()
    expect(messages(page)).to_contain_text("Published.")
    published = CaseNote.objects.get(author=alice, topic="Reading deploy logs")
    assert published.visibility == CaseNote.Visibility.ORG
    yours = page.locator("section", has=page.get_by_role("heading", name="Your sessions"))
    expect(yours.get_by_role("listitem").filter(has_text="Reading deploy logs")).to_be_visible()

    bob = sign_in(new_page(**viewport), "bob")
    bob.goto("/mentorship/notes/")
    bob.get_by_label("Topic").fill("deploy")
    with bob.expect_navigation():
        bob.get_by_role("button", name="Search").click()
    assert bob.url.endswith("/mentorship/notes/?q=deploy")
    found = bob.locator("article.case-note")
    note_card = found.filter(has=bob.get_by_role("heading", name="Reading deploy logs"))
    expect(note_card).to_be_visible()
    expect(note_card).to_contain_text("Alice Moreau")
    expect(note_card).to_contain_text("Start from the last healthy step and read forward.")
    expect(found.filter(has_text="Onboarding to on-call")).to_have_count(0)
    screenshot(bob, "case-notes")


def test_a_session_nia_logs_counts_once_alice_confirms_it(
    new_page, viewport, demo_org, sign_in, screenshot
):
    alice, nia = person("alice"), person("nia")
    today = nia.local_now().date()

    page = sign_in(new_page(**viewport), "nia")
    page.goto("/mentorship/log/")
    session = page.locator("form", has=page.get_by_role("heading", name="Log a session"))
    pick_person(session, "other", "Alice Moreau · Platform · New York")
    session.get_by_label("They mentored me").check()
    session.get_by_label("Kind").select_option(label="Mentoring")
    session.get_by_label("Held on").fill(today.isoformat())
    session.get_by_label("Minutes").fill("40")
    with page.expect_navigation():
        session.get_by_role("button", name="Log it").click()
    expect(messages(page)).to_contain_text("It counts once Alice confirms it.")
    logged = MentoringSession.objects.get(mentor=alice, mentee=nia)
    assert logged.status == "pending"

    mentor = sign_in(new_page(**viewport), "alice")
    mentor.goto("/mentorship/log/")
    waiting = mentor.locator(
        "section", has=mentor.get_by_role("heading", name="Sessions to confirm")
    )
    with mentor.expect_navigation():
        waiting.get_by_role("link", name=re.compile("with Nia Okafor")).click()
    expect(mentor.get_by_text("Nia Okafor for 40 minutes")).to_be_visible()
    screenshot(mentor, "mentoring-confirm")
    with mentor.expect_navigation():
        mentor.get_by_role("button", name="Confirm").click()
    expect(messages(mentor)).to_contain_text("The log is up to date.")
    logged.refresh_from_db()
    assert logged.status == "confirmed"
