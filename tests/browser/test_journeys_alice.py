"""Alice's co-working window (JOURNEYS.md): she adopts it at a time Hearth suggests
inside the hours her team shares, and four weeks later its review shows attendance,
the "worth it" share and a recommendation; she keeps it and moves it to twice a week.

The clock starts at the moment the demo was seeded and moves on to the review."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from connection.models import Nudge, Team, User
from connection.nudges import deliver_due_nudges
from rituals.models import Occurrence, TeamRitual
from rituals.services.occurrences import materialise_all, record_attendance, send_due_reviews

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"
RITUAL = "15-minute co-working window"
CONFIRM = "Schedule it even though it is outside some people’s hours"
CAME, WORTH_IT = 9, 8  # of the team's 12, at every session


def person(who: str) -> User:
    return User.objects.get(email=f"{who}@{DEMO_DOMAIN}")


def adopt_the_co_working_window(page, live_server) -> str:
    """Adopt it at the first time Hearth suggests; that time, "HH:MM" in Alice's zone."""
    page.goto("/rituals/catalogue/")
    card = page.locator("article.card", has=page.get_by_role("heading", name=RITUAL))
    card.get_by_role("link", name="Adopt for my team").click()
    page.wait_for_url(f"{live_server.url}/rituals/adopt/coworking/")
    aside = page.locator("aside")
    expect(aside.get_by_role("heading", name="Hours Platform shares")).to_be_visible()
    slots = aside.locator(".slots li")
    expect(slots.first).to_be_visible()
    suggested = slots.first.locator("strong").inner_text().strip()
    counts = [
        re.search(r"(\d+) of (\d+) people", text).groups() for text in slots.all_inner_texts()
    ]
    inside = [int(n) for n, _ in counts]
    assert inside == sorted(inside, reverse=True), f"the best slot is not first: {counts}"
    platform = Team.objects.get(name="Platform")
    assert {int(of) for _, of in counts} == {User.objects.active().filter(team=platform).count()}
    expect(page.get_by_label("Starts at")).to_have_value(suggested)
    expect(page.get_by_role("group", name="Repeats").get_by_label("Tuesday")).to_be_checked()
    expect(page.locator("#rule-summary strong")).to_have_text("Every Tuesday")
    with page.expect_navigation():
        page.get_by_role("button", name="Adopt").click()
    if "/adopt/" in page.url:  # some of the team are outside their hours then
        expect(page.get_by_role("alert").first).to_contain_text("outside the working hours")
        page.get_by_label(CONFIRM).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Adopt").click()
    expect(page.locator(".message-success")).to_contain_text(f"{RITUAL} is on Platform")
    return suggested


def four_weeks_of_sessions(ritual: TeamRitual, now: dt.datetime) -> list[Occurrence]:
    """Each session until the review: nine of the team came, eight found it worth it."""
    held = list(ritual.occurrences.filter(starts_at__lt=now).order_by("starts_at"))
    assert len(held) >= 3, f"only {len(held)} sessions before the review"
    team = list(User.objects.active().filter(team=ritual.team).order_by("pk"))
    for occurrence in held:
        for number, member in enumerate(team[:CAME]):
            record_attendance(
                occurrence=occurrence, person=member, attended=True, worth_it=number < WORTH_IT
            )
    return held


def test_alice_adopts_the_co_working_window_and_keeps_it_twice_a_week(
    new_page, viewport, clock, sign_in, screenshot, live_server
):
    alice = person("alice")
    zones = set(User.objects.active().filter(team=alice.team).values_list("time_zone", flat=True))
    assert {"America/New_York", "Europe/Lisbon", "Asia/Kolkata"} <= zones
    page = sign_in(new_page(**viewport), "alice")
    suggested = adopt_the_co_working_window(page, live_server)
    ritual = TeamRitual.objects.get(team=alice.team, template__slug="coworking")
    assert ritual.start_time.strftime("%H:%M") == suggested
    assert ritual.rule == "FREQ=WEEKLY;BYDAY=TU" and ritual.duration == 15
    screenshot(page, "coworking-adopted")

    # Four weeks later: the review date comes, and Hearth tells its owner.
    Nudge.objects.filter(recipient=alice, status=Nudge.Status.PENDING).delete()
    clock.move_to(dt.datetime.combine(ritual.review_on, dt.time(6), tzinfo=dt.UTC))
    held = four_weeks_of_sessions(ritual, clock.now)
    materialise_all()  # the nightly tick keeps four weeks of sessions ahead
    assert send_due_reviews() == 1
    review = Nudge.objects.get(
        recipient=alice, dedupe_key__startswith=f"ritual-review:{ritual.pk}:"
    )
    clock.move_to(review.due_at + dt.timedelta(minutes=5))
    deliver_due_nudges()

    page = sign_in(new_page(**viewport), "alice")
    bell = page.locator("details.inbox > summary")
    bell.click()
    page.locator("#inbox-menu").get_by_role("link", name=f"Time to review {RITUAL}").click()
    page.wait_for_url(f"{live_server.url}/rituals/{ritual.pk}/")
    read_the_review(page, sessions=len(held))
    screenshot(page, "coworking-review")

    move_to_twice_a_week(page, ritual)
    screenshot(page, "coworking-twice-a-week")


def read_the_review(page, *, sessions: int) -> None:
    team = User.objects.active().filter(team__name="Platform").count()
    stat = page.locator(".stat")
    attendance = round(100 * CAME / team)
    expect(stat.filter(has_text="attendance").locator(".stat-value")).to_have_text(f"{attendance}%")
    worth = stat.filter(has_text="found it worth it")
    expect(worth.locator(".stat-value")).to_have_text(f"{round(100 * WORTH_IT / CAME)}%")
    expect(worth).to_contain_text(f"({sessions * CAME} answers)")
    expect(stat.filter(has_text="sessions so far").locator(".stat-value")).to_have_text(
        str(sessions)
    )
    expect(page.locator(".recommendation")).to_have_text(
        "Keep it. People come and find it worth their time."
    )
    past = page.locator("section", has=page.locator("#past-heading")).locator("tbody tr")
    expect(past).to_have_count(sessions)
    expect(past.first.locator("td").nth(2)).to_have_text(f"{WORTH_IT} of {CAME}")


def move_to_twice_a_week(page, ritual: TeamRitual) -> None:
    form = page.locator("form", has=page.get_by_role("heading", name="Change the schedule"))
    builder = form.get_by_role("group", name="Repeats")
    expect(builder.get_by_label("Tuesday")).to_be_checked()
    builder.get_by_label("Thursday").check()
    expect(form.locator("#rule-summary strong")).to_have_text("Every Tuesday and Thursday")
    next_review = ritual.review_on + dt.timedelta(weeks=4)
    form.get_by_label("Next review").fill(next_review.isoformat())
    with page.expect_navigation():
        form.get_by_role("button", name="Save the schedule").click()
    expect(page.locator(".message-success")).to_have_text(
        "New schedule saved; upcoming sessions moved."
    )
    expect(page.locator(".badge", has_text="Running")).to_be_visible()
    schedule = page.locator("p", has_text="Schedule:")
    expect(schedule).to_contain_text("Every Tuesday and Thursday")
    coming = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Next")))
    expect(coming.locator("li", has_text="Tue").first).to_be_visible()
    expect(coming.locator("li", has_text="Thu").first).to_be_visible()
    ritual.refresh_from_db()
    assert ritual.rule == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert ritual.status == TeamRitual.Status.ACTIVE and ritual.review_on == next_review
