"""Hana runs the organisation (JOURNEYS.md): the org chart from a CSV (two flagged rows
fixed, imported again), the weekly pulse with k at 5, the coffee chats and the buddy
programme, and a whole level's connection budgets in one step. HR's pages are reached
by URL: their links are moving into a Settings page."""

import csv
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from connection.models import OrgSettings, Team, User
from mentorship.models import Programme
from pulse.models import PulseSettings
from rituals.models import Budget

pytestmark = pytest.mark.browser

NEW_HIRES = [
    # email, name, team, parent team, manager email, start date, time zone, location
    [
        "zoe.lind@hearth.example",
        "Zoe Lind",
        "Data",
        "Engineering",
        "",
        "",
        "Europe/Berlin",
        "remote",
    ],
    ["omar.new@hearth", "Omar Farouk", "Mobile", "Engineering", "", "", "Asia/Kolkata", "hybrid"],
    [
        "ana.dias@hearth.example",
        "Ana Dias",
        "Design",
        "Product & Design",
        "",
        "",
        "Europe/Lisbn",
        "office",
    ],
]
FIXES = {"omar.new@hearth": "omar.farouk@hearth.example", "Europe/Lisbn": "Europe/Lisbon"}


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def upload(page, rows: list[list[str]]) -> None:
    page.get_by_label("Org chart").set_input_files(
        {"name": "org-chart.csv", "mimeType": "text/csv", "buffer": as_csv(rows)}
    )
    page.get_by_role("button", name="Check the file").click()


def stat_value(scope, label: str):
    label_is = scope.page.locator(".stat-label").get_by_text(label, exact=True)
    stat = scope.locator(".stat").filter(has=label_is)
    return stat.locator(".stat-value")


def test_hana_imports_the_org_chart_fixes_two_rows_and_imports_again(
    new_page, viewport, demo_org, sign_in, screenshot
):
    page = sign_in(new_page(**viewport), "hana")
    page.goto("/org/import/")
    expect(page.get_by_role("heading", name="Import the org chart")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the current chart").click()
    chart = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    people = User.objects.active().count()
    assert len(chart) == 1 + people, "the export is not one row a person"
    rows = chart + NEW_HIRES

    upload(page, rows)
    expect(
        page.get_by_role("heading", name="Nothing was imported: 2 problems to fix")
    ).to_be_visible()
    problems = page.locator(".problems li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text(f"Row {len(chart) + 2}")
    expect(problems.nth(1)).to_contain_text(f"Row {len(chart) + 3}")
    assert not User.objects.filter(email="zoe.lind@hearth.example").exists()
    screenshot(page, "org-import-flagged")

    fixed = [[FIXES.get(cell, cell) for cell in row] for row in rows]
    upload(page, fixed)
    preview = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Preview")))
    expect(preview).to_be_visible()
    expect(stat_value(preview, "new")).to_have_text("3")
    expect(stat_value(preview, "changed")).to_have_text("0")
    expect(stat_value(preview, "unchanged")).to_have_text(str(people))
    screenshot(page, "org-import-preview")
    preview.get_by_role("button", name=f"Import {people + 3} people").click()
    expect(page.locator(".message-success")).to_have_text(
        f"Imported {people + 3} people: 3 new, 0 updated, {people} unchanged, 0 deactivated."
    )
    new = User.objects.filter(email__in=["zoe.lind@hearth.example", "omar.farouk@hearth.example"])
    assert new.count() == 2
    ana = User.objects.get(email="ana.dias@hearth.example")
    assert (ana.team.name, ana.time_zone) == ("Design", "Europe/Lisbon")
    screenshot(page, "org-import-done")


def test_hana_sets_the_pulse_weekly_for_everyone_and_k_stays_at_5(
    new_page, viewport, demo_org, sign_in, screenshot
):
    # Before: every two weeks, for Engineering only.
    config = PulseSettings.load()
    PulseSettings.objects.filter(pk=config.pk).update(cadence=PulseSettings.Cadence.BIWEEKLY)
    config.audience.set([Team.objects.get(name="Engineering")])
    assert OrgSettings.load().min_group_size == 5

    page = sign_in(new_page(**viewport), "hana")
    page.goto("/pulse/settings/")
    rounds = page.locator("form", has=page.get_by_role("heading", name="Rounds"))
    cadence = rounds.get_by_label("Cadence")
    expect(cadence).to_have_value("biweekly")
    cadence.select_option(label="Every week")
    rounds.get_by_label("Ask these teams (and their sub-teams)").select_option([])
    rounds.get_by_role("button", name="Save").click()

    expect(page.locator(".message-success")).to_have_text("Pulse settings saved.")
    rounds = page.locator("form", has=page.get_by_role("heading", name="Rounds"))
    expect(rounds.get_by_label("Cadence")).to_have_value("weekly")
    audience = rounds.get_by_label("Ask these teams (and their sub-teams)")
    expect(audience.locator("option:checked")).to_have_count(0)
    privacy = page.locator("form", has=page.get_by_role("heading", name="Privacy"))
    expect(privacy.get_by_label("Minimum group size (k)")).to_have_value("5")
    screenshot(page, "pulse-settings")
    config.refresh_from_db()
    assert config.cadence == PulseSettings.Cadence.WEEKLY
    assert not config.audience.exists()
    assert OrgSettings.load().min_group_size == 5


def start_programme(page, *, kind: str, name: str, every: str | None = None) -> None:
    form = page.locator("form", has=page.get_by_role("heading", name="Start a programme"))
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_label("Name").fill(name)
    if every:
        form.get_by_label("Every (weeks)").select_option(label=every)
    expect(form.get_by_label("Cross team")).to_be_checked()
    expect(form.get_by_label("Only for this team (and below)")).to_have_value("")
    form.get_by_role("button", name="Start").click()
    expect(page.locator(".message-success")).to_have_text(f"{name} is running.")
    row = page.locator("tbody tr", has=page.get_by_role("rowheader", name=re.compile(name)))
    expect(row).to_contain_text("Everyone")


def test_hana_starts_coffee_chats_every_two_weeks_and_the_buddy_programme(
    new_page, viewport, demo_org, sign_in, screenshot
):
    Programme.objects.all().delete()  # an organisation that runs none yet
    page = sign_in(new_page(**viewport), "hana")
    page.goto("/mentorship/programmes/")
    expect(page.get_by_role("heading", name="Programmes", exact=True)).to_be_visible()
    expect(page.get_by_text("No programmes yet.")).to_be_visible()
    start_programme(page, kind="Coffee chat", name="Coffee across teams", every="2 weeks")
    start_programme(page, kind="Newcomer buddy", name="Newcomer buddies")
    screenshot(page, "programmes-started")

    coffee = Programme.objects.get(name="Coffee across teams")
    assert (coffee.kind, coffee.cadence_weeks, coffee.cross_team) == ("coffee", 2, True)
    assert coffee.team is None and coffee.active
    buddies = Programme.objects.get(name="Newcomer buddies")
    assert (buddies.kind, buddies.cross_team, buddies.team) == ("buddy", True, None)


def figure(text: str) -> Decimal:
    """ "1500.00 EUR" or "12000" as a number."""
    return Decimal(re.search(r"-?[\d.]+", text.replace(",", "")).group())


def assert_overview_adds_up(page) -> dict[str, Decimal]:
    """The overview's totals are the sums of its rows; returns them by label."""
    stats = {
        label: figure(value)
        for label, value in zip(
            page.locator(".stat .stat-label").all_inner_texts(),
            page.locator(".stat .stat-value").all_inner_texts(),
            strict=True,
        )
    }
    rows = page.locator("tbody tr")
    columns = {"allocated": 0, "spent": 1, "projected": 3}
    for word, index in columns.items():
        cells = rows.locator(f"td:nth-of-type({index + 1})").all_inner_texts()
        total = sum((figure(cell) for cell in cells), Decimal(0))
        shown = next(value for label, value in stats.items() if word in label)
        assert abs(shown - total) < 1, f"{word}: the total says {shown}, the rows add to {total}"
    return stats


def test_hana_budgets_a_whole_level_copies_it_and_reads_the_overview(
    new_page, viewport, demo_org, sign_in, screenshot
):
    level_2 = Team.objects.filter(depth=1).count()
    page = sign_in(new_page(**viewport), "hana")
    page.goto("/rituals/budgets/")
    current = assert_overview_adds_up(page)
    assert any("spent" in label for label in current)
    screenshot(page, "budgets-overview")

    page.get_by_role("link", name="Later →").click()
    expect(page.get_by_text(re.compile(r"No budgets for Q\d \d{4} yet"))).to_be_visible()
    form = page.locator("form", has=page.get_by_role("heading", name=re.compile("^Set budgets")))
    level = form.get_by_label("Or every team at a level")
    option = level.locator("option", has_text=re.compile(rf"^Level 2: {level_2} teams \("))
    level.select_option(option.get_attribute("value"))
    form.get_by_label("Hours").fill("20")
    form.get_by_label("Money").fill("1234")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".message-success")).to_have_text(
        f"Budget saved for the {level_2} teams at level 2."
    )
    expect(page.locator("tbody tr")).to_have_count(level_2)
    next_quarter = assert_overview_adds_up(page)
    allocated = next(value for label, value in next_quarter.items() if "allocated" in label)
    assert allocated == 1234 * level_2
    screenshot(page, "budgets-level")

    page.get_by_role("link", name="Later →").click()
    page.get_by_role("button", name=re.compile(r"^Copy Q\d \d{4}’s budgets$")).click()
    expect(page.locator(".message-success")).to_contain_text(f"{level_2} budgets copied from Q")
    expect(page.locator("tbody tr")).to_have_count(level_2)
    assert_overview_adds_up(page)
    assert Budget.objects.filter(money=1234, hours=20).count() == 2 * level_2
