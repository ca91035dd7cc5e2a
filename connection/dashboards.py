"""What the manager, HR and personal insight pages show, read from the nightly
figures and passed through the privacy guard on the way out.

Each function issues a fixed number of queries whatever the org's size, so
the pages stay flat as the org grows (pinned by tests).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone

from connection import privacy
from connection.calendar import NEWCOMER_DAYS, monday, quarter_start
from connection.models import (
    Alert,
    ConversationGuide,
    OrgSettings,
    Signal,
    Team,
    TeamTie,
    TeamWeek,
    User,
)
from pulse.models import CORE_DIMENSIONS
from pulse.results import SLICES, OrgSnapshot, latest_rounds

WEEKS = 12
# What two people did together, said the same way from either side.
TOGETHER = {
    Signal.Kind.ATTENDED: "a ritual",
    Signal.Kind.POSTED: "the team thread",
    Signal.Kind.ASKED: "a question",
    Signal.Kind.REPLIED: "the team thread",
    Signal.Kind.RECOGNISED: "recognition",
    Signal.Kind.BOOKED: "office hours",
    Signal.Kind.CHECKED_IN: "a programme meet-up",
    Signal.Kind.MENTORED: "mentoring",
    Signal.Kind.SHADOWED: "shadowing",
}
DIMENSIONS = [(d.value, d.label) for d in CORE_DIMENSIONS]
WEAK_SCORE = 65
WEAK_DIMENSION = 60
WEAK_ACTIVITY = 60
WEAK_EI = -0.6


@dataclass
class Figure:
    """One guarded number with the words around it and, when weak, one action.
    Pulse figures are rounded as the templates' `floatformat` rounds them (half
    up), so a score of 52.5 reads 53 here and on the pulse results page."""

    label: str
    value: str | None
    reason: str = ""
    weak: bool = False
    action: tuple[str, str] | None = None  # (text, url)


@dataclass
class TeamView:
    team: Team
    week: dt.date | None
    k: int
    rows: list[TeamWeek]
    trend: list = field(default_factory=list)
    heat: dict = field(default_factory=dict)
    weeks: list = field(default_factory=list)
    week_heads: list = field(default_factory=list)  # what the heat map's columns print
    figures: list[Figure] = field(default_factory=list)
    ties: list = field(default_factory=list)
    alert: dict | None = None
    hidden: bool = False  # nothing about this team may be shown


def week_label(week: dt.date) -> str:
    return week.strftime("%d %b").lstrip("0")


def _short_label(week: dt.date, *, first: bool) -> str:
    """Calendar style: the month only on the first column and each month's first week."""
    return week_label(week) if first or week.day <= 7 else str(week.day)


def _actions() -> dict[str, tuple[str, str]]:
    return {
        "ritual": ("Adopt a ritual from the catalogue", reverse("ritual_catalogue")),
        "coffee": ("Start a coffee-chat programme", reverse("programmes") + "?kind=coffee"),
        "checkin": ("Host office hours for check-ins", reverse("office_hours")),
        "buddy": ("Give newcomers a buddy", reverse("programmes") + "?kind=buddy"),
    }


def _k() -> int:
    return OrgSettings.load().min_group_size


def team_view(team: Team, viewer: User, *, now: dt.datetime | None = None) -> TeamView:
    now = now or timezone.now()
    k = _k()
    rows = list(reversed(TeamWeek.objects.filter(team=team).order_by("-week")[:WEEKS]))
    view = TeamView(team=team, week=rows[-1].week if rows else None, k=k, rows=rows)
    if not rows:
        return view
    latest = rows[-1]
    actions = _actions()
    view.trend = [(week_label(r.week), r.score_rolling) for r in rows]
    pulsed = [r for r in rows if r.dimensions]  # weeks whose pulse round has closed
    # Keyed by the full label: the short ones repeat ("8" in February and March).
    view.weeks = [week_label(r.week) for r in pulsed]
    view.week_heads = [_short_label(r.week, first=i == 0) for i, r in enumerate(pulsed)]
    view.heat = {
        (label, week_label(r.week)): r.dimensions.get(key)
        for r in pulsed
        for key, label in DIMENSIONS
    }
    scored = next((r for r in reversed(rows) if r.round_number and r.dimensions), latest)
    view.hidden = not latest.people_shown and all(r.score_rolling is None for r in rows)
    view.figures = _team_figures(latest, scored, k, actions)
    view.ties = _ties(team, latest, k)
    view.alert = _alert(team, viewer, now)
    return view


def _team_figures(latest: TeamWeek, scored: TeamWeek, k: int, actions: dict) -> list[Figure]:
    figures = []
    # The latest round's score, as on the pulse results page; the trend is rolling.
    score = scored.score
    figures.append(
        Figure(
            "Connection score (latest pulse)",
            f"{floatformat(score, 0)} / 100" if score is not None else None,
            "" if score is not None else privacy.NOT_ENOUGH,
            weak=score is not None and score < WEAK_SCORE,
            action=actions["ritual"],
        )
    )
    # Each dimension's share; only the weakest carries an action, so the list of
    # things to do stays short enough to act on.
    shown = [(v, k, lab) for k, lab in DIMENSIONS if (v := scored.dimensions.get(k)) is not None]
    weakest = min(shown)[1] if shown else None
    for value, key, label in sorted(shown):
        if value < WEAK_DIMENSION:
            action = actions["coffee" if key in ("belonging", "learning") else "ritual"]
            figures.append(
                Figure(
                    f"{label}: favourable answers",
                    f"{floatformat(value, 0)} %",
                    weak=True,
                    action=action if key == weakest else None,
                )
            )
    rate = scored.response_rate
    figures.append(
        Figure(
            "Answered the pulse",
            f"{rate} %" if rate is not None else None,
            "" if rate is not None else privacy.NOT_ENOUGH,
        )
    )
    shown = latest.people_shown
    active = privacy.people_share(latest.active_members, latest.members, k, shown)
    reason = "" if shown else f"Fewer than {k} people, or it would single out a smaller group"
    figures.append(
        Figure(
            "Connected with a colleague this week",
            f"{active} %" if active is not None else None,
            reason,
            weak=active is not None and active < WEAK_ACTIVITY,
            action=actions["coffee"],
        )
    )
    isolated = privacy.headcount(latest.isolated, latest.members, k, shown)
    figures.append(
        Figure(
            "People with no one-to-one connection in 90 days",
            isolated,
            reason,
            weak=isolated not in (None, "0"),
            action=actions["coffee"],
        )
    )
    ties = latest.ties_internal + latest.ties_external
    ei = latest.ei_index if shown and ties >= k else None
    figures.append(
        Figure(
            "Silo index (E-I, −1 inward to +1 outward)",
            f"{ei:+.2f}" if ei is not None else None,
            "" if ei is not None else "Too few ties to say",
            weak=ei is not None and ei < WEAK_EI,
            action=actions["coffee"],
        )
    )
    if shown and latest.newcomers >= privacy.effective_k(k):
        # A median over fewer than k people who asked would be one person's days.
        median = latest.first_ask_median_days
        enough = latest.newcomers_asked >= privacy.effective_k(k)
        figures.append(
            Figure(
                "Newcomers: median days to their first question",
                f"{median:.0f}" if enough and median is not None else None,
                "" if enough else f"Shown once at least {k} newcomers have asked",
            )
        )
        without = privacy.headcount(latest.newcomers_without_ask, latest.newcomers, k)
        figures.append(
            Figure(
                "Newcomers with no question after 14 days",
                without,
                weak=without not in (None, "0"),
                action=actions["buddy"],
            )
        )
    else:
        figures.append(
            Figure(
                "Onboarding",
                None,
                f"Fewer than {k} people started in the last {NEWCOMER_DAYS} days; "
                "shown for bigger groups",
            )
        )
    return figures


def _ties(team: Team, latest: TeamWeek, k: int) -> list[tuple[str, int | None]]:
    """The other teams most tied to this one (their people's own teams), strongest
    first; a count only where both teams are big enough to show."""
    partner_ties = {int(pk): n for pk, n in latest.partners.items()}
    shown = dict(
        TeamWeek.objects.filter(week=latest.week, team__in=list(partner_ties)).values_list(
            "team_id", "people_shown"
        )
    )
    names = dict(Team.objects.filter(pk__in=list(partner_ties)).values_list("pk", "name"))
    out = []
    k = privacy.effective_k(k)
    for pk, ties in sorted(partner_ties.items(), key=lambda item: -item[1]):
        # Fewer than k ties describe a handful of people on each side: left out.
        if latest.people_shown and shown.get(pk, False) and ties >= k:
            out.append((names.get(pk, "?"), ties))
    return out[:10]


def _alert(team: Team, viewer: User, now: dt.datetime) -> dict | None:
    """The team's alert still in its rest, for a manager who was told of it."""
    alert = (
        Alert.objects.resting(now)
        .filter(team=team, nudges__recipient=viewer)
        .order_by("-created_at")
        .first()
    )
    if alert is None:
        return None
    nudge = alert.nudges.filter(recipient=viewer).first()
    guide = ConversationGuide.objects.filter(situation=alert.situation).first()
    return {"alert": alert, "nudge": nudge, "guide": guide}


# ---------------------------------------------------------------------- HR


@dataclass
class OrgView:
    week: dt.date | None
    k: int
    level: int
    levels: list[int]
    pulse_week: dt.date | None = None
    team_count: int = 0
    rows: list[dict] = field(default_factory=list)
    trend: list = field(default_factory=list)
    org: dict = field(default_factory=dict)
    programmes: list = field(default_factory=list)
    rituals: list = field(default_factory=list)
    budgets: list = field(default_factory=list)
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    slice_by: str = ""
    slice_value: str = ""
    slice_note: str = ""


def _guarded_row(row: TeamWeek, k: int) -> dict:
    shown = row.people_shown
    ties = row.ties_internal + row.ties_external
    enough_newcomers = shown and row.newcomers >= privacy.effective_k(k)
    return {
        "score": row.score,
        "dimensions": {key: row.dimensions.get(key) for key, _ in DIMENSIONS},
        "response_rate": row.response_rate,
        "activity": privacy.people_share(row.active_members, row.members, k, shown),
        "isolated": privacy.headcount(row.isolated, row.members, k, shown),
        "ei": round(row.ei_index, 2) if shown and ties >= k and row.team_id else None,
        "bridges": row.bridges if shown and row.team_id else None,
        "first_ask": row.first_ask_median_days
        if enough_newcomers and row.newcomers_asked >= privacy.effective_k(k)
        else None,
        "without_ask": privacy.headcount(row.newcomers_without_ask, row.newcomers, k)
        if enough_newcomers
        else None,
    }


def org_view(
    *,
    level: int = 1,
    slice_by: str = "",
    slice_value: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> OrgView:
    """The organisation at one level of the hierarchy; `offset`/`limit` page through
    its teams (in path order) so a level of hundreds of teams costs one page."""
    k = _k()
    week = TeamWeek.objects.filter(team__isnull=True).aggregate(w=Max("week"))["w"]
    depths = sorted(set(Team.objects.values_list("depth", flat=True)))
    level = level if level in depths else (1 if 1 in depths else (depths[0] if depths else 0))
    view = OrgView(week=week, k=k, level=level, levels=depths)
    if week is None:
        return view
    org_rows = list(TeamWeek.objects.filter(team__isnull=True).order_by("-week")[:WEEKS])
    view.trend = [(week_label(r.week), r.score_rolling) for r in reversed(org_rows)]
    # Pulse figures come from the latest week whose round has closed; behaviour
    # figures from the latest week computed.
    pulsed = next((r for r in org_rows if r.dimensions), org_rows[0])
    view.pulse_week = pulsed.week
    view.org = _merge(_guarded_row(org_rows[0], k), _guarded_row(pulsed, k))
    at_level = TeamWeek.objects.filter(week=week, team__depth=level)
    view.team_count = at_level.count()
    rows = at_level.select_related("team").order_by("team__path")
    rows = list(rows[offset : offset + limit] if limit else rows)
    ids = [r.team_id for r in rows]
    pulse_rows = {r.team_id: r for r in TeamWeek.objects.filter(week=pulsed.week, team__in=ids)}
    scores = _slice_scores(ids, slice_by, slice_value, view) if slice_by else None
    for row in rows:
        guarded = _guarded_row(row, k)
        if row.team_id in pulse_rows:
            guarded = _merge(guarded, _guarded_row(pulse_rows[row.team_id], k))
        if scores is not None:
            guarded = {**guarded, "score": scores.get(row.team_id), "dimensions": {}}
        view.rows.append({"team": row.team, **guarded})
    view.programmes = _programmes()
    view.rituals = _rituals()
    view.budgets = _budgets(ids)
    view.nodes = [
        {
            "id": r.team_id,
            "label": r.team.name,
            "size": r.members if r.people_shown else None,
            "tone": _tone(pulse_rows[r.team_id].score if r.team_id in pulse_rows else None),
        }
        for r in rows
    ]
    shown = {r.team_id for r in rows if r.people_shown}
    view.edges = [
        (a, b, n)
        for a, b, n in TeamTie.objects.filter(
            week=week, depth=level, team_a__in=ids, team_b__in=ids
        ).values_list("team_a_id", "team_b_id", "ties")
        if a != b and a in shown and b in shown and n >= privacy.effective_k(k)
    ]
    return view


def _merge(behaviour: dict, pulse: dict) -> dict:
    return {**behaviour, **{key: pulse[key] for key in ("score", "dimensions", "response_rate")}}


def _tone(score: float | None) -> str | None:
    if score is None:
        return None
    return "good" if score >= 70 else "watch" if score >= WEAK_SCORE else "weak"


def _slice_scores(ids: list[int], by: str, value: str, view: OrgView) -> dict:
    """The latest round's score of each listed team for one tenure band or location,
    as the pulse page's slices show it (`OrgSnapshot.slice_score`)."""
    if by not in SLICES:
        return {}
    rounds = latest_rounds(1)
    if not rounds:
        return {}
    latest = rounds[0]
    snapshot = OrgSnapshot(rounds)
    view.slice_by, view.slice_value = by, value
    view.slice_note = (
        f"Scores from round {latest.number} for this group only; a team shows a figure only "
        f"when at least {latest.min_group_size} of its people in the group answered and no "
        "smaller group can be worked out from it."
    )
    return {pk: snapshot.slice_score(latest, pk, by, value) for pk in ids}


def _programmes() -> list[dict]:
    from mentorship.models import MatchGroup, Membership, Programme

    members = dict(
        Membership.objects.filter(status="active")
        .values_list("programme_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    stats = {
        row["round__programme_id"]: row
        for row in MatchGroup.objects.values("round__programme_id")
        .annotate(
            groups=Count("id", distinct=True),
            met=Count("id", filter=Q(checkins__answer="met"), distinct=True),
        )
        .order_by()
    }
    out = []
    for programme in Programme.objects.filter(active=True).order_by("name"):
        row = stats.get(programme.pk, {"groups": 0, "met": 0})
        out.append(
            {
                "name": programme.name,
                "kind": programme.get_kind_display(),
                "members": members.get(programme.pk, 0),
                "groups": row["groups"],
                "met": row["met"],
                "met_share": round(100 * row["met"] / row["groups"]) if row["groups"] else None,
            }
        )
    return out


def _rituals() -> list[dict]:
    from rituals.models import Attendance, RitualTemplate, TeamRitual

    adoptions = {
        row["template_id"]: row
        for row in TeamRitual.objects.filter(template__isnull=False)
        .values("template_id")
        .annotate(
            teams=Count("team", distinct=True),
            active=Count("id", filter=Q(status="active"), distinct=True),
            retired=Count("id", filter=Q(status="retired"), distinct=True),
        )
        .order_by()
    }
    ratings = {
        row["occurrence__ritual__template_id"]: row
        for row in Attendance.objects.filter(occurrence__ritual__template__isnull=False)
        .values("occurrence__ritual__template_id")
        .annotate(
            rated=Count("id", filter=Q(worth_it__isnull=False)),
            worth=Count("id", filter=Q(worth_it=True)),
        )
        .order_by()
    }
    out = []
    for template in RitualTemplate.objects.filter(active=True).order_by("position", "name"):
        row = adoptions.get(template.pk, {"teams": 0, "active": 0, "retired": 0})
        rating = ratings.get(template.pk, {"rated": 0, "worth": 0})
        out.append(
            {
                "template": template,
                **row,
                "worth_it": privacy.share(rating["worth"], rating["rated"], _k()),
            }
        )
    return out


def _budgets(team_ids: list[int]) -> list[dict]:
    """This quarter's budgets of the teams listed (the page's teams at its level)."""
    from rituals.models import Budget

    quarter = quarter_start(timezone.now().date())
    out = []
    for budget in (
        Budget.objects.filter(quarter=quarter, team__in=team_ids)
        .select_related("team")
        .annotate(spent=Sum("spends__amount"), hours_logged=Sum("spends__hours"))
        .order_by("team__path")
    ):
        used = round(100 * float(budget.spent or 0) / float(budget.money)) if budget.money else None
        out.append({"team": budget.team, "budget": budget, "used": used})
    return out


# ------------------------------------------------------------ my connection


def my_connection(person: User, *, now: dt.datetime | None = None) -> dict:
    """Only for the person themself: who they connected with this month, and more."""
    from mentorship.models import MatchGroup
    from rituals.models import Recognition

    now = now or timezone.now()
    since = now - dt.timedelta(days=30)
    signals = Signal.objects.filter(occurred_at__gte=since).filter(
        Q(actor=person) | Q(other=person)
    )
    people: dict = {}
    for actor_id, other_id, actor_name, other_name, kind in signals.filter(
        other__isnull=False
    ).values_list("actor_id", "other_id", "actor__display_name", "other__display_name", "kind"):
        pk, name = (other_id, other_name) if actor_id == person.pk else (actor_id, actor_name)
        if pk == person.pk:
            continue
        entry = people.setdefault(pk, {"name": name, "times": 0, "kinds": set()})
        entry["times"] += 1
        entry["kinds"].add(TOGETHER.get(kind, kind))
    attended = signals.filter(actor=person, kind=Signal.Kind.ATTENDED).count()
    given = Recognition.objects.filter(giver=person, created_at__gte=since).count()
    received = Recognition.objects.filter(receivers=person, created_at__gte=since).count()
    groups = list(
        MatchGroup.objects.of(person)
        .select_related("round__programme")
        .prefetch_related("members")
        .order_by("-round__run_on")[:4]
    )
    connections = sorted(people.values(), key=lambda e: (-e["times"], e["name"]))
    for entry in connections:
        entry["kinds"] = sorted(entry["kinds"])
    groups = [
        {
            "programme": group.round.programme.name,
            "with": ", ".join(m.display_name for m in group.members.all() if m.pk != person.pk),
        }
        for group in groups
    ]
    return {
        "connections": connections,
        "attended": attended,
        "given": given,
        "received": received,
        "groups": groups,
        "suggestion": _suggestion(person, connections, attended, given),
        "since": since,
    }


def _suggestion(person: User, connections: list, attended: int, given: int) -> tuple[str, str]:
    if not connections:
        return (
            "Nobody yet this month, and that’s fine. A 20-minute coffee chat with someone "
            "from another team is an easy start.",
            reverse("mentorship"),
        )
    if given == 0:
        return (
            "Someone helped you lately? A line of recognition takes a minute and makes a week.",
            reverse("recognition"),
        )
    if attended == 0:
        return (
            "Your team’s rituals are a low-effort way to see people: pick one that suits you.",
            reverse("rituals"),
        )
    return (
        "You’re well connected this month. Office hours are a good way to pass it on.",
        reverse("office_hours"),
    )


# ---------------------------------------------------------- which rituals work

EVIDENCE_WEEKS = 26


def evidence_cards() -> list[dict]:
    """One card per catalogue ritual that some team adopted: difference in
    differences over teams without sub-teams (a parent's figures would mix
    adopters and the teams compared with them), from guarded weekly scores."""
    from connection import evidence
    from rituals.models import RitualTemplate, TeamRitual

    since = monday(timezone.now().date()) - dt.timedelta(weeks=EVIDENCE_WEEKS)
    leaves = Team.objects.filter(children__isnull=True)
    scores: dict = defaultdict(dict)
    respondents: dict = defaultdict(dict)
    for team_id, week, score, n in TeamWeek.objects.filter(
        team__in=leaves, week__gte=since, score__isnull=False
    ).values_list("team_id", "week", "score", "respondents"):
        scores[team_id][week] = score
        respondents[team_id][week] = n or 0
    adopted: dict = defaultdict(dict)
    for template_id, team_id, starts_on in TeamRitual.objects.filter(
        template__isnull=False, team__in=leaves
    ).values_list("template_id", "team_id", "starts_on"):
        first = adopted[template_id].get(team_id)
        adopted[template_id][team_id] = min(first, starts_on) if first else starts_on
    cards = []
    for template in RitualTemplate.objects.filter(pk__in=list(adopted)).order_by("position"):
        teams = adopted[template.pk]
        # Teams that adopted another catalogue ritual still count as comparisons.
        card = evidence.difference_in_differences(
            scores,
            respondents,
            {t: monday(d) for t, d in teams.items() if t in scores},
        )
        cards.append(
            {
                "template": template,
                "card": card,
                "explain": evidence.explain(card),
                "adopted_by": len(teams),
            }
        )
    return cards
