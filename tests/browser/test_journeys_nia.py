"""Nia's first week (JOURNEYS.md): her own home page with her buddy and a first-week
list that ticks itself off, office hours with a senior engineer, her first question,
and her team's rituals in her calendar.

The clock stands at the moment the demo was seeded: Nia's third day (she started
two days before it)."""

import datetime as dt
import re

import icalendar
import pytest
from playwright.sync_api import expect

from connection.models import Signal, Team, User, next_shared_slot
from mentorship.models import Booking, MatchGroup, OfficeHours
from rituals.models import TeamRitual

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"
TOPIC = "The deploy process"
QUESTION = "Where do I find the runbook for a failed deploy?"


def person(who: str) -> User:
    return User.objects.get(email=f"{who}@{DEMO_DOMAIN}")


@pytest.fixture
def nia(clock) -> User:
    """Nia on her third day, before her first question: the demo plays that question
    already (the ledger's story); here she asks it herself. The demo counts days as
    it dates them, in UTC: its today is her start date plus two."""
    nia = person("nia")
    assert (clock.now.date() - nia.start_date).days == 2, "not Nia's third day"
    Signal.objects.filter(actor=nia, kind=Signal.Kind.ASKED).delete()
    return nia


def first_weeks(page):
    return page.locator("section.first-weeks")


def expect_step(page, label: str, *, done: bool) -> None:
    checklist = first_weeks(page).get_by_role("list", name="Your first-week list")
    if done:
        expect(checklist.locator("li.done", has_text=label)).to_be_visible()
        expect(checklist.get_by_role("link", name=label)).to_have_count(0)
    else:
        expect(checklist.get_by_role("link", name=label)).to_be_visible()


def a_senior_engineer_hosting_office_hours(nia: User) -> User:
    """Someone senior in Engineering, other than Nia's own manager, who hosts."""
    engineering = Team.objects.get(name="Engineering")
    hosts = (
        OfficeHours.objects.filter(
            host__is_senior=True, host__team__path__startswith=engineering.path
        )
        .exclude(host__in=nia.team.managers.all())
        .select_related("host")
        .order_by("host__display_name")
    )
    assert hosts, "no senior engineer hosts office hours"
    return hosts[0].host


def test_nia_has_her_own_home_books_office_hours_and_asks_a_first_question(
    new_page, viewport, clock, nia, sign_in, screenshot, live_server
):
    group = MatchGroup.objects.of(nia).get(newcomer=nia)
    buddy = group.members.exclude(pk=nia.pk).get()
    assert buddy.team != nia.team, "her buddy is on her own team"

    page = sign_in(new_page(**viewport), "nia")
    card = first_weeks(page)
    expect(card.get_by_role("heading", name="Your first weeks")).to_be_visible()
    expect(card).to_contain_text(
        f"Your buddy: {buddy.display_name}, {buddy.team.name}. "
        f"It’s {buddy.local_now():%H:%M} for them in {buddy.zone_label}."
    )
    start, end = next_shared_slot([nia, buddy], clock.now)
    assert nia.is_working_at(start) and buddy.is_working_at(start)
    assert nia.is_working_at(end - dt.timedelta(minutes=1))
    assert buddy.is_working_at(end - dt.timedelta(minutes=1))
    mine, ends = start.astimezone(nia.zone), end.astimezone(nia.zone)
    expect(card.locator("strong").nth(1)).to_have_text(
        f"{mine:%A} {mine.day} {mine:%B}, {mine:%H:%M}–{ends:%H:%M}"
    )
    for step in ("Meet your buddy", "Book office hours", "Join a ritual"):
        expect_step(page, step, done=False)
    expect_step(page, "Ask a first question in the thread", done=False)
    expect(page.get_by_role("heading", level=1)).to_contain_text(", Nia")
    expect(page.locator(".person-name", has_text="(you)")).to_contain_text("Nia Okafor")
    screenshot(page, "nia-home")

    card.get_by_role("link", name="Book office hours").click()
    page.wait_for_url(f"{live_server.url}/mentorship/office-hours/")
    book_twenty_minutes_with_a_senior_engineer(page, nia, screenshot)
    page.goto("/")
    expect_step(page, "Book office hours", done=True)

    first_weeks(page).get_by_role("link", name="Ask a first question in the thread").click()
    page.wait_for_url(re.compile(r"/rituals/thread/"))
    page.get_by_label("What are you working on?").fill(QUESTION)
    page.get_by_label("This is a question for the team").check()
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("#posts > article.post").first).to_contain_text(QUESTION)
    asked = Signal.objects.get(actor=nia, kind=Signal.Kind.ASKED)
    assert (asked.occurred_at.date() - nia.start_date).days == 2  # her third day
    page.goto("/")
    expect_step(page, "Ask a first question in the thread", done=True)
    expect_step(page, "Meet your buddy", done=False)
    screenshot(page, "nia-home-after")


def book_twenty_minutes_with_a_senior_engineer(page, nia: User, screenshot) -> None:
    host = a_senior_engineer_hosting_office_hours(nia)
    expect(page.get_by_role("heading", name="Office hours", exact=True)).to_be_visible()
    card = page.locator("article.slot", has=page.get_by_role("heading", name=host.display_name))
    blocks = card.locator("label.block")
    expect(blocks.first).to_be_visible()
    mine = card.locator("label.block:not(.block-outside)")  # inside her own hours
    label = mine.first.inner_text().strip()
    day = label.split(",")[0]  # "Mon 7 Dec"; the next week's blocks follow
    times = [
        text.split(", ")[1][:5] for text in blocks.all_inner_texts() if text.strip().startswith(day)
    ]
    minutes = [int(t[:2]) * 60 + int(t[3:5]) for t in times]
    assert {b - a for a, b in zip(minutes, minutes[1:], strict=False)} == {20}, times
    mine.first.get_by_role("radio").check()
    card.get_by_label("What would you like to talk about?").fill(TOPIC)
    with page.expect_navigation():
        card.get_by_role("button", name="Book").click()
    expect(page.locator(".messages")).to_contain_text(f"Booked with {host.get_short_name()}.")
    coming = page.locator("section", has=page.get_by_role("heading", name="Coming up"))
    expect(coming).to_contain_text(f"{label} · with {host.display_name}: {TOPIC}")
    booking = Booking.objects.get(booker=nia, status=Booking.Status.BOOKED)
    assert booking.office_hours.host == host
    assert booking.office_hours.block_minutes == 20
    screenshot(page, "nia-office-hours")


def test_nia_has_her_teams_rituals_in_her_calendar_feed(
    new_page, viewport, clock, nia, sign_in, screenshot, live_server
):
    page = sign_in(new_page(**viewport), "nia")
    page.goto("/rituals/")
    mine = page.locator("section", has=page.get_by_role("heading", name="Your rituals"))
    names = [text.strip() for text in mine.locator(".ritual-list a").all_inner_texts()]
    team_rituals = TeamRitual.objects.active().filter(team=nia.team)
    assert names and set(names) == set(team_rituals.values_list("name", flat=True))

    calendar = page.locator("section", has=page.get_by_role("heading", name="In your calendar"))
    calendar.get_by_role("button", name="Create my calendar link").click()
    expect(page.locator(".message-success")).to_contain_text("Your calendar link is ready.")
    link = calendar.locator("code.token")
    expect(link).to_have_text(re.compile(rf"^{re.escape(live_server.url)}/rituals/feed/.+\.ics$"))
    screenshot(page, "nia-calendar-link")

    feed = page.request.get(link.inner_text())
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    summaries = {str(event["SUMMARY"]) for event in events}
    assert summaries == {f"{name} ({nia.team.name})" for name in names}
    upcoming = [event for event in events if event.decoded("DTSTART") > clock.now]
    assert upcoming, "the feed holds no session to come"
