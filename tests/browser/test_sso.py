"""Signing in through the organisation's identity provider, in Chromium: Hearth's
sign-in page, the provider's own sign-in and consent pages (node's oidc-provider, its
development pages), back to Hearth signed in; signing out ends the provider's session
too and comes back to Hearth's sign-in page. Someone HR has not added is turned away,
unless HR lets single sign-on create their account."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from playwright.sync_api import expect

from connection.models import AuditEntry, OrgSettings, SignIn, User
from tests.browser.conftest import open_menu
from tests.identity.provider import running_provider

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "bob": {"email": "bob@hearth.example", "email_verified": True, "name": "Bob Ferreira"},
    "zoe": {"email": "zoe@hearth.example", "email_verified": True, "name": "Zoe Marsh"},
}


@pytest.fixture
def provider(browser, clock, live_server, settings):
    """The provider, its clock at the test's, with Hearth (the live server) set up for it.
    Chromium first: without it the test skips; without node it fails (`make axe`)."""
    cache.clear()
    with running_provider(site_url=live_server.url, accounts=ACCOUNTS) as running:
        for name, value in running.settings().items():
            setattr(settings, name, value)
        settings.SITE_URL = live_server.url
        yield running


def at_provider(page, provider) -> None:
    # No network here: the provider's pages ask Google for a font; say no at once.
    page.context.route("https://fonts.googleapis.com/**", lambda route: route.abort())
    page.wait_for_url(f"{provider.issuer}/**")


def sign_in_at_provider(page, provider, login: str) -> None:
    at_provider(page, provider)
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def press_sign_in_with_provider(page) -> None:
    page.goto("/login/")
    page.get_by_role("link", name="Sign in with Acme ID").click()


def test_sign_in_and_out_through_the_provider(
    provider, new_page, viewport, screenshot, live_server
):
    page = new_page(**viewport)
    page.goto("/login/")
    expect(page.get_by_role("link", name="Sign in with Acme ID")).to_be_visible()
    screenshot(page, "sso-sign-in")

    page.get_by_role("link", name="Sign in with Acme ID").click()
    at_provider(page, provider)
    screenshot(page, "sso-provider-login")
    sign_in_at_provider(page, provider, "bob")

    page.wait_for_url(f"{live_server.url}/")
    open_menu(page)
    expect(page.locator(".who-name").locator("visible=true")).to_have_text("Bob Ferreira")
    screenshot(page, "sso-signed-in")
    bob = User.objects.get(email="bob@hearth.example")
    assert SignIn.objects.get(user=bob).method == SignIn.Method.SSO

    page.get_by_role("button", name="Sign out").locator("visible=true").click()
    at_provider(page, provider)
    screenshot(page, "sso-provider-sign-out")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", name="Sign in to Hearth")).to_be_visible()
    assert not SignIn.objects.filter(user=bob).exists()

    # The provider's session ended too: it asks who is signing in again.
    page.get_by_role("link", name="Sign in with Acme ID").click()
    at_provider(page, provider)
    expect(page.locator("input[name=login]")).to_be_visible()


def test_someone_hr_has_not_added_is_turned_away(provider, page, screenshot):
    press_sign_in_with_provider(page)
    sign_in_at_provider(page, provider, "zoe")
    expect(page.get_by_role("heading", name="You cannot sign in yet")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("HR has not added you to Hearth yet")
    screenshot(page, "sso-not-added")
    assert not User.objects.filter(email="zoe@hearth.example").exists()


def test_sso_creates_the_account_when_hr_allows(provider, page, screenshot, live_server):
    OrgSettings.objects.update_or_create(pk=1, defaults={"sso_creates_accounts": True})
    press_sign_in_with_provider(page)
    sign_in_at_provider(page, provider, "zoe")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".who-name").locator("visible=true")).to_have_text("Zoe Marsh")
    screenshot(page, "sso-account-created")
    zoe = User.objects.get(email="zoe@hearth.example")
    assert (zoe.team, zoe.has_usable_password()) == (None, False)
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.SSO_ACCOUNT_CREATED, target_id=zoe.pk
    ).exists()


def test_break_glass_keeps_passwords_for_listed_administrators(
    provider, page, screenshot, live_server, settings
):
    settings.HEARTH_PASSWORD_LOGIN = "break-glass"
    settings.HEARTH_BREAK_GLASS_EMAILS = ["hana@hearth.example"]
    page.goto("/login/")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_be_hidden()
    page.get_by_text("Break-glass sign-in for administrators").click()
    page.get_by_label("E-mail", exact=True).fill("bob@hearth.example")
    password.fill(django_settings.HEARTH_DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "Password sign-in is turned off: sign in with Acme ID instead."
    )
    screenshot(page, "sso-break-glass-refused")

    page.get_by_label("E-mail", exact=True).fill("hana@hearth.example")
    page.get_by_label("Password", exact=True).fill(django_settings.HEARTH_DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
