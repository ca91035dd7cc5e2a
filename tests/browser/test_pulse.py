"""The anonymous pulse in the browser: answering on a phone, a manager's and HR's results."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connection.models import Team, User
from pulse.models import Round
from pulse.services import close_round, open_round, submit_response

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo_org(demo_org):
    """The demo org without the pulse history `seed_demo` writes: these tests build their own."""
    Round.objects.all().delete()


def exactly(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


# Each week's spread of answers: a dip, then a recovery, so the trend has a shape.
AGREEMENT_MOODS = ([2, 3, 3, 4, 4, 5], [2, 2, 3, 3, 4, 5], [2, 3, 4, 4, 5, 5], [3, 4, 4, 5, 5, 5])
ENPS_MOODS = ([5, 6, 7, 8, 9, 10], [5, 6, 6, 7, 8, 9], [6, 7, 8, 9, 9, 10], [7, 8, 9, 9, 10, 10])


def answers_for(round_: Round, person_number: int, week: int) -> dict[int, int]:
    """Answers between 2 and 5 (eNPS 5 to 10) that vary by person, item and week."""
    values = {}
    for offset, question in enumerate(round_.questions.all()):
        moods = ENPS_MOODS if question.is_enps else AGREEMENT_MOODS
        mood = moods[week % len(moods)]
        values[question.pk] = mood[(person_number + offset) % len(mood)]
    return values


def answered_history(people: list[User], *, rounds: int) -> list[Round]:
    """`rounds` weekly rounds in the past, each answered by `people`, closed and reported.

    The last one closed a few days ago, so nothing is open at real time.
    """
    start = timezone.now() - dt.timedelta(weeks=rounds)
    made = []
    for week in range(rounds):
        round_ = open_round(now=start + dt.timedelta(weeks=week))
        assert round_ is not None, f"round {week + 1} did not open"
        answering_at = round_.opens_at + dt.timedelta(hours=1)
        # A few people skip the earlier rounds, and the mood drifts a little.
        skip = max(0, rounds - week - 2)
        for n, person in enumerate(people[skip:]):
            submit_response(
                person=person,
                round_=round_,
                answers=answers_for(round_, n, week),
                now=answering_at,
            )
        assert close_round(round_=round_, now=round_.closes_at)
        round_.refresh_from_db()
        assert round_.status == Round.Status.REPORTED
        made.append(round_)
    return made


def people_under(team: Team) -> list[User]:
    return list(User.objects.active().filter(team__path__startswith=team.path).order_by("pk"))


def test_bob_answers_the_pulse_on_his_phone(new_page, demo_org, sign_in, screenshot):
    round_ = open_round()
    assert round_ is not None
    assert round_.questions.count() >= 5, "the question bank is empty"
    questions = list(round_.questions.order_by("roundquestion__position"))

    page = sign_in(new_page(**PHONE), "bob")
    page.goto("/pulse/")
    expect(page.get_by_role("heading", name="How was your week?")).to_be_visible()
    expect(page.locator(".privacy-note")).to_contain_text("at least 5 people")
    items = page.locator("fieldset.pulse-item")
    expect(items).to_have_count(len(questions))

    # Keyboard: the radios are real radios, reachable with Tab, moved with arrows.
    first_item = items.nth(0).get_by_role("radio")
    page.get_by_role("heading", name="How was your week?").click()
    for _ in range(20):
        page.keyboard.press("Tab")
        if first_item.first.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first answer of the first question")
    page.keyboard.press("ArrowRight")
    expect(first_item.nth(1)).to_be_focused()
    expect(first_item.nth(1)).to_be_checked()
    outline = first_item.nth(1).evaluate("el => getComputedStyle(el.closest('label')).outlineStyle")
    assert outline != "none", "the focused answer shows no focus ring"
    page.keyboard.press("Tab")
    expect(items.nth(1).get_by_role("radio").first).to_be_focused()

    for number, question in enumerate(questions):
        item = items.nth(number)
        expect(item.locator("legend")).to_contain_text(question.text)
        choice = "9" if question.is_enps else "Agree"
        item.locator("label.scale-option").filter(has_text=exactly(choice)).click()
        expect(item.get_by_role("radio", name=choice, exact=True)).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "pulse-phone")

    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert round_.receipts.filter(person__email=f"bob@{DEMO_DOMAIN}").exists()
    screenshot(page, "pulse-thanks-phone")


def test_alice_sees_her_team_trend_and_why_her_sub_team_is_hidden(
    new_page, demo_org, sign_in, screenshot
):
    platform = Team.objects.get(name="Platform")
    reliability = Team.objects.get(name="Reliability")
    assert len(people_under(reliability)) == 4
    answered_history(people_under(platform), rounds=4)

    page = sign_in(new_page(), "alice")
    page.goto(f"/pulse/results/?team={reliability.pk}")
    expect(page.get_by_role("heading", name="Not enough responses")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(0)
    screenshot(page, "pulse-small-team")

    page.goto(f"/pulse/results/?team={platform.pk}")
    expect(page.get_by_role("heading", name="Not enough responses")).to_have_count(0)
    expect(page.locator("svg.chart")).to_be_visible()
    score = page.locator(".stat").filter(has_text="connection score")
    expect(score.locator(".stat-value")).to_have_text(re.compile(r"^\d{1,3}$"))
    expect(page.locator(".stat").filter(has_text="people answered")).to_contain_text("16")
    screenshot(page, "pulse-results")


def test_hana_slices_the_org_pulse_by_location(page, demo_org, sign_in, screenshot):
    everyone = list(User.objects.active().filter(team__isnull=False).order_by("pk"))
    answered_history(everyone, rounds=3)

    sign_in(page, "hana")
    page.goto("/pulse/org/")
    expect(page.get_by_role("heading", name="Organisation pulse")).to_be_visible()
    page.get_by_label("Slice by").select_option(label="Work location")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]by=location"))
    slices = page.locator("table.compact tbody tr")
    for location in ("Remote", "Hybrid", "Office"):
        expect(slices.filter(has_text=re.compile(location, re.I))).to_have_count(1)
    expect(page.locator("table.compact thead")).to_contain_text("by location")
    screenshot(page, "pulse-org")
