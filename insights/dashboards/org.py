"""HR's organisation at one level of the hierarchy: each team's guarded figures, the
network between teams, programmes, rituals and budgets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from connection import privacy
from connection.calendar import quarter_start
from connection.models import Team
from insights.dashboards.common import (
    DIMENSIONS,
    WEAK_SCORE,
    WEEKS,
    min_group_size,
    org_wide,
    week_label,
)
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
    extras: bool = True,
) -> OrgView:
    """The organisation at one level of the hierarchy; `offset`/`limit` page through
    its teams (in path order) so a level of hundreds of teams costs one page. Without
    `extras`, no programmes, rituals or budgets (the API shows none). The same queries
    whatever the size of the org or the page."""
    k = min_group_size()
    org_rows = list(TeamWeek.objects.filter(team__isnull=True).order_by("-week")[:WEEKS])
    week = org_rows[0].week if org_rows else None
    depths = list(Team.objects.order_by("depth").values_list("depth", flat=True).distinct())
    level = level if level in depths else (1 if 1 in depths else (depths[0] if depths else 0))
    view = OrgView(week=week, k=k, level=level, levels=depths)
    if week is None:
        return view
    view.trend = [(week_label(r.week), r.score_rolling) for r in reversed(org_rows)]
    # Pulse figures come from the latest week whose round has closed; behaviour
    # figures from the latest week computed.
    pulsed = next((r for r in org_rows if r.dimensions), org_rows[0])
    view.pulse_week = pulsed.week
    view.org = _merge(_guarded_row(org_rows[0], k), _guarded_row(pulsed, k))
    rows, view.team_count = _level_rows(week, level, offset, limit)
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
    if extras:
        view.programmes = org_wide("org:programmes", _programmes)
        view.rituals = org_wide(f"org:rituals:k{k}", _rituals)  # shares guarded with k
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


def _level_rows(week: dt.date, level: int, offset: int, limit: int | None) -> tuple[list, int]:
    """The week's rows of the teams at `level` from `offset` (all, or `limit` of them),
    and how many teams the level has: one query, the count a window over the level."""
    at_level = TeamWeek.objects.filter(week=week, team__depth=level)
    rows = at_level.select_related("team").annotate(level_count=Window(Count("pk")))
    rows = list(rows.order_by("team__path")[offset : offset + limit if limit else None])
    # Past the last page there is no row to carry the count.
    return rows, rows[0].level_count if rows else at_level.count()


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
    view.slice_note = _(
        "Scores from round %(round)s for this group only; a team shows a figure only "
        "when at least %(k)s of its people in the group answered and no "
        "smaller group can be worked out from it."
    ) % {"round": latest.number, "k": latest.min_group_size}
    return snapshot.slice_scores(latest, by, value, ids)


def _count(queryset, outer: str, *, of: str = "pk", distinct: bool = False) -> Coalesce:
    """How many rows (or distinct `of`) of `queryset` belong to the outer row (`outer`
    names the link): a subquery, so a list and its counts are one query."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count(of, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _programmes() -> list[dict]:
    out = []
    for programme in (
        Programme.objects.filter(active=True)
        .annotate(
            member_count=_count(Membership.objects.filter(status="active"), "programme"),
            group_count=_count(MatchGroup.objects.all(), "round__programme"),
            met=_count(
                MatchGroup.objects.filter(checkins__answer="met"), "round__programme", distinct=True
            ),
        )
        .order_by("name")
    ):
        groups = programme.group_count
        out.append(
            {
                "name": programme.name,
                "kind": programme.get_kind_display(),
                "members": programme.member_count,
                "groups": groups,
                "met": programme.met,
                "met_share": round(100 * programme.met / groups) if groups else None,
            }
        )
    return out


def _rituals() -> list[dict]:
    """Each catalogue ritual: teams that adopted it, running and retired, and the
    share of ratings that found it worth it (guarded); one query."""
    adopted = TeamRitual.objects.all()
    rated = Attendance.objects.filter(worth_it__isnull=False)
    out = []
    for template in (
        RitualTemplate.objects.filter(active=True)
        .annotate(
            teams=_count(adopted, "template", of="team", distinct=True),
            running=_count(adopted.filter(status="active"), "template"),
            retired=_count(adopted.filter(status="retired"), "template"),
            rated=_count(rated, "occurrence__ritual__template"),
            worth=_count(rated.filter(worth_it=True), "occurrence__ritual__template"),
        )
        .order_by("position", "name")
    ):
        out.append(
            {
                "template": template,
                "teams": template.teams,
                "active": template.running,
                "retired": template.retired,
                "worth_it": privacy.share(template.worth, template.rated, min_group_size()),
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
