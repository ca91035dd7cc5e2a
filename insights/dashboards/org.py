"""HR's organisation at one level of the hierarchy: each team's guarded figures, the
network between teams, programmes, rituals and budgets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from connection import privacy
from connection.calendar import quarter_start
from connection.models import Team
from insights.dashboards.common import DIMENSIONS, WEAK_SCORE, WEEKS, min_group_size, week_label
from insights.models import TeamTie, TeamWeek
from mentorship.models import MatchGroup, Membership, Programme
from pulse.results import SLICES, OrgSnapshot, latest_rounds
from rituals.models import Attendance, Budget, RitualTemplate, TeamRitual


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
    k = min_group_size()
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
    as the pulse round published it (`OrgSnapshot.slice_scores`)."""
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
    return snapshot.slice_scores(latest, by, value, ids)


def _programmes() -> list[dict]:
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
                "worth_it": privacy.share(rating["worth"], rating["rated"], min_group_size()),
            }
        )
    return out


def _budgets(team_ids: list[int]) -> list[dict]:
    """This quarter's budgets of the teams listed (the page's teams at its level)."""
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
