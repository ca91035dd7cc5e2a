"""The rituals app's part of the demo, added by `seed_demo` in order (see
insights/demo/__init__.py), each step through the app's services at the time it
happened (clock.py).

- Platform has run the catalogue's daily micro-update thread since before the
  history began: its people posted, reacted and said whether it was worth it.
- Four teams adopted the catalogue's co-working window six weeks ago (the story):
  every session since happened, with attendance and "worth it" taps, so the
  evidence card rests on sessions a reader can open on each ritual's page.
- Alice's own adoption of the co-working window is left for her (the journeys).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from connection.calendar import monday
from connection.models import Team, User, shared_working_window
from insights.demo.clock import at, local
from insights.demo.ledger import story_weeks, takes_part
from insights.demo.story import (
    ADOPTED_WEEKS_AGO,
    ADOPTERS,
    DRIFTING,
    HISTORY_WEEKS,
    RITUAL_TEMPLATE,
    THREAD_TEMPLATE,
)
from insights.demo.team_life import budgets_and_spends, recognition, thread_history
from rituals.models import Occurrence, RitualTemplate, TeamRitual
from rituals.services.occurrences import (
    materialise,
    materialise_all,
    members_of,
    record_attendance,
    send_due_reviews,
)
from rituals.services.rituals import adopt_ritual

THREAD_SINCE_WEEKS = HISTORY_WEEKS + 2  # Platform's thread is older than the history
ATTENDING = 0.8  # the share of a team that comes to a co-working session
WORTH_IT = 0.8  # the share of those who come that tap "worth it"
SAYING = 0.7  # the share of those who come that answer at all


def seed(*, today: dt.date) -> str:
    """Rituals with their history, Platform's thread, recognition and budgets."""
    if TeamRitual.objects.exists():
        return ""
    platform = Team.objects.filter(name=DRIFTING).first()
    alice = User.objects.filter(email="alice@hearth.example").first()
    if platform is None or alice is None:
        return ""
    rng = random.Random(5)
    now = timezone.now()
    thread = _micro_update_thread(platform, alice, today)
    windows = _coworking_windows(today)
    _run_the_weeks([thread, *windows], today, now)
    posts = thread_history(thread, today=today, now=now, rng=rng)
    sessions = _sessions_happened([thread, *windows], now=now, rng=rng)
    given = recognition(today=today, now=now, rng=rng)
    spends = budgets_and_spends(today=today, now=now, rng=rng)
    return (
        f"the co-working window {len(windows)} teams adopted {ADOPTED_WEEKS_AGO} weeks ago "
        f"and Platform's daily thread ({sessions} sessions with attendance, {posts} posts), "
        f"{given} recognitions and this quarter's budgets with {spends} spends"
    )


def _micro_update_thread(platform: Team, alice: User, today: dt.date) -> TeamRitual:
    template = RitualTemplate.objects.get(slug=THREAD_TEMPLATE)
    starts_on = monday(today) - dt.timedelta(weeks=THREAD_SINCE_WEEKS)
    with at(local(alice, starts_on, 9)):
        return adopt_ritual(
            team=platform,
            created_by=alice,
            template=template,
            name=template.name,
            format=template.format,
            rule=template.default_rule,
            start_time=dt.time(9, 0),
            time_zone="Europe/Lisbon",
            duration=template.default_duration,
            hypothesis=template.hypothesis,
            starts_on=starts_on,
        )


def _coworking_windows(today: dt.date) -> list[TeamRitual]:
    """The story: four teams adopted the co-working window six weeks ago, each at the
    slot most of the team share, in the lead's time zone."""
    template = RitualTemplate.objects.get(slug=RITUAL_TEMPLATE)
    starts_on = today - dt.timedelta(weeks=ADOPTED_WEEKS_AGO)
    windows = []
    for team in Team.objects.filter(name__in=ADOPTERS).prefetch_related("managers"):
        lead = next(iter(team.managers.all()), None)
        members = list(User.objects.active().filter(team=team))
        if lead is None or not members:
            continue
        window = shared_working_window(members, starts_on)
        start = window[0] if window else dt.datetime.combine(starts_on, dt.time(14), tzinfo=dt.UTC)
        with at(local(lead, starts_on, 8)):
            windows.append(
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
            )
    return windows


def _run_the_weeks(rituals: list[TeamRitual], today: dt.date, now: dt.datetime) -> None:
    """What the scheduler did each morning of the history: write the coming weeks'
    sessions of the rituals adopted by then, with their reminders, and send the
    reviews that came due."""
    day = min(ritual.starts_on for ritual in rituals)
    while day <= today:
        moment = dt.datetime.combine(day, dt.time(5), tzinfo=dt.UTC)
        if moment < now:
            with at(moment):
                for ritual in rituals:
                    if ritual.created_at <= moment:
                        materialise(ritual=ritual)
                send_due_reviews()
        day += dt.timedelta(days=1)
    materialise_all()


def _sessions_happened(rituals: list[TeamRitual], *, now: dt.datetime, rng) -> int:
    """Each past session's one-tap answers, given just after it ended: most of the
    team came, and most of those found it worth it. For the thread, coming is posting
    that day."""
    count = 0
    weeks = story_weeks(now)
    for ritual in rituals:
        people = list(members_of(ritual))
        past = Occurrence.objects.filter(ritual=ritual, ends_at__lt=now, cancelled=False)
        for occurrence in past.order_by("starts_at"):
            here = [p for p in people if takes_part(weeks, p, occurrence.starts_at)]
            came = _who_came(ritual, occurrence, here, rng)
            if not came:
                continue
            with at(min(occurrence.ends_at + dt.timedelta(minutes=20), now)):
                for person in came:
                    said = rng.random() < SAYING
                    worth = (rng.random() < WORTH_IT) if said else None
                    record_attendance(
                        occurrence=occurrence, person=person, attended=True, worth_it=worth
                    )
            count += 1
    return count


def _who_came(ritual: TeamRitual, occurrence: Occurrence, people: list[User], rng) -> list[User]:
    day = occurrence.starts_at.date()
    started = [p for p in people if p.start_date is None or p.start_date <= day]
    if ritual.format == "async":
        posted = set(
            ritual.team.thread_posts.filter(created_at__date=day, parent__isnull=True).values_list(
                "author_id", flat=True
            )
        )
        return [p for p in started if p.pk in posted]
    return [p for p in started if rng.random() < ATTENDING]
