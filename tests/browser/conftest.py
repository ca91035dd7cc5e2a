"""Playwright driving Debian's Chromium against pytest-django's live server.

Test modules mark themselves `browser`. The org is the demo one (`seed_demo`),
built inside each test's transactional database.

Journey tests run at a desktop and a phone width (the `viewport` fixture); at 390 px
the main navigation folds behind "Menu" (`main_nav` opens it). People pickers are
filled through `pick_person`, whatever widget they are. A test that needs "now"
pins it with `clock`, which starts at the moment the demo was seeded.
"""

import datetime as dt
import io
import os
import sqlite3
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from connection.models import OrgImport

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
DEMO_DOMAIN = "hearth.example"
DEMO_SNAPSHOT: dict[str, sqlite3.Connection] = {}
VIEWPORTS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """Chromium for one module; the test database exists before it starts."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and
    # Django's async guard would then refuse every ORM call made beside it
    # (fixtures, the live server sharing the in-memory SQLite connection).
    # Allowed only while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo_org(transactional_db):
    """The demo org in this test's database. It replays twelve weeks of history
    through the services (seconds), so on SQLite it is seeded once per process and
    copied back for each later test with SQLite's backup API (milliseconds)."""
    if connection.vendor != "sqlite":
        call_command("seed_demo", stdout=io.StringIO())
        return
    connection.ensure_connection()
    snapshot = DEMO_SNAPSHOT.get("db")
    if snapshot is None:
        call_command("seed_demo", stdout=io.StringIO())
        snapshot = DEMO_SNAPSHOT["db"] = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
    else:
        snapshot.backup(connection.connection)


@pytest.fixture
def new_page(browser, live_server):
    """A page in a fresh browser context (own cookies): `new_page(width=390, height=844)`;
    `locale="de-DE"` for a browser that asks for German.
    `bypass_csp=True` lets a test inject its own script (axe-core) past the page's CSP."""
    contexts = []

    def open_page(
        *, width: int = 1280, height: int = 800, bypass_csp: bool = False, locale: str = "en-GB"
    ):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale=locale,
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# CI runs the browser tests again at the DST changes, where times move but layouts do
# not: HEARTH_BROWSER_DESKTOP_ONLY=1 leaves the phone widths to today's run, by not
# collecting them (deselected, so nothing reads as skipped).
DESKTOP_ONLY = os.environ.get("HEARTH_BROWSER_DESKTOP_ONLY") == "1"


def _phone_only(item) -> bool:
    params = getattr(item, "callspec", None)
    at_phone_width = params is not None and params.params.get("viewport") == "390"
    return at_phone_width or item.get_closest_marker("phone") is not None


def pytest_collection_modifyitems(config, items) -> None:
    if not DESKTOP_ONLY:
        return
    phones = [item for item in items if _phone_only(item)]
    if phones:
        config.hook.pytest_deselected(items=phones)
        items[:] = [item for item in items if not _phone_only(item)]


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> dict[str, int]:
    """A journey's width: desktop (1280 x 800) and phone (390 x 844), for `new_page(**viewport)`."""
    return VIEWPORTS[request.param]


@pytest.fixture
def screenshot():
    """Save a full-page screenshot as var/screenshots/<name>-<width>.png, once the page
    is checked not to scroll sideways (on a phone, nothing may)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        width = page.viewport_size["width"]
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} scrolls sideways at {width} px ({wide} px wide): {path}"
        return path

    return take


def main_nav(page):
    """The main navigation as the person sees it: on a phone, opened from "Menu" first."""
    menu = page.locator("details.menu")
    if menu.is_visible() and not menu.evaluate("details => details.open"):
        menu.locator("summary").click()
    return page.get_by_role("navigation", name="Main")


def open_menu(page) -> None:
    """On a phone, open "Menu" (the nav and the account links); nothing on a desktop."""
    main_nav(page)


def pick_person(scope, field_name: str, name: str) -> None:
    """Choose `name` in the people picker `field_name` inside `scope` (a page or a form):
    a <select>, or a list of checkboxes or radios labelled "Name · Team · City"."""
    select = scope.locator(f"select[name='{field_name}']")
    if select.count():
        value = select.locator("option", has_text=name).first.get_attribute("value")
        select.select_option(value=value)
        return
    choice = scope.get_by_label(name).and_(scope.locator(f"input[name='{field_name}']"))
    if not choice.count():
        # The list shows the first 50 people: search, as a person would, for the rest.
        # The box arrives by htmx after the page loads and listens only once htmx has
        # settled it (the class htmx-added is gone): typing sooner would go unheard.
        box = f".picker-search[aria-controls='picker-{field_name}']:not(.htmx-added)"
        search = scope.locator(box)
        search.fill(name.split(" · ")[0])
        expect(choice.first).to_be_visible()
    choice.first.check()


def demo_seeded_at() -> dt.datetime:
    """When the demo was seeded, read from the demo itself: its org chart import."""
    imports = OrgImport.objects.filter(applied_at__isnull=False)
    return imports.earliest("applied_at").applied_at


class Clock:
    """The test's stopped clock; moves by timestamps, so time-machine leaves the
    process's (and Chromium's) time zone alone."""

    def __init__(self, coordinates, now: dt.datetime) -> None:
        self._coordinates = coordinates
        self.now = now  # the instant it stands at: what a test derives its dates from

    def move_to(self, instant: dt.datetime) -> None:
        self._coordinates.move_to(instant.timestamp())
        self.now = instant


@pytest.fixture
def clock(demo_org):
    """The clock stopped at the moment the demo was seeded (its "now"), for steps that
    depend on the date; `clock.move_to(instant)` moves it on."""
    seeded = demo_seeded_at()
    traveller = time_machine.travel(seeded.timestamp(), tick=False)
    yield Clock(traveller.start(), seeded)
    traveller.stop()


@pytest.fixture
def sign_in(live_server):
    """Sign in through the login form as `<who>@hearth.example`, landing on home."""

    def login(page, who: str):
        page.goto("/login/")
        page.get_by_label("E-mail", exact=True).fill(f"{who}@{DEMO_DOMAIN}")
        page.get_by_label("Password", exact=True).fill(settings.HEARTH_DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return login
