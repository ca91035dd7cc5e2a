"""The anonymous pulse in the browser: answering on a phone, a manager's and HR's results."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connection.models import Nudge, OrgSettings, Team, User
from connection.nudges import deliver_due_nudges
from mentorship.models import Membership
from pulse.models import Round
from pulse.services import close_round, open_round, plan_reminders, submit_response

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"
SUPPORT = "I have a colleague I can turn to"


@pytest.fixture
def demo_org(demo_org):
    """The demo org without the pulse history `seed_demo` writes, its invitations
    included (their keys name the round's number): these tests build their own."""
    Round.objects.all().delete()
    Nudge.objects.filter(kind__in=["pulse_invite", "pulse_reminder"]).delete()


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


def test_bob_answers_the_pulse_by_keyboard(new_page, viewport, demo_org, sign_in, screenshot):
    round_ = open_round()
    assert round_ is not None
    assert round_.questions.count() >= 5, "the question bank is empty"
    questions = list(round_.questions.order_by("roundquestion__position"))

    page = sign_in(new_page(**viewport), "bob")
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
    screenshot(page, "pulse")

    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert round_.receipts.filter(person__email=f"bob@{DEMO_DOMAIN}").exists()
    screenshot(page, "pulse-thanks")


def test_alice_sees_her_team_trend_and_why_her_sub_team_is_hidden(
    new_page, viewport, demo_org, sign_in, screenshot
):
    platform = Team.objects.get(name="Platform")
    reliability = Team.objects.get(name="Reliability")
    assert len(people_under(reliability)) == 4
    answered_history(people_under(platform), rounds=4)

    page = sign_in(new_page(**viewport), "alice")
    page.goto(f"/pulse/results/?team={reliability.pk}")
    hidden = page.locator(".card", has=page.get_by_role("heading", name="Not enough responses"))
    expect(hidden).to_contain_text("only when at least 5 people answered")  # why, in words
    expect(page.locator("svg.chart")).to_have_count(0)
    screenshot(page, "pulse-small-team")

    page.goto(f"/pulse/results/?team={platform.pk}")
    expect(page.get_by_role("heading", name="Not enough responses")).to_have_count(0)
    expect(page.locator("svg.chart")).to_be_visible()
    score = page.locator(".stat").filter(has_text="connection score")
    expect(score.locator(".stat-value")).to_have_text(re.compile(r"^\d{1,3}$"))
    expect(page.locator(".stat").filter(has_text="people answered")).to_contain_text("16")
    screenshot(page, "pulse-results")


def test_hana_slices_the_org_pulse_by_location(new_page, viewport, demo_org, sign_in, screenshot):
    everyone = list(User.objects.active().filter(team__isnull=False).order_by("pk"))
    answered_history(everyone, rounds=3)

    page = sign_in(new_page(**viewport), "hana")
    page.goto("/pulse/org/")
    expect(page.get_by_role("heading", name="Organisation pulse")).to_be_visible()
    page.get_by_label("Slice by").select_option(label="Work location")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]by=location"))
    slices = page.locator("table.compact tbody tr")
    for location in ("Remote", "Hybrid", "Office"):
        expect(slices.filter(has_text=re.compile(location, re.I))).to_have_count(1)
    expect(page.locator("table.compact thead")).to_contain_text("by location")
    # Nothing she sees adds up to a small group: Reliability (4 people) shows no
    # figure, nor does Engineering, whose own 3 people its teams' figures would give away.
    teams = page.locator("tbody tr")
    reliability = teams.filter(has=page.get_by_role("rowheader", name="Reliability"))
    expect(reliability).to_contain_text("Not enough responses")
    engineering = teams.filter(has=page.get_by_role("rowheader", name="Engineering"))
    expect(engineering).to_contain_text("Hidden so a smaller group next to it stays hidden")
    screenshot(page, "pulse-org")


def local(person: User, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`hour`:`minute` on `day` in the person's own time zone."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=person.zone)


def a_quiet_week_for(bob: User) -> None:
    """Bob before the journey: nothing of the demo's still to send to him, his weekly
    limit not used up by the demo's week (which varies with the day it was seeded),
    and not in the coffee chats yet, so the thank-you page can offer them."""
    Nudge.objects.filter(recipient=bob, status=Nudge.Status.PENDING).delete()
    OrgSettings.objects.filter(pk=OrgSettings.load().pk).update(nudge_weekly_ceiling=20)
    User.objects.filter(pk=bob.pk).update(weekly_nudge_cap=20)
    Membership.objects.filter(person=bob, programme__kind="coffee").delete()


def mails_to(mailoutbox, person: User) -> list:
    return [message for message in mailoutbox if person.email in message.to]


def answer_low_on_support(page) -> None:
    """Agree with everything but having a colleague to turn to; 7 out of 10; a comment."""
    items = page.locator("fieldset.pulse-item")
    expect(items.first).to_be_visible()
    assert items.filter(has_text=SUPPORT).count() == 1, f"round 1 does not ask “{SUPPORT}”"
    for number in range(items.count()):
        item = items.nth(number)
        legend = item.locator("legend").inner_text()
        choice = "Disagree" if SUPPORT in legend else "Agree"
        if item.locator(".scale-11").count():
            choice = "7"
        item.locator("label.scale-option").filter(has_text=exactly(choice)).click()
    page.get_by_label("Anything else? (optional)").fill("A quiet week, mostly on my own.")


def test_bob_is_invited_on_monday_morning_answers_in_one_click_and_is_not_asked_again(
    new_page, viewport, clock, sign_in, screenshot, mailoutbox, settings, live_server
):
    settings.SITE_URL = live_server.url  # the e-mail's links lead to this server
    bob = User.objects.get(email=f"bob@{DEMO_DOMAIN}")
    a_quiet_week_for(bob)
    today = clock.now.astimezone(bob.zone).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    clock.move_to(local(bob, monday, 7))
    round_ = open_round()
    assert round_ is not None
    clock.move_to(local(bob, monday, 9, 5))
    deliver_due_nudges()
    (invitation,) = mails_to(mailoutbox, bob)
    assert invitation.subject.startswith("This week's pulse: 6 questions")

    signed_in = sign_in(new_page(**viewport), "bob")
    page = signed_in.context.new_page()  # a blank tab, outside Hearth's CSP, for the mail
    page.set_content(invitation.alternatives[0][0])
    screenshot(page, "pulse-invitation-email")
    page.get_by_role("link", name="Answer the pulse").click()
    page.wait_for_url(f"{live_server.url}/pulse/")
    expect(page.locator(".privacy-note")).to_contain_text(
        "nobody can see your answers. Your manager sees your team’s results only when "
        "at least 5 people answered"
    )
    expect(page.locator("fieldset.pulse-item")).to_have_count(6)
    answer_low_on_support(page)
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    care = page.locator(".care")
    expect(
        care.get_by_role("heading", name="A week like that is worth a conversation")
    ).to_be_visible()
    join = care.get_by_role("button", name="Join the next round of Coffee chats")
    expect(join).to_be_visible()
    expect(care.get_by_role("link", name=re.compile(r"^Book .+’s office hours$"))).to_have_count(2)
    screenshot(page, "pulse-thanks-care")
    join.click()
    expect(page.locator(".message-success")).to_contain_text("You’re in Coffee chats.")
    assert Membership.objects.filter(person=bob, programme__kind="coffee", status="active").exists()
    assert_not_asked_again(page, bob, round_, clock, mailoutbox)
    screenshot(page, "pulse-answered")


def assert_not_asked_again(page, bob: User, round_: Round, clock, mailoutbox) -> None:
    """Half-way through the round the others who have not answered are reminded the
    next morning; Bob is not, and his home page no longer invites him."""
    halfway = round_.opens_at + (round_.closes_at - round_.opens_at) / 2
    clock.move_to(halfway)
    assert plan_reminders(round_=round_) > 0
    assert not Nudge.objects.filter(recipient=bob, kind="pulse_reminder").exists()
    clock.move_to(halfway + dt.timedelta(days=1))
    deliver_due_nudges()
    about_the_pulse = [m for m in mails_to(mailoutbox, bob) if "pulse" in m.subject.lower()]
    assert len(about_the_pulse) == 1, "Bob was asked again"
    assert Nudge.objects.filter(kind="pulse_reminder", status=Nudge.Status.SENT).exists()
    page.goto("/")
    expect(page.get_by_role("heading", name="This week’s pulse is open")).to_have_count(0)
    page.goto("/pulse/")
    expect(page.get_by_role("heading", name="You’ve answered this pulse")).to_be_visible()
