"""What the pages of a seeded org show, written in bulk: the same for every size, in
proportion to its teams and people, so a page's queries can be compared between sizes.

Per team: this quarter's budget and a spend, a running ritual with sessions in the
last and next weeks and who came, a recognition, a thread post, office hours with a
booking, two audit entries, and 12 weeks of nightly figures with ties to a sibling
team. Per person: a coffee-chat membership and pairing (half of the pairs said they
met), a buddy for each newcomer, two acts in the ledger and a message delivered this
week (one in 50 failed). And pulse rounds, published (bench/page_pulse.py). The
nightly figures are written as the nightly job would leave them, not computed
(bench/insights.py measures that). For the benchmark's freshly seeded database only.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bench.bulk import insert, reset_sequences
from bench.page_pulse import PULSE_MODELS, pulse_rounds
from connection.calendar import NEWCOMER_DAYS, monday, quarter_start
from connection.models import AuditEntry, Nudge, Signal, Team, User
from insights.dashboards.common import DIMENSIONS, WEEKS
from insights.models import TeamTie, TeamWeek
from mentorship.models import (
    Booking,
    CheckIn,
    MatchGroup,
    MatchRound,
    Membership,
    OfficeHours,
    Programme,
)
from rituals.models import (
    Attendance,
    Budget,
    Occurrence,
    Recognition,
    RitualTemplate,
    Spend,
    TeamRitual,
    ThreadPost,
    Value,
)


@dataclass
class Org:
    """Who is where: each team's people (its lead first), by id."""

    now: dt.datetime
    teams: list[Team]
    members: dict[int, list[int]]
    lead: dict[int, int]
    team_of: dict[int, int]
    start: dict[int, dt.date | None]

    @classmethod
    def read(cls, now: dt.datetime) -> Org:
        teams = list(Team.objects.order_by("path").only("id", "parent_id", "path", "depth"))
        members: dict[int, list[int]] = defaultdict(list)
        team_of, start = {}, {}
        people = User.objects.filter(is_active=True, team__isnull=False).order_by("pk")
        for pk, team_id, started in people.values_list("pk", "team_id", "start_date"):
            members[team_id].append(pk)
            team_of[pk], start[pk] = team_id, started
        lead = {}
        for team_id, user_id in Team.managers.through.objects.order_by("pk").values_list(
            "team_id", "user_id"
        ):
            lead.setdefault(team_id, user_id)
        for team in teams:
            lead.setdefault(team.pk, members[team.pk][0] if members[team.pk] else None)
            if lead[team.pk] in members[team.pk]:
                members[team.pk].remove(lead[team.pk])
                members[team.pk].insert(0, lead[team.pk])
        return cls(now, teams, members, lead, team_of, start)

    def people(self, team: Team) -> list[int]:
        return self.members.get(team.pk, [])

    def subtree_sizes(self) -> dict[int, int]:
        """Each team's people, those of the teams below it included (as the nightly
        and the pulse count them)."""
        sizes: dict[int, int] = defaultdict(int)
        for team in self.teams:
            for pk in Team.ids_on_path(team.path):
                sizes[pk] += len(self.people(team))
        return sizes


def fill(now: dt.datetime | None = None, *, seed: int = 11) -> dict[str, int]:
    """Everything above, in one transaction; rows written by table."""
    org = Org.read(now or timezone.now())
    rng = random.Random(seed)
    written: dict[str, int] = {}
    with transaction.atomic():
        for part in PARTS:
            written |= part(org, rng)
        reset_sequences(MODELS)
    return written


def _budgets(org: Org, rng: random.Random) -> dict[str, int]:
    quarter = quarter_start(org.now.date())
    budgets = insert(
        Budget,
        (
            Budget(team_id=t.pk, quarter=quarter, hours=Decimal(40), money=Decimal(1500))
            for t in org.teams
        ),
    )
    spends = insert(
        Spend,
        (
            Spend(
                budget=b,
                category=Spend.Category.values[i % len(Spend.Category.values)],
                amount=Decimal(rng.randint(50, 900)),
                hours=Decimal(rng.randint(1, 12)),
                spent_on=max(quarter, org.now.date() - dt.timedelta(days=3)),
                logged_by_id=org.lead[b.team_id],
            )
            for i, b in enumerate(budgets)
        ),
    )
    return {"budgets": len(budgets), "spends": len(spends)}


def _rituals(org: Org, rng: random.Random) -> dict[str, int]:
    """A running ritual a team, two sessions last week and three to come, and who came."""
    templates = list(RitualTemplate.objects.filter(active=True).order_by("position"))
    today = org.now.date()
    rituals = insert(
        TeamRitual,
        (
            TeamRitual(
                team_id=t.pk,
                template=templates[i % len(templates)],
                name=templates[i % len(templates)].name,
                format=templates[i % len(templates)].format,
                rule="FREQ=WEEKLY;BYDAY=TU,TH",
                start_time=dt.time(10, 0),
                time_zone="Europe/Lisbon",
                starts_on=today - dt.timedelta(weeks=6),
                duration=30,
                host_id=org.lead[t.pk],
                hypothesis="We know each other better.",
                review_on=today + dt.timedelta(weeks=6),
                created_by_id=org.lead[t.pk],
            )
            for i, t in enumerate(org.teams)
        ),
    )
    offsets = (-6, -2, 2, 5, 9)  # days from now: two past sessions, three to come
    occurrences = insert(
        Occurrence,
        (
            Occurrence(
                ritual=r,
                starts_at=org.now + dt.timedelta(days=d),
                ends_at=org.now + dt.timedelta(days=d, minutes=30),
            )
            for r in rituals
            for d in offsets
        ),
    )
    team_of_ritual = {r.pk: r.team_id for r in rituals}
    attendance = insert(
        Attendance,
        (
            Attendance(
                occurrence=o,
                person_id=person,
                worth_it=rng.random() < 0.7,
                recorded_at=o.ends_at,
            )
            for o in occurrences
            if o.starts_at < org.now
            for person in org.members.get(team_of_ritual[o.ritual_id], [])[:4]
        ),
    )
    return {
        "rituals": len(rituals),
        "occurrences": len(occurrences),
        "attendance": len(attendance),
    }


def _team_life(org: Org, rng: random.Random) -> dict[str, int]:
    """A recognition, a thread post, office hours with a booking and two audit entries
    a team."""
    staffed = [t for t in org.teams if len(org.people(t)) >= 2]
    recognitions = insert(
        Recognition,
        (
            Recognition(
                giver_id=org.people(t)[0],
                team_id=t.pk,
                message="Thanks for unblocking the release.",
                visibility=Recognition.Visibility.PUBLIC if i % 2 else Recognition.Visibility.TEAM,
                created_at=org.now - dt.timedelta(hours=i % 200),
            )
            for i, t in enumerate(staffed)
        ),
    )
    value = Value.objects.filter(active=True).order_by("position").first()
    insert(
        Recognition.receivers.through,
        (
            Recognition.receivers.through(recognition_id=r.pk, user_id=org.people(t)[1])
            for r, t in zip(recognitions, staffed, strict=True)
        ),
    )
    if value is not None:
        insert(
            Recognition.values.through,
            (
                Recognition.values.through(recognition_id=r.pk, value_id=value.pk)
                for r in recognitions
            ),
        )
    posts = insert(
        ThreadPost,
        (
            ThreadPost(team_id=t.pk, author_id=org.people(t)[0], status="Shipped the beta.")
            for t in staffed
        ),
    )
    hours = insert(
        OfficeHours,
        (
            OfficeHours(
                host_id=org.people(t)[0],
                weekday=1 + i % 5,
                start_time=dt.time(14, 0),
                time_zone="Europe/Lisbon",
                about="Career questions",
            )
            for i, t in enumerate(staffed)
        ),
    )
    bookings = insert(
        Booking,
        (
            Booking(
                office_hours=h,
                starts_at=org.now + dt.timedelta(days=2),
                booker_id=org.people(t)[1],
                topic="Growing into a lead",
            )
            for h, t in zip(hours, staffed, strict=True)
        ),
    )
    entries = insert(
        AuditEntry,
        (
            AuditEntry(
                at=org.now - dt.timedelta(minutes=i),
                actor_id=org.lead[t.pk],
                kind="budget",
                action=action,
                target_type="team",
                target_id=t.pk,
                target_label=f"team {t.pk}",
                detail={"hours": 40},
            )
            for i, t in enumerate(staffed)
            for action in (AuditEntry.Action.BUDGET_SET, AuditEntry.Action.SPEND_LOGGED)
        ),
    )
    return {
        "recognitions": len(recognitions),
        "thread posts": len(posts),
        "office hours": len(hours),
        "bookings": len(bookings),
        "audit entries": len(entries),
    }


def _figures(org: Org, rng: random.Random) -> dict[str, int]:
    """12 weeks of nightly figures a team and for the organisation, this week's ties
    with the next team under the same parent, and inside each team."""
    this_week = monday(org.now.date())
    weeks = [this_week - dt.timedelta(weeks=w) for w in range(WEEKS - 1, -1, -1)]
    sibling: dict[int, int] = {}
    by_parent: dict = defaultdict(list)
    for team in org.teams:
        by_parent[team.parent_id].append(team.pk)
    for siblings in by_parent.values():
        for a, b in zip(siblings, siblings[1:], strict=False):
            sibling[a] = b
    sizes = org.subtree_sizes()
    total = sum(len(m) for m in org.members.values())
    rows = [
        _week_row(t.pk, sizes[t.pk], week, i, rng, {sibling[t.pk]: 6} if t.pk in sibling else {})
        for t in org.teams
        for i, week in enumerate(weeks)
    ] + [_week_row(None, total, week, i, rng, {}) for i, week in enumerate(weeks)]
    written = insert(TeamWeek, rows)
    ties = insert(
        TeamTie,
        (
            TeamTie(week=this_week, depth=t.depth, team_a_id=t.pk, team_b_id=other, ties=ties)
            for t in org.teams
            for other, ties in ((t.pk, 12), (sibling.get(t.pk), 6))
            if other is not None
        ),
    )
    return {"team weeks": len(written), "team ties": len(ties)}


def _week_row(team_id, members: int, week: dt.date, index: int, rng, partners) -> TeamWeek:
    pulsed = index < WEEKS - 1  # this week's round has not closed yet
    score = round(rng.uniform(55, 85), 1)
    return TeamWeek(
        team_id=team_id,
        week=week,
        members=members,
        people_shown=members >= 5,
        round_number=index + 1 if pulsed else None,
        respondents=round(members * 0.8) if pulsed else None,
        score=score if pulsed and members >= 5 else None,
        score_rolling=score if members >= 5 else None,
        dimensions={key: round(rng.uniform(45, 90), 1) for key, _ in DIMENSIONS}
        if pulsed and members >= 5
        else {},
        response_rate=80 if pulsed and members >= 5 else None,
        active_members=round(members * 0.8),
        signals=members * 3,
        isolated=members // 10,
        ties_internal=members * 2,
        ties_external=members,
        bridges=len(partners),
        partners={str(k): v for k, v in partners.items()},
        newcomers=members // 12,
    )


def _programmes(org: Org, rng: random.Random) -> dict[str, int]:
    """The org-wide coffee chat with everyone in it, paired this fortnight (half the
    pairs met), and the buddy programme pairing each newcomer with a teammate."""
    coffee = Programme.objects.create(kind=Programme.Kind.COFFEE, name="Coffee chat")
    buddies = Programme.objects.create(kind=Programme.Kind.BUDDY, name="Newcomer buddies")
    everyone = sorted(org.team_of)
    members = insert(Membership, (Membership(programme=coffee, person_id=p) for p in everyone))
    run_on = org.now.date() - dt.timedelta(days=4)
    shuffled = rng.sample(everyone, len(everyone))
    pairs = [shuffled[i : i + 2] for i in range(0, len(shuffled) - 1, 2)]
    met = _pair(MatchRound.objects.create(programme=coffee, number=1, run_on=run_on), pairs)
    insert(
        CheckIn,
        (CheckIn(group=g, person_id=pair[0], answer="met") for g, pair in met[::2]),
    )
    since = org.now.date() - dt.timedelta(days=NEWCOMER_DAYS)
    newcomers = [p for p in everyone if (org.start.get(p) or since) > since]
    buddy_pairs = []
    for person in newcomers:
        team = org.members[org.team_of[person]]
        buddy = next((p for p in team if p != person and p not in newcomers), None)
        if buddy is not None:
            buddy_pairs.append([person, buddy])
    buddy_round = MatchRound.objects.create(programme=buddies, number=1, run_on=run_on)
    buddy_groups = _pair(buddy_round, buddy_pairs, newcomer=True)
    return {
        "memberships": len(members),
        "match groups": len(met) + len(buddy_groups),
        "check-ins": len(met[::2]),
    }


def _pair(round_: MatchRound, pairs: list[list[int]], *, newcomer: bool = False) -> list:
    groups = insert(
        MatchGroup,
        (
            MatchGroup(
                round=round_,
                reasons=["different teams"],
                newcomer_id=pair[0] if newcomer else None,
            )
            for pair in pairs
        ),
    )
    through = MatchGroup.members.through
    insert(
        through,
        (
            through(matchgroup_id=g.pk, user_id=p)
            for g, pair in zip(groups, pairs, strict=True)
            for p in pair
        ),
    )
    return list(zip(groups, pairs, strict=True))


def _activity(org: Org, rng: random.Random) -> dict[str, int]:
    """Two acts in the ledger a person (with a teammate) and a message delivered this
    week; one in 50 failed instead."""
    people = sorted(org.team_of)
    acts = []
    for person in people:
        team = org.members[org.team_of[person]]
        for n in range(2):
            other = team[(team.index(person) + 1 + n) % len(team)] if len(team) > 1 else None
            acts.append(
                Signal(
                    actor_id=person,
                    other_id=other if other != person else None,
                    team_id=org.team_of[person],
                    kind=Signal.Kind.REPLIED,
                    occurred_at=org.now - dt.timedelta(days=1 + n),
                    source=f"bench:{person}:{n}",
                )
            )
    signals = insert(Signal, acts)
    sent_at = org.now - dt.timedelta(days=2)
    nudges = insert(
        Nudge,
        (
            Nudge(
                recipient_id=person,
                kind="recognition",
                channel="email",
                payload={"title": "Someone thanked you", "url": "/rituals/recognition/"},
                dedupe_key=f"bench:{person}",
                due_at=sent_at,
                expires_at=sent_at + dt.timedelta(days=7),
                status=Nudge.Status.FAILED if i % 50 == 0 else Nudge.Status.SENT,
                sent_at=None if i % 50 == 0 else sent_at,
                claimed_at=sent_at,
                attempts=1,
                last_error="503 from the mail server" if i % 50 == 0 else "",
            )
            for i, person in enumerate(people)
        ),
    )
    return {"signals": len(signals), "nudges": len(nudges)}


PARTS = (_budgets, _rituals, _team_life, _figures, _programmes, _activity, pulse_rounds)
MODELS = [
    Budget,
    Spend,
    TeamRitual,
    Occurrence,
    Attendance,
    Recognition,
    Recognition.receivers.through,
    Recognition.values.through,
    ThreadPost,
    OfficeHours,
    Booking,
    AuditEntry,
    TeamWeek,
    TeamTie,
    Membership,
    CheckIn,
    MatchGroup,
    MatchGroup.members.through,
    Signal,
    Nudge,
    *PULSE_MODELS,
]
