"""Micro-moments in the browser: a win and a work anniversary in the team's thread,
and what the manager finds among her notifications (moments/services.py)."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from connection.models import Nudge, OrgSettings, User
from connection.nudges import deliver_due_nudges
from moments.services import plan_moments
from tests.helpers import make_user, working_around_the_clock

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"


def person(who: str) -> User:
    return User.objects.get(email=f"{who}@{DEMO_DOMAIN}")


def test_moments_in_the_thread_and_the_managers_notifications(page, demo_org, sign_in, screenshot):
    alice, bob = person("alice"), person("bob")
    OrgSettings.objects.filter(pk=OrgSettings.load().pk).update(nudge_weekly_ceiling=50)
    working_around_the_clock(alice, channel="in_app", checkin_suggestions=True, weekly_nudge_cap=50)
    # The demo's own messages vary with the day the test runs: start Alice's inbox empty.
    Nudge.objects.filter(recipient=alice, status=Nudge.Status.PENDING).update(
        status=Nudge.Status.SKIPPED
    )
    Nudge.objects.inbox(alice).unread().update(read_at=F("sent_at"))
    # Someone on Alice's team who shares today's anniversary, and with whom she has
    # had no one-to-one moment yet.
    now = timezone.now()
    today = now.astimezone(dt.UTC).date()
    chen = make_user(
        email=f"chen@{DEMO_DOMAIN}",
        display_name="Chen Wu",
        team=bob.team,
        manager=alice,
        time_zone="UTC",
        start_date=today.replace(year=today.year - 3)
        if (today.month, today.day) != (2, 29)
        else dt.date(today.year - 4, 2, 29),
        share_anniversary=True,
    )

    sign_in(page, "bob")
    page.goto(f"/rituals/thread/?team={bob.team_id}")
    page.get_by_label("What are you working on?").fill("Closed the last flaky test in CI")
    page.get_by_label("Share this as a win").check()
    page.get_by_role("button", name="Post").click()
    win = page.locator("article.post", has_text="Closed the last flaky test in CI")
    expect(win.locator(".tag-moment")).to_have_text("A win")

    plan_moments(now)
    report = deliver_due_nudges()
    assert report.sent >= 3, report
    titles = set(Nudge.objects.inbox(alice).unread().values_list("payload__title", flat=True))
    assert {
        "Bob Ferreira shared a win",
        f"{chen.display_name}’s fourth work anniversary is today"
        if (today.month, today.day) == (2, 29)
        else f"{chen.display_name}’s third work anniversary is today",
    } <= titles
    # Whom the suggestion names depends on the demo's history; it names one person.
    assert sum(title.startswith("A check-in with ") for title in titles) == 1

    page.context.clear_cookies()
    sign_in(page, "alice")
    page.locator("details.inbox > summary").click()
    menu = page.locator(".inbox-panel #inbox-menu")
    expect(menu.locator(".inbox-title", has_text="Bob Ferreira shared a win")).to_be_visible()
    expect(menu.locator(".inbox-title", has_text="A check-in with")).to_be_visible()
    screenshot(page, "moments-manager-notifications")

    page.goto(f"/rituals/thread/?team={bob.team_id}")
    anniversary = page.locator("article.post", has_text="work anniversary today")
    expect(anniversary.locator(".tag-moment")).to_have_text("Work anniversary")
    expect(anniversary).to_contain_text("Chen Wu")
    expect(page.locator("article.post .tag-moment")).to_have_count(2)
    screenshot(page, "moments-thread")
