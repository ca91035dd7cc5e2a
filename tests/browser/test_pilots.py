"""Hana runs a 30-day pilot in the browser (insights/pilots.py): she starts it for three
teams from the organisation's insights, time moves through its four weeks, and she
reads the report as a page and as a PDF, extends it and rolls it out."""

import datetime as dt
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from connection.calendar import monday
from connection.models import Team, User
from insights.models import Pilot, TeamWeek
from rituals.models import Attendance, Occurrence, RitualTemplate, TeamRitual

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _choices() -> tuple[list[Team], RitualTemplate, Team]:
    """Three leaf teams with pulse history and a catalogue ritual none of them runs, and
    another leaf team to roll out to."""
    leaves = Team.objects.filter(children__isnull=True, weeks__score__isnull=False).distinct()
    template = (
        RitualTemplate.objects.filter(active=True)
        .exclude(adoptions__team__in=leaves)
        .order_by("position")
        .first()
    ) or RitualTemplate.objects.filter(active=True).order_by("-position").first()
    free = [t for t in leaves.order_by("name") if not t.rituals.filter(template=template).exists()]
    assert len(free) >= 4, "the demo has leaf teams with pulse history"
    return free[:3], template, free[3]


def _four_weeks_pass(pilot: Pilot) -> None:
    """What the nightly run and the teams would have written: a published score for each
    of the pilot's weeks (pilot teams 10 points up on their last), and everyone on the
    team came to each session, four in five finding it worth it."""
    start = monday(pilot.starts_on)
    pilot_teams = set(pilot.teams.values_list("pk", flat=True))
    for team in Team.objects.filter(children__isnull=True):
        last = TeamWeek.objects.filter(team=team, score__isnull=False).order_by("-week").first()
        if last is None:
            continue
        for i in range(1, 5):
            week = start + dt.timedelta(weeks=i)
            wobble = ((team.pk * 7 + i * 3) % 5) - 2
            TeamWeek.objects.update_or_create(
                team=team,
                week=week,
                defaults={
                    "members": last.members,
                    "people_shown": last.people_shown,
                    "respondents": last.respondents,
                    "score": last.score + wobble + (10 if team.pk in pilot_teams else 0),
                    "active_members": last.active_members,
                },
            )
    for ritual in TeamRitual.objects.filter(pilots=pilot):
        people = list(User.objects.active().filter(team=ritual.team))
        for occurrence in Occurrence.objects.filter(
            ritual=ritual, starts_at__lt=dt.datetime.combine(pilot.ends_on, dt.time(), dt.UTC)
        ):
            for n, person in enumerate(people):
                Attendance.objects.create(occurrence=occurrence, person=person, worth_it=n % 5 != 4)


def test_hana_starts_a_pilot_reads_its_report_and_rolls_it_out(
    page, clock, sign_in, screenshot, live_server
):
    teams, template, later = _choices()
    sign_in(page, "hana")
    page.goto("/insights/org/")
    page.get_by_role("link", name="Pilots →").click()
    expect(page.get_by_role("heading", name="Pilots", exact=True)).to_be_visible()
    page.get_by_label("Name it").fill("Co-working autumn")
    page.get_by_label("Teams in the pilot").select_option(label=[t.name for t in teams])
    page.get_by_label(template.name).check()
    screenshot(page, "pilot-start")
    page.get_by_role("button", name="Start the pilot").click()

    expect(page.locator(".messages, .message").first).to_contain_text("with its rituals")
    pilot = Pilot.objects.get(name="Co-working autumn")
    expect(page.locator(".lede")).to_contain_text(f"It starts on {pilot.starts_on:%-d %B}")
    assert TeamRitual.objects.filter(pilots=pilot).count() == 3

    _four_weeks_pass(pilot)
    clock.move_to(dt.datetime.combine(pilot.ends_on + dt.timedelta(days=1), dt.time(9), dt.UTC))
    page.context.clear_cookies()
    sign_in(page, "hana")
    page.goto(f"/insights/pilots/{pilot.pk}/")
    expect(page.locator(".lede")).to_contain_text("It is over.")
    report = page.locator(".pilot-report")
    for team in teams:
        expect(report.locator("table.pilot-teams")).to_contain_text(team.name)
    expect(report.locator(".pilot-summary .tag")).to_have_text("Helps")
    expect(report).to_contain_text("Keep it.")
    screenshot(page, "pilot-report")

    pdf = page.request.get(f"{live_server.url}/insights/pilots/{pilot.pk}/report.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "pilot-report.pdf").write_bytes(pdf.body())
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Pilot report: Co-working autumn" in text and all(t.name in text for t in teams)

    page.get_by_label("Extend by").select_option(label="2 weeks")
    page.get_by_role("button", name="Extend the pilot").click()
    ends = pilot.ends_on + dt.timedelta(weeks=2)
    expect(page.locator(".messages, .message").first).to_contain_text(
        f"now runs until {ends:%-d %B %Y}"
    )
    expect(page.locator(".lede")).to_contain_text("It is running")

    page.get_by_label("Roll the pilot's rituals out to").select_option(label=later.name)
    page.get_by_role("button", name="Roll out").click()
    expect(page.locator(".messages, .message").first).to_contain_text("1 ritual adopted.")
    expect(report).to_contain_text(f"Rolled out since to {later.name}")
    assert TeamRitual.objects.filter(team=later, template=template).exists()
