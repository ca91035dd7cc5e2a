"""Playwright driving Debian's Chromium against pytest-django's live server.

Test modules mark themselves `browser`. The org is the demo one (`seed_demo`),
built inside each test's transactional database.
"""

import io
import os
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

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
    """A page in a fresh browser context (own cookies): `new_page(width=390, height=844)`.
    `bypass_csp=True` lets a test inject its own script (axe-core) past the page's CSP."""
    contexts = []

    def open_page(*, width: int = 1280, height: int = 800, bypass_csp: bool = False):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="en-GB",
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


@pytest.fixture
def screenshot():
    """Save a full-page screenshot as var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


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
