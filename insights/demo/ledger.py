"""Twelve weeks (and this week so far) of the connection ledger, following the story,
then the nightly figures for those weeks and last week's alerts.

Most people connect a few times a week, mostly inside their team; a few have no ties
at all; newcomers ask their first question within days of starting, except two.
Written with one bulk insert; sources are `demo:<n>`, so a re-run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, F, When

from connection.calendar import NEWCOMER_DAYS, monday
from connection.models import Nudge, Signal, Team, User
from insights.alerts import send_alerts
from insights.demo.story import (
    DOMAIN,
    DRIFTING,
    HISTORY_WEEKS,
    PERSONAS,
    story_activity,
)
from insights.nightly import HELP_SEEKING, compute_week

# Acts with one colleague, and how common each is. Recognition, coffee-chat and buddy
# check-ins and ritual attendance are not made up here: the seed gave them through the
# app's services (rituals.py, team_life.py, mentorship.py), so the ledger and the pages
# that list them agree.
TIE_KINDS = [(Signal.Kind.REPLIED, 10), (Signal.Kind.BOOKED, 1)]
TEAM_KINDS = [(Signal.Kind.POSTED, 2), (Signal.Kind.ASKED, 1)]  # acts for the whole team


@dataclass
class Cast:
    """Who the history is about, and the signals written so far."""

    now: dt.datetime
    today: dt.date
    people: list[User]
    teams: dict[int, Team]
    by_team: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    team_names: dict[int, set[str]] = field(default_factory=dict)
    department: dict[int, int] = field(default_factory=dict)
    leads: set[int] = field(default_factory=set)
    isolated: set[int] = field(default_factory=set)
    silent: set[int] = field(default_factory=set)
    first_ask: dict[int, dt.datetime] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)

    def __post_init__(self) -> None:
        for person in self.people:
            lineage = self.teams[person.team_id].lineage_ids
            self.team_names[person.pk] = {self.teams[pk].name for pk in lineage}
            self.department[person.pk] = lineage[0]
            self.by_team[person.team_id].append(person)
        self.leads = set(Team.managers.through.objects.values_list("user_id", flat=True))

    def started(self, person: User) -> dt.date:
        return person.start_date or self.today - dt.timedelta(days=3650)

    def add(self, actor: User, kind: str, when: dt.datetime, other: User | None = None) -> None:
        self.signals.append(
            Signal(
                actor=actor,
                other=other,
                team_id=actor.team_id,
                kind=kind,
                occurred_at=when,
                source=f"demo:{len(self.signals) + 1}",
            )
        )


def add_signal_history(now: dt.datetime, rng: random.Random) -> int:
    """The ledger's history (see the module's docstring); how many acts were written."""
    if Signal.objects.filter(source__startswith="demo:").exists():
        return 0
    cast = _cast(now)
    if not cast.people:
        return 0
    newcomers = choose_first_asks(cast, rng)
    add_first_asks(cast, newcomers, rng)
    this_monday = monday(cast.today)
    for weeks_ago in range(HISTORY_WEEKS, -1, -1):
        add_week(cast, this_monday - dt.timedelta(weeks=weeks_ago), weeks_ago, rng)
    Signal.objects.bulk_create(cast.signals, batch_size=2000, ignore_conflicts=True)
    return len(cast.signals)


def _cast(now: dt.datetime) -> Cast:
    cast = Cast(
        now=now,
        today=now.astimezone(dt.UTC).date(),
        people=list(User.objects.active().exclude(team__isnull=True).order_by("pk")),
        teams={team.pk: team for team in Team.objects.all()},
    )
    cast.isolated = isolated_people(cast.today)
    return cast


def story_weeks(now: dt.datetime) -> dict[dt.date, set[int]]:
    """{Monday: who connects with anyone that week} over the history, as the story
    has it (active_this_week). The acts the seed gives through the services
    (thread, recognition, check-ins, attendance) are among these people only, so
    each team's activity follows its story."""
    cast = _cast(now)
    this_monday = monday(cast.today)
    weeks = {}
    for weeks_ago in range(HISTORY_WEEKS, -1, -1):
        week_start = this_monday - dt.timedelta(weeks=weeks_ago)
        weeks[week_start] = active_this_week(cast, week_start, weeks_ago)[0]
    return weeks


def takes_part(weeks: dict[dt.date, set[int]], person: User, moment: dt.datetime) -> bool:
    """Whether the story has `person` connecting in the week of `moment` (weeks
    before the history have no story: anyone may)."""
    week = monday(moment.astimezone(dt.UTC).date())
    return week not in weeks or person.pk in weeks[week]


def isolated_people(today: dt.date) -> set[int]:
    """The story's few people with no ties in 90 days: two in the big support team,
    one in Data, one in Alice's team. The same people every time it is asked for the
    same org, so the thread, recognition and programmes can leave them out."""
    personas = {f"{local}@{DOMAIN}" for local in PERSONAS}
    newcomer_since = today - dt.timedelta(days=NEWCOMER_DAYS)
    leads = set(Team.managers.through.objects.values_list("user_id", flat=True))
    chosen: set[int] = set()
    for name, count in (("Customer Success", 2), ("Data", 1), (DRIFTING, 1)):
        members = [
            p
            for p in User.objects.active().filter(team__name=name).order_by("pk")[4:]
            if p.pk not in leads
            and p.email not in personas
            and (p.start_date or today - dt.timedelta(days=3650)) < newcomer_since
        ]
        rng = random.Random(f"isolated:{name}")
        chosen.update(p.pk for p in rng.sample(members, min(count, len(members))))
    return chosen


def silent_newcomers(today: dt.date) -> set[int]:
    """The story's two newcomers, the longest here of those past three weeks, who
    have never asked anyone anything (nor met their buddy): the same people every
    time it is asked for the same org."""
    since = today - dt.timedelta(days=NEWCOMER_DAYS)
    settled = today - dt.timedelta(days=21)
    newcomers = User.objects.active().filter(start_date__gt=since, start_date__lte=settled)
    return {p.pk for p in newcomers.order_by("start_date", "pk")[:2] if p.email != f"nia@{DOMAIN}"}


def choose_first_asks(cast: Cast, rng: random.Random) -> list[User]:
    """Newcomers ask (or book) within days of starting; the two longest here never have.
    Returns the newcomers, the longest here first."""
    newcomer_since = cast.today - dt.timedelta(days=NEWCOMER_DAYS)
    newcomers = sorted(
        (p for p in cast.people if cast.started(p) > newcomer_since),
        key=lambda p: (cast.started(p), p.pk),
    )
    cast.silent = silent_newcomers(cast.today)
    for person in newcomers:
        if person.pk in cast.silent or person.pk in cast.isolated:
            continue
        if person.email == f"nia@{DOMAIN}":
            continue  # her first question, on her third day (today), is hers to ask
        days = rng.randint(1, 4)  # others asked on day 2 to 5
        day = cast.started(person) + dt.timedelta(days=days)
        while day.weekday() >= 5 and day < cast.today:
            day += dt.timedelta(days=1)
        when = min(at_work(person, day, rng), cast.now - dt.timedelta(minutes=10))
        cast.first_ask[person.pk] = max(
            when, dt.datetime.combine(cast.started(person), dt.time(0), tzinfo=dt.UTC)
        )
    return newcomers


def add_first_asks(cast: Cast, newcomers: list[User], rng: random.Random) -> None:
    for person in newcomers:
        if person.pk not in cast.first_ask:
            continue
        kind = rng.choice([Signal.Kind.ASKED, Signal.Kind.ASKED, Signal.Kind.BOOKED])
        if person.email == f"nia@{DOMAIN}":
            kind = Signal.Kind.ASKED  # the journeys: her first question, on day 3
        host = None
        if kind == Signal.Kind.BOOKED:
            team = cast.by_team[person.team_id]
            seniors = [p for p in team if p.pk in cast.leads and p != person]
            host = seniors[0] if seniors else None
            kind = kind if host else Signal.Kind.ASKED
        cast.add(person, kind, cast.first_ask[person.pk], host)


def active_this_week(
    cast: Cast, week_start: dt.date, weeks_ago: int
) -> tuple[set[int], dict[int, float]]:
    """Who connects with anyone this week (and so may be the other side of an act), and
    how many acts each does, as a factor.

    Each team has exactly its story's share of active people, the lowest draws: a coin
    per person let a dozen people rise or drift against the story by chance, and which
    draws landed where followed the weekday of the seeding (start dates are relative to
    today), so on Sundays Alice had no alert. The draws are the week's own, so
    story_weeks gives the services' part of the seed the same people."""
    rng = random.Random(f"active:{weeks_ago}")
    draws: dict[int, list[tuple[float, int]]] = defaultdict(list)
    chances, factor = {}, {}
    for person in cast.people:
        if person.pk in cast.isolated or cast.started(person) > week_start + dt.timedelta(days=4):
            continue
        chance, factor[person.pk] = story_activity(cast.team_names[person.pk], weeks_ago)
        chances[person.team_id] = chance
        draws[person.team_id].append((rng.random(), person.pk))
    active_ids = {
        pk
        for team_id, team_draws in draws.items()
        for _, pk in sorted(team_draws)[: round(chances[team_id] * len(team_draws))]
    }
    return active_ids, factor


def add_week(cast: Cast, week_start: dt.date, weeks_ago: int, rng: random.Random) -> None:
    """One week's acts: the active people's, and the isolated people's occasional posts."""
    active_ids, factor = active_this_week(cast, week_start, weeks_ago)
    active = [person for person in cast.people if person.pk in active_ids]
    in_team = {
        team_id: [p for p in members if p.pk in active_ids]
        for team_id, members in cast.by_team.items()
    }
    in_department: dict[int, list[User]] = defaultdict(list)
    for person in active:
        in_department[cast.department[person.pk]].append(person)
    for person in active:
        earliest = cast.first_ask.get(person.pk) or dt.datetime.combine(
            cast.started(person), dt.time(0), tzinfo=dt.UTC
        )
        acts = max(1, round(rng.choice([1, 2, 2, 3, 3, 4, 5]) * factor[person.pk]))
        for _ in range(acts):
            when = at_work(person, week_start + dt.timedelta(days=rng.randint(0, 4)), rng)
            if when >= cast.now or when < earliest:
                continue
            kind, other = one_act(person, rng, in_team, in_department, active, cast.department)
            if person.pk in cast.silent and kind in HELP_SEEKING:
                kind = Signal.Kind.REPLIED if other else Signal.Kind.POSTED
            cast.add(person, kind, when, other)
    # The isolated still post now and then: they are present, just not connected.
    for person in cast.people:
        if person.pk in cast.isolated and rng.random() < 0.3:
            when = at_work(person, week_start + dt.timedelta(days=rng.randint(0, 4)), rng)
            if when < cast.now:
                cast.add(person, Signal.Kind.POSTED, when)


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _colleague(person: User, in_team: dict, rng: random.Random) -> User | None:
    others = [p for p in in_team.get(person.team_id, []) if p.pk != person.pk]
    return rng.choice(others) if others else None


def one_act(person, rng, in_team, in_department, active, department) -> tuple[str, User | None]:
    """One act: with a teammate three times in four, else someone in another team
    (of the same department more often than not); or one for the whole team."""
    if rng.random() < 0.3:
        return _weighted(rng, TEAM_KINDS), None
    kind = _weighted(rng, TIE_KINDS)
    if rng.random() < 0.75:
        other = _colleague(person, in_team, rng)
    else:
        near = in_department[department[person.pk]] if rng.random() < 0.6 else active
        others = [p for p in near if p.team_id != person.team_id]
        other = rng.choice(others) if others else None
    if other is None:
        return Signal.Kind.POSTED, None
    return kind, other


def at_work(person: User, day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment inside `person`'s working hours on `day` (their calendar), in UTC."""
    start = person.work_start.hour * 60 + person.work_start.minute
    end = person.work_end.hour * 60 + person.work_end.minute
    if end <= start:
        end += 24 * 60
    minute = rng.randrange(start, end)
    local = dt.datetime.combine(day, dt.time(0), tzinfo=zoneinfo.ZoneInfo(person.time_zone))
    return (local + dt.timedelta(minutes=minute)).astimezone(dt.UTC)


def settle_outbox(now: dt.datetime) -> int:
    """Mark every message the seed made due by `now` as delivered when it was due.

    The demo's history happened in the past, so its invitations and
    recognitions were sent then: left pending, the first beat tick (or test)
    after seeding would deliver or expire them depending on the hour of the
    day. Messages of the past read as read; the newest few days stay unread
    so the bell still has something to show. Only what is due later stays in
    the outbox.
    """
    return Nudge.objects.filter(status=Nudge.Status.PENDING, due_at__lte=now).update(
        status=Nudge.Status.SENT,
        sent_at=F("due_at"),
        read_at=Case(When(due_at__lt=now - dt.timedelta(days=3), then=F("due_at")), default=None),
    )


def compute_history(now: dt.datetime) -> None:
    """The nightly insights for the last 12 weeks and this one, oldest first, then last
    week's alerts (Alice's, for Platform)."""
    this_monday = monday(now.astimezone(dt.UTC).date())
    for weeks_ago in range(HISTORY_WEEKS, -1, -1):
        compute_week(this_monday - dt.timedelta(weeks=weeks_ago), now=now)
    send_alerts(this_monday - dt.timedelta(weeks=1), now=now)
