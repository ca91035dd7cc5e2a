"""The demo tells one true story: what one page says, every other page agrees with.

The demo organisation is seeded once for the module (rolled back at the end) and
read back as its people would read it: HR's evidence cards, the catalogue, each
ritual's page, the budgets, the programmes and the outbox. Each figure is compared
with the other pages that show it and with what the services recorded.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from connection.models import Nudge, User
from insights.demo.story import ADOPTERS, DRIFTING, RITUAL_TEMPLATE
from mentorship.models import CheckIn, OfficeHours, Programme
from pulse.models import Receipt, Round
from rituals.models import Attendance, Budget, Occurrence, Recognition, TeamRitual, ThreadPost
from rituals.services.budgets import ritual_hours
from tests.helpers import seeded_demo

pytestmark = pytest.mark.django_db


# A Thursday afternoon: the demo is seeded relative to it and every page is read at it.
NOW = dt.datetime(2026, 12, 3, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with time_machine.travel(NOW, tick=False), seeded_demo(django_db_blocker):
        yield


@pytest.fixture
def hr(client):
    client.force_login(User.objects.get(email="hana@hearth.example"))
    return client


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def evidence_cards(hr) -> dict[str, str]:
    """{catalogue slug: the card's HTML} from HR's "which rituals work"."""
    html = hr.get("/insights/rituals/").content.decode()
    return dict(
        re.findall(
            r'<section class="card section evidence" aria-labelledby="ev-([\w-]+)">(.*?)</section>',
            html,
            re.S,
        )
    )


def ritual_page(hr, pk: int) -> tuple[int, int, list[int]]:
    """(sessions so far, adopting teams it names, what "Came" lists) on a ritual's page."""
    page = text(hr.get(f"/rituals/{pk}/"))
    sessions = int(re.search(r"(\d+) sessions so far", page).group(1))
    teams = int(re.search(r"adopted by (\d+) teams?", page).group(1))
    html = hr.get(f"/rituals/{pk}/").content.decode()
    table = html.split('id="past-heading"')[1].split("</table>")[0]
    came = [
        int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td><td class="num"[^>]*>', table)
    ]
    return sessions, teams, came


def test_every_page_counts_the_same_adopting_teams(hr):
    cards = evidence_cards(hr)
    catalogue = hr.get("/rituals/catalogue/").content.decode()
    adopted = TeamRitual.objects.filter(template__isnull=False)
    slugs = set(adopted.values_list("template__slug", flat=True))
    assert slugs == {RITUAL_TEMPLATE, "micro-update"}
    for slug in slugs:
        teams = adopted.filter(template__slug=slug).values("team").distinct().count()
        on_card = re.search(r"Adopted by (\d+) teams?", cards[slug])
        assert int(on_card.group(1)) == teams, slug
        entry = catalogue.split(f"#ev-{slug}")[0].rsplit('<article class="card">', 1)[1]
        assert int(re.search(r"Adopted by (\d+) teams?", entry).group(1)) == teams, slug
        for ritual in adopted.filter(template__slug=slug):
            assert ritual_page(hr, ritual.pk)[1] == teams, (slug, ritual.team.name)
    coworking = adopted.filter(template__slug=RITUAL_TEMPLATE)
    assert sorted(coworking.values_list("team__name", flat=True)) == sorted(ADOPTERS)


def test_the_evidence_card_rests_on_sessions_a_reader_can_open(hr):
    card = evidence_cards(hr)[RITUAL_TEMPLATE]
    assert "Helps" in card
    links = [int(pk) for pk in re.findall(r'href="/rituals/(\d+)/"', card)]
    assert len(links) == len(ADOPTERS)
    held = int(re.search(r"with (\d+) sessions? held so far", card).group(1))
    total = 0
    for pk in links:
        sessions, _, came = ritual_page(hr, pk)
        past = Occurrence.objects.filter(ritual_id=pk, starts_at__lt=NOW, cancelled=False)
        assert sessions == past.count() > 0
        # Every session shown happened: people came, as the attendance rows say.
        assert came and all(n > 0 for n in came)
        shown = past.order_by("-starts_at")[: len(came)]
        assert came == [
            Attendance.objects.filter(occurrence=o, attended=True).count() for o in shown
        ]
        total += sessions
    assert held == total


def test_budget_spent_is_the_spends_plus_the_ritual_hours(hr):
    page = hr.get("/rituals/budgets/").content.decode()
    rows = re.findall(
        r'<a href="/rituals/budgets/(\d+)/">[^<]*</a></th>\s*'
        r'<td class="num"[^>]*>[^<]*</td><td class="num"[^>]*>([\d.]+)</td>.*?'
        r'<td class="num"[^>]*>([\d.]+) / ([\d.]+)</td></tr>',
        page,
        re.S,
    )
    assert len(rows) >= 8
    percents = set()
    for pk, spent, used, allowed in rows:
        budget = Budget.objects.get(pk=pk)
        assert Decimal(allowed) == budget.hours
        spends = budget.spends.aggregate(money=Sum("amount"), hours=Sum("hours"))
        assert Decimal(spent) == (spends["money"] or 0)
        assert Decimal(used) == (spends["hours"] or 0) + ritual_hours(budget)
        percents.add(round(100 * Decimal(spent) / budget.money))
    assert len(percents) > 3, "every team spent the same share: the chart would be flat"
    adopters = Budget.objects.filter(team__name__in=ADOPTERS, quarter__lte=NOW.date()).order_by(
        "-quarter"
    )
    assert any(ritual_hours(budget) > 0 for budget in adopters)


def test_programme_met_is_the_groups_that_checked_in_as_met(hr):
    page = hr.get("/mentorship/programmes/").content.decode()
    coffee = Programme.objects.get(kind="coffee")
    row = page.split(coffee.name, 1)[1].split("</tr>")[0]
    groups, met = (int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)[-2:])
    latest = coffee.rounds.order_by("-number").first()
    assert groups == latest.groups.count()
    checked_in = (
        CheckIn.objects.filter(group__round=latest, answer=CheckIn.Answer.MET)
        .values("group")
        .distinct()
        .count()
    )
    assert met == checked_in
    assert 0 < met < groups
    assert coffee.rounds.count() >= 5


def test_the_outbox_counts_what_really_happened(hr):
    page = text(hr.get("/nudges/outbox/"))
    since = NOW - dt.timedelta(days=7)
    sent = Nudge.objects.filter(status="sent", sent_at__gte=since).count()
    waiting = Nudge.objects.filter(status="pending").count()
    assert re.search(rf"\b{sent} sent in 7 days", page)
    assert re.search(rf"\b{waiting} waiting", page)
    # The history's messages were delivered in their weeks, not skipped as expired.
    assert Nudge.objects.filter(status="skipped").count() == 0
    assert re.search(r"\b0 skipped in 7 days", page)
    weeks = {
        (NOW - at).days // 7
        for at in Nudge.objects.filter(status="sent").values_list("sent_at", flat=True)
    }
    assert len(weeks) >= 12
    assert sent < Nudge.objects.filter(status="sent").count() / 4


def test_team_life_is_spread_over_the_weeks():
    platform_posts = ThreadPost.objects.filter(team__name=DRIFTING, parent__isnull=True)
    assert platform_posts.dates("created_at", "day").count() >= 40
    recognitions = Recognition.objects.all()
    assert len({r.created_at.isocalendar()[:2] for r in recognitions}) >= 10


def test_the_journeys_own_steps_are_left_for_their_people():
    bob = User.objects.get(email="bob@hearth.example")
    nia = User.objects.get(email="nia@hearth.example")
    assert not Receipt.objects.filter(person=bob, round=Round.objects.open().get()).exists()
    assert not Recognition.objects.filter(giver=bob, receivers=nia).exists()
    # Nia's first week: her first post in the thread (joining a ritual) is hers to do.
    assert not ThreadPost.objects.filter(author=nia).exists()
    assert not Attendance.objects.filter(person=nia).exists()
    assert not TeamRitual.objects.filter(
        team__name=DRIFTING, template__slug=RITUAL_TEMPLATE
    ).exists()


def test_office_hours_are_hosted_across_the_organisation(hr):
    hosting = OfficeHours.objects.filter(active=True)
    teams = set(hosting.values_list("host__team", flat=True))
    assert len(teams) >= 6
    assert not hosting.filter(host__email__in=["bob@hearth.example", "nia@hearth.example"])
    page = text(hr.get("/mentorship/office-hours/"))
    assert f"in {len(teams)} of " in page
