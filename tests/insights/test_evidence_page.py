"""The "which rituals work" page: its line on the trend before adoption, through the view."""

import datetime as dt
import html

import pytest
import time_machine

from connection.calendar import monday
from insights.models import TeamWeek
from rituals import reference as rituals_reference
from rituals.models import RitualTemplate
from rituals.services.rituals import adopt_ritual
from tests.helpers import make_team, make_user

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday
WEEK = monday(NOW.date())
WEEKS = [WEEK - dt.timedelta(weeks=i) for i in range(12, -1, -1)]
ADOPTION = WEEKS[6]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _adopt(team, template):
    adopt_ritual(
        team=team,
        created_by=make_user(team=team),
        name=template.name,
        format=template.format,
        rule=template.default_rule,
        start_time=dt.time(10),
        time_zone="Europe/Lisbon",
        duration=template.default_duration,
        hypothesis="test",
        template=template,
        starts_on=ADOPTION,
        confirm_outside_hours=True,
    )


def _org(*, effect: float, lead: float = 0.0, scored_from: int = 0) -> RitualTemplate:
    """Six leaf teams adopt the first catalogue ritual in week 6 of 13, eight don't.
    Adopters gain `effect` after adopting, rise `lead` points a week more than the
    others all along, and have scores only from week `scored_from`."""
    rituals_reference.ensure_reference_data()
    template = RitualTemplate.objects.order_by("position").first()
    for i in range(14):
        team = make_team(name=f"Leaf {i}")
        adopting = i < 6
        if adopting:
            _adopt(team, template)
        for j, week in enumerate(WEEKS):
            if adopting and j < scored_from:
                continue
            wobble = ((i * 7 + j * 3) % 5) - 2  # deterministic noise of ±2 points
            extra = (lead * j + (effect if week > ADOPTION else 0)) if adopting else 0
            TeamWeek.objects.create(
                team=team, week=week, score=60 + j * 0.3 + wobble + extra, respondents=8
            )
    return template


def _card_html(client, template) -> str:
    page = html.unescape(client.get("/insights/rituals/").content.decode())
    start = page.index(f'id="ev-{template.slug}"')
    return page[start : page.index("</section>", start)]


def test_page_says_the_adopters_moved_like_the_others_before(db, clock, client_for, hana):
    template = _org(effect=10)

    card = _card_html(client_for(hana), template)

    assert "Helps" in card
    assert "Before adopting, these teams moved like the others (" in card
    assert "points, within noise)." in card


def test_page_warns_of_a_planted_pre_trend_and_does_not_say_helps(db, clock, client_for, hana):
    template = _org(effect=0, lead=1.0)

    card = _card_html(client_for(hana), template)

    assert "Helps" not in card and "No clear effect" in card
    assert "<strong>Before adopting, these teams were already rising by " in card
    assert "part of this change may not be the ritual's.</strong>" in card
    assert "already moving differently before adopting it" in card


def test_page_says_when_there_are_too_few_rounds_to_check(db, clock, client_for, alice):
    template = _org(effect=10, scored_from=4)  # two scored rounds before adopting

    card = _card_html(client_for(alice), template)

    assert "Helps" in card
    assert "Not enough rounds before adoption to check the trend." in card
