"""Nudges in the browser: the header bell, a person's preferences, HR's outbox."""

import datetime as dt
import re

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from connection.models import Nudge, OrgSettings, User
from connection.nudges import create_nudge, deliver_due_nudges
from tests.helpers import working_around_the_clock

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"
TITLES = [
    "Team retro tomorrow at 10:00",
    "Your buddy Ada would like a coffee",
    "Platform pulse closes on Friday",
]


def person(who: str) -> User:
    return User.objects.get(email=f"{who}@{DEMO_DOMAIN}")


def test_header_bell_lists_unread_notifications_and_marks_them_read(
    page, demo_org, sign_in, screenshot
):
    bob = person("bob")
    working_around_the_clock(bob, channel="in_app")
    # The demo's own reminders depend on the day the test runs (a ritual may
    # start within the hour): start from an inbox with nothing unread or due.
    Nudge.objects.filter(recipient=bob, status=Nudge.Status.PENDING).update(
        status=Nudge.Status.SKIPPED
    )
    Nudge.objects.inbox(bob).unread().update(read_at=F("sent_at"))  # read when sent
    # Nor may his week's messages so far (the demo's, which vary with the weekday)
    # use up his weekly limit before these three.
    OrgSettings.objects.filter(pk=OrgSettings.load().pk).update(nudge_weekly_ceiling=50)
    User.objects.filter(pk=bob.pk).update(weekly_nudge_cap=50)
    for number, title in enumerate(TITLES):
        create_nudge(
            recipient=bob,
            kind="ritual_reminder",
            dedupe_key=f"browser-test:bell:{number}",
            payload={"title": title, "body": "A short note.", "url": "/people/"},
        )
    report = deliver_due_nudges()
    assert report.sent == 3, report
    assert Nudge.objects.inbox(bob).unread().count() == 3

    sign_in(page, "bob")
    bell = page.locator("details.inbox > summary")
    expect(bell).to_contain_text("Notifications, 3 unread")
    expect(bell.locator(".count-badge")).to_have_text("3")

    bell.click()
    panel = page.locator(".inbox-panel")
    expect(panel).to_be_visible()
    menu = panel.locator("#inbox-menu")  # swapped in by htmx when the panel shows
    for title in TITLES:
        expect(menu.locator(".inbox-title", has_text=title)).to_be_visible()
    mark_all = menu.get_by_role("button", name="Mark all read")
    expect(mark_all).to_be_visible()
    screenshot(page, "notifications-menu")

    page.evaluate("window.hearthNoReload = true")
    mark_all.click()
    expect(page.get_by_role("button", name="Mark all read")).to_have_count(0)
    # The bell's count is swapped out of band in the same response.
    expect(bell.locator(".count-badge")).to_have_count(0)
    expect(bell).to_contain_text("Notifications")
    expect(bell).not_to_contain_text("unread")
    expect(page.locator("#inbox-menu .inbox-title", has_text=TITLES[0])).to_be_visible()
    assert page.evaluate("window.hearthNoReload") is True, "the page reloaded"
    assert Nudge.objects.inbox(bob).unread().count() == 0


def test_person_turns_off_a_kind_and_pauses_nudges(
    new_page, viewport, demo_org, sign_in, screenshot, live_server
):
    bob = person("bob")
    page = sign_in(new_page(**viewport), "bob")
    page.goto("/nudges/preferences/")
    expect(page.get_by_role("heading", name="Nudges", exact=True)).to_be_visible()

    ritual = page.get_by_role("checkbox", name="Ritual reminders")
    expect(ritual).to_be_checked()
    ritual.uncheck()
    page.get_by_role("button", name="Save preferences").click()
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/nudges/preferences/(#.*)?$"))
    expect(page.locator(".message-success")).to_contain_text("Saved.")
    expect(page.get_by_role("checkbox", name="Ritual reminders")).not_to_be_checked()
    bob.refresh_from_db()
    assert "ritual_reminder" in bob.muted_nudge_kinds

    until = bob.local_now().date() + dt.timedelta(days=4)
    page.get_by_label("Pause all nudges until").fill(until.isoformat())
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("Paused until the end of")
    expect(
        page.get_by_role("heading", name=re.compile(r"^Paused until the end of"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Resume now")).to_be_visible()
    bob.refresh_from_db()
    assert bob.snoozed_until is not None and bob.snoozed_until > timezone.now()
    screenshot(page, "nudge-preferences")


def test_hr_resends_a_failed_nudge_from_the_outbox(page, demo_org, sign_in, screenshot):
    carol = (
        User.objects.filter(is_active=True)
        .exclude(email__in=[f"{who}@{DEMO_DOMAIN}" for who in ("alice", "bob", "hana")])
        .order_by("pk")
        .first()
    )
    working_around_the_clock(carol, channel="email")
    nudge = create_nudge(
        recipient=carol,
        kind="ritual_reminder",
        dedupe_key="browser-test:outbox:1",
        payload={"title": "Team retro tomorrow", "body": "", "url": "/people/"},
    )
    User.objects.filter(pk=carol.pk).update(email="broken")
    report = deliver_due_nudges()
    assert report.failed == 1, report
    nudge.refresh_from_db()
    assert nudge.status == Nudge.Status.FAILED
    assert "is not a valid e-mail address" in nudge.last_error

    sign_in(page, "hana")
    page.goto("/nudges/outbox/")
    expect(page.get_by_role("heading", name="Outbox", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Failed (1)")).to_be_visible()
    row = page.locator("tbody tr", has_text=carol.display_name)
    expect(row).to_contain_text("is not a valid e-mail address")
    row.get_by_role("checkbox").check()
    screenshot(page, "outbox")

    page.get_by_role("button", name="Re-send selected").click()
    expect(page.locator(".message-success")).to_have_text("1 nudge queued again.")
    expect(page.get_by_role("heading", name="Failed (0)")).to_be_visible()
    nudge.refresh_from_db()
    assert nudge.status == Nudge.Status.PENDING


HOLIDAY_NUDGES = [
    ("ritual_reminder", "Show-and-tell tomorrow at 16:00"),
    ("buddy_checkin", "Did you and Nia meet this week?"),
    ("thread_activity", "Alice replied to your post"),
]


def local(person: User, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=person.zone)


def a_week_away(bob: User, monday: dt.date, clock) -> None:
    """Each day of his holiday week, something for Bob comes due and the delivery
    tick runs, as the beat would."""
    for number in range(7):
        day = monday + dt.timedelta(days=number)
        clock.move_to(local(bob, day, 10))
        for kind, title in HOLIDAY_NUDGES:
            create_nudge(
                recipient=bob,
                kind=kind,
                dedupe_key=f"browser-test:holiday:{kind}:{number}",
                payload={"title": f"{title} ({day:%a})", "url": "/rituals/"},
            )
        deliver_due_nudges()


def test_bob_pauses_nudges_for_his_holiday_and_nothing_waits_on_his_return(
    new_page, viewport, clock, sign_in, screenshot, mailoutbox
):
    bob = person("bob")
    # Bob before his holiday: what the demo sent him is read, nothing of it still to send.
    Nudge.objects.inbox(bob).unread().update(read_at=F("sent_at"))
    Nudge.objects.filter(recipient=bob, status=Nudge.Status.PENDING).delete()
    today = clock.now.astimezone(bob.zone).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    sunday = monday + dt.timedelta(days=6)
    page = sign_in(new_page(**viewport), "bob")
    page.goto("/nudges/preferences/")
    page.get_by_label("Pause all nudges until").fill(sunday.isoformat())
    page.get_by_role("button", name="Pause", exact=True).click()
    paused = f"Paused until the end of {sunday:%A} {sunday.day} {sunday:%B}"
    expect(page.get_by_role("heading", name=paused)).to_be_visible()
    screenshot(page, "holiday-paused")

    a_week_away(bob, monday, clock)
    during = Nudge.objects.filter(recipient=bob, dedupe_key__startswith="browser-test:holiday:")
    assert during.count() == 7 * len(HOLIDAY_NUDGES)
    assert set(during.values_list("status", "last_error")) == {(Nudge.Status.SKIPPED, "snoozed")}

    back = monday + dt.timedelta(days=7)
    clock.move_to(local(bob, back, 9, 5))
    welcome = "Coffee with Nia this week?"
    create_nudge(
        recipient=bob,
        kind="pairing",
        dedupe_key="browser-test:holiday:back",
        payload={"title": welcome, "url": "/mentorship/"},
    )
    report = deliver_due_nudges()
    assert [m.subject for m in mailoutbox if bob.email in m.to] == [welcome], report

    page = sign_in(new_page(**viewport), "bob")
    bell = page.locator("details.inbox > summary")
    expect(bell).to_contain_text("Notifications, 1 unread")
    bell.click()
    menu = page.locator("#inbox-menu")
    expect(menu.locator(".inbox-title", has_text=welcome)).to_be_visible()
    for _, title in HOLIDAY_NUDGES:
        expect(menu.locator(".inbox-title", has_text=title)).to_have_count(0)
    screenshot(page, "holiday-back")
    page.goto("/nudges/preferences/")
    expect(page.get_by_role("heading", name=re.compile("^Paused"))).to_have_count(0)
