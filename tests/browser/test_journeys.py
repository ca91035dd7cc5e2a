"""Each role's journey through the browser, with screenshots to look at."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import main_nav

pytestmark = pytest.mark.browser

BAD_CSV = (
    b"email,name,team,parent team,manager email,start date,time zone,location\n"
    b"ada@hearth.example,Ada Silva,Platform,Engineering,,2024-02-01,Europe/Lisbon,remote\n"
    b"not-an-email,Ben Costa,Platform,Engineering,,2024-02-01,Europe/Lisbn,remote\n"
    b"cy@hearth.example,Cy Rao,Platform,Engineering,,31/03/2026,Asia/Kolkata,moon\n"
)


def assert_styled(page):
    """The stylesheet loaded: the body no longer has the browser's default 8px margin."""
    assert page.evaluate("getComputedStyle(document.body).margin") != "8px"
    assert page.evaluate(
        "[...document.styleSheets].some(s => s.href && s.href.endsWith('hearth.css')"
        " && s.cssRules.length > 0)"
    )


def test_login_page_fits_a_phone(new_page, demo_org, screenshot):
    page = new_page(width=390, height=844)
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Sign in to Hearth")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_styled(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "login-phone")


def test_each_role_signs_in_to_their_own_home(new_page, viewport, demo_org, sign_in, screenshot):
    bob = sign_in(new_page(**viewport), "bob")
    expect(bob.get_by_role("heading", name="Platform", exact=True)).to_be_visible()
    expect(bob.get_by_role("heading", name="Your organisation")).to_have_count(0)
    expect(bob.get_by_role("heading", name="Teams you look after")).to_have_count(0)
    assert_styled(bob)
    screenshot(bob, "home-bob")
    expect(main_nav(bob).get_by_role("link", name="Settings")).to_have_count(0)

    alice = sign_in(new_page(**viewport), "alice")
    expect(alice.get_by_role("heading", name="Teams you look after")).to_be_visible()
    expect(alice.get_by_role("heading", name="Your organisation")).to_have_count(0)
    screenshot(alice, "home-alice")

    hana = sign_in(new_page(**viewport), "hana")
    expect(hana.get_by_role("heading", name="Your organisation")).to_be_visible()
    screenshot(hana, "home-hana")
    expect(main_nav(hana).get_by_role("link", name="Settings")).to_be_visible()


def test_hr_search_narrows_people_without_a_reload(page, demo_org, sign_in, screenshot):
    sign_in(page, "hana")
    page.goto("/people/")
    count = page.locator("#results .count")
    expect(count).to_have_text(re.compile(r"^\d+ people$"))
    everyone = int(count.inner_text().split()[0])
    page.evaluate("window.hearthNoReload = true")

    page.get_by_label("Search").press_sequentially("okaf")

    expect(count).not_to_have_text(f"{everyone} people")
    expect(page).to_have_url(re.compile(r"[?&]q=okaf"))
    found = int(count.inner_text().split()[0])
    assert 0 < found < everyone
    assert page.evaluate("window.hearthNoReload") is True, "the page reloaded"
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(found)
    expect(rows.filter(has_text="Nia Okafor")).to_be_visible()
    screenshot(page, "people-hr")


def test_hr_sees_row_level_errors_for_a_bad_org_chart(page, demo_org, sign_in, screenshot):
    sign_in(page, "hana")
    page.goto("/org/import/")
    page.get_by_label("Org chart").set_input_files(
        {"name": "org.csv", "mimeType": "text/csv", "buffer": BAD_CSV}
    )
    page.get_by_role("button", name="Check the file").click()

    problems = page.get_by_role("heading", name=re.compile("Nothing was imported"))
    expect(problems).to_be_visible()
    expect(page.locator(".problems li", has_text="Row 3")).to_contain_text("not an e-mail address")
    expect(page.locator(".problems li", has_text="Row 4")).to_contain_text("location")
    screenshot(page, "org-import-errors")
