"""The rituals app's part of the demo, added by `seed_demo` in order (see
insights/demo/__init__.py)."""

import datetime as dt
from decimal import Decimal

from connection.models import Team, User, shared_working_window
from insights.demo.story import (
    ADOPTED_WEEKS_AGO,
    ADOPTERS,
    RITUAL_TEMPLATE,
)
from rituals.models import Recognition, RitualTemplate, TeamRitual, Value
from rituals.services.budgets import set_budget
from rituals.services.recognition import recognise
from rituals.services.rituals import adopt_ritual
from rituals.services.thread import post_to_thread


def seed(*, today) -> str:
    """A few rituals, a lively thread, recognition and budgets for the demo org."""
    if TeamRitual.objects.exists():
        return ""
    platform = Team.objects.filter(name="Platform").first()
    alice = User.objects.filter(email="alice@hearth.example").first()
    if platform is None or alice is None:
        return ""
    adopt_ritual(
        team=platform,
        created_by=alice,
        name="15-minute co-working window",
        format="sync",
        rule="FREQ=WEEKLY;BYDAY=TU,TH",
        start_time=dt.time(10, 0),
        time_zone="America/New_York",
        duration=15,
        host=alice,
        hypothesis="The co-working window will make people ask more small questions.",
        confirm_outside_hours=True,
    )
    adopt_ritual(
        team=platform,
        created_by=alice,
        name="Daily micro-update thread",
        format="async",
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        start_time=dt.time(9, 0),
        time_zone="Europe/Lisbon",
        duration=5,
        hypothesis="A daily highlight will help people know each other beyond tickets.",
    )
    _thread_and_recognition(platform)
    for team in Team.objects.filter(depth__gte=1):
        set_budget(team=team, quarter=today, hours=Decimal(40), money=Decimal(1500))
    adopted = _adopt_catalogue_ritual(today)
    return "rituals, a team thread, recognition and this quarter's budgets" + (
        f", and the co-working window {adopted} teams adopted six weeks ago" if adopted else ""
    )


def _adopt_catalogue_ritual(today) -> int:
    """The demo's story: four teams adopted a catalogue ritual six weeks ago (HR's
    "which rituals work" card compares them with the teams that didn't)."""
    template = RitualTemplate.objects.filter(slug=RITUAL_TEMPLATE).first()
    if template is None:
        return 0
    starts_on = today - dt.timedelta(weeks=ADOPTED_WEEKS_AGO)
    adopted = 0
    for team in Team.objects.filter(name__in=ADOPTERS).prefetch_related("managers"):
        lead = next(iter(team.managers.all()), None)
        members = list(User.objects.active().filter(team=team))
        if lead is None or not members:
            continue
        # The slot most of the team share, in the lead's time zone.
        window = shared_working_window(members, starts_on)
        start = window[0] if window else dt.datetime.combine(starts_on, dt.time(14), tzinfo=dt.UTC)
        adopt_ritual(
            team=team,
            created_by=lead,
            template=template,
            name=template.name,
            format=template.format,
            rule=template.default_rule,
            start_time=start.astimezone(lead.zone).time(),
            time_zone=lead.time_zone,
            duration=template.default_duration,
            host=lead,
            hypothesis=template.hypothesis,
            starts_on=starts_on,
            confirm_outside_hours=True,
        )
        adopted += 1
    return adopted


def _thread_and_recognition(platform) -> None:
    """Four posts in Platform's thread, and a first recognition."""
    members = list(User.objects.active().filter(team=platform).order_by("pk"))
    lines = [
        ("Pairing on the flaky deploy test today.", "Finally finished my sourdough starter"),
        ("Reviewing the cache design doc, comments welcome.", ""),
        ("Does anyone know why staging needs a manual restart after migrations?", ""),
        ("Writing the on-call handbook page for the queue alerts.", "Ran 8 km along the river"),
    ]
    for person, (status, highlight) in zip(members, lines, strict=False):
        post_to_thread(
            author=person,
            team=platform,
            status=status,
            highlight=highlight,
            is_question=status.endswith("?"),
        )
    values = {v.name: v for v in Value.objects.all()}
    if len(members) > 3 and not Recognition.objects.exists():
        recognise(
            giver=members[1],
            receivers=[members[2]],
            message="Walked me through the deploy pipeline twice, patiently.",
            values=[values["Helping a newcomer"]],
            visibility="public",
        )
