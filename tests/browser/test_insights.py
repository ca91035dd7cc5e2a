"""Insight dashboards on the demo org, which `seed_demo` fills with 12 weeks of history:
Alice's team drifting (she has an alert), several teams improving after a ritual."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import main_nav, open_menu

pytestmark = pytest.mark.browser


def test_alice_reads_her_dashboard_and_opens_the_guide(
    demo_org, new_page, viewport, sign_in, screenshot, live_server
):
    page = sign_in(new_page(**viewport), "alice")
    main_nav(page).get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Platform"))
    for section in (
        "Connection score, last 12 weeks",
        "Dimensions week by week",
        "Rituals",
        "Connection budget this quarter",
        "Ties with other teams",
    ):
        expect(page.get_by_role("heading", name=re.compile(f"^{section}"))).to_be_visible()
    # Every weak figure has one action beside it.
    weak = page.locator("table.figures tr.weak")
    todo = page.locator("ul.todo > li")
    expect(todo.first).to_be_visible()
    expect(todo).to_have_count(weak.count())
    for number in range(todo.count()):
        expect(todo.nth(number).get_by_role("link")).to_have_count(1)
    # The chart has a text alternative, and the numbers sit in a table behind it.
    expect(page.locator("svg[role=img] desc").first).to_contain_text("connection score")
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
    # Her team drifted and fewer people connected: the alert and its guide are there.
    alert = page.locator("#alert")
    expect(alert).to_contain_text("Connection in Platform")
    screenshot(page, "insights-manager")
    # The page names nobody on her team.
    main = page.locator("main").inner_text()
    assert "Bob Ferreira" not in main and "Nia Okafor" not in main
    alert.get_by_role("link", name="Open the conversation guide").click()
    expect(page.get_by_role("heading", name="Don’t")).to_be_visible()
    screenshot(page, "insights-guide")

    page.goto("/insights/")
    page.get_by_label("Team", exact=True).select_option(label="\u2003\u2003Reliability")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Not enough people to show")).to_be_visible()
    assert "/ 100" not in page.locator("main").inner_text()
    screenshot(page, "insights-manager-small-team")


def test_hana_reads_the_org_dashboard_slices_and_downloads(
    demo_org, new_page, viewport, sign_in, screenshot
):
    page = sign_in(new_page(**viewport), "hana")
    main_nav(page).get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", name="Organisation insights")).to_be_visible()
    expect(page.locator("svg.chart-network")).to_be_visible()
    expect(page.locator("svg.chart-heatmap")).to_be_visible()
    screenshot(page, "insights-hr")
    page.get_by_label("Group").select_option(label="Location: Remote")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=re.compile("Location: Remote"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("week,team,level")
    assert "Bob Ferreira" not in text
    page.goto("/insights/rituals/")
    verdicts = page.locator(".evidence h2 .tag")
    expect(verdicts.filter(has_text=re.compile("^Helps$"))).not_to_have_count(0)
    expect(verdicts.filter(has_text=re.compile("^Too early to tell$"))).not_to_have_count(0)
    screenshot(page, "insights-evidence")


def test_bob_has_his_own_page_and_no_dashboard(demo_org, new_page, viewport, sign_in, screenshot):
    page = sign_in(new_page(**viewport), "bob")
    open_menu(page)
    page.get_by_role("link", name="Bob Ferreira").click()
    expect(page.get_by_role("heading", name="My connection")).to_be_visible()
    expect(page.get_by_text("Only you can see this page")).to_be_visible()
    screenshot(page, "insights-my-connection")
    response = page.goto("/insights/")
    assert response.status == 403


def test_the_co_working_window_tells_one_story_on_its_card_its_pages_and_the_catalogue(
    demo_org, new_page, viewport, sign_in, screenshot
):
    """HR reads the evidence card, opens an adopting team's ritual, then the catalogue:
    the same teams, the same sessions, the same count on each."""
    page = sign_in(new_page(**viewport), "hana")
    page.goto("/insights/rituals/")
    card = page.locator("section.evidence", has=page.locator("#ev-coworking"))
    expect(card.locator(".tag")).to_have_text("Helps")
    adopted = card.locator(".adopted-by")
    expect(adopted).to_contain_text("Adopted by 4 teams")
    held = int(re.search(r"with (\d+) sessions held", adopted.inner_text()).group(1))
    screenshot(page, "story-evidence-card")

    teams = adopted.get_by_role("link")
    expect(teams).to_have_count(4)
    sessions = 0
    for number in range(4):
        page.goto("/insights/rituals/")
        link = page.locator("section.evidence", has=page.locator("#ev-coworking")).locator(
            ".adopted-by a"
        )
        name = link.nth(number).inner_text()
        link.nth(number).click()
        expect(page.locator(".lede")).to_contain_text(name)
        expect(page.get_by_text("From the catalogue, adopted by 4 teams")).to_be_visible()
        stat = page.locator(".stat", has_text="sessions so far").locator(".stat-value")
        sessions += int(stat.inner_text())
        past = page.locator("section", has=page.locator("#past-heading")).locator("tbody tr")
        expect(past.first).to_be_visible()
        if number == 0:
            screenshot(page, "story-ritual-page")
    assert sessions == held

    page.goto("/rituals/catalogue/")
    entry = page.locator("article.card", has_text="15-minute co-working window")
    expect(entry.locator(".adopted-by")).to_contain_text("Adopted by 4 teams")
    thread = page.locator("article.card", has_text="Daily micro-update thread")
    expect(thread.locator(".adopted-by")).to_contain_text("Adopted by 1 team")
    screenshot(page, "story-catalogue")
