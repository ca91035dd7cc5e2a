"""The manager's team dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connection import charts
from connection.calendar import quarter_start
from connection.db_router import reads_replica
from connection.forms import TeamPickForm
from connection.models import OrgSettings, Team
from connection.responses import bad_request
from connection.team_select import team_switch
from insights import dashboards
from rituals.models import Budget, TeamRitual
from rituals.services.budgets import budget_statuses
from rituals.services.occurrences import with_health


@login_required
@require_GET
@reads_replica
def team_insights(request):
    led = Team.objects.led_by(request.user).order_by("path")
    first = led.first()
    if first is None:
        raise PermissionDenied(_("The team dashboard is for people who lead a team."))
    form = TeamPickForm(request.GET, teams=led)
    if form.has_error("team", "invalid_choice"):
        raise PermissionDenied(_("That team is not one of yours."))
    if not form.is_valid():
        return bad_request(request, form, back=reverse("insights_team"))
    # Without a choice: the highest team they lead (ordered by path).
    team = form.cleaned_data["team"] or first
    view = dashboards.team_view(team, request.user)
    context = {"view": view, "teams": team_switch(led, team), "team": team}
    if view.rows:
        context |= _team_charts(view)
        context |= _team_extras(team)
    return render(request, "insights/team.html", context)


def _team_charts(view) -> dict:
    shown = [v for _, v in view.trend if v is not None]
    trend_desc = (
        _("Rolling connection score over %(weeks)s weeks, from %(first)s to %(last)s out of 100.")
        % {
            "weeks": len(view.trend),
            "first": floatformat(shown[0], 0),
            "last": floatformat(shown[-1], 0),
        }
        if shown
        else _("Not enough responses in these weeks to show a score.")
    )
    labels = [label for _, label in dashboards.DIMENSIONS]
    return {
        "trend_chart": charts.line_chart(
            view.trend,
            title=_("%(team)s: connection score by week") % {"team": view.team.name},
            desc=trend_desc,
        ),
        "heat_chart": charts.heatmap(
            labels,
            view.weeks,
            view.heat,
            headings=view.week_heads,
            title=_("Favourable answers by dimension and week"),
            desc=_(
                "Share of answers of 4 or 5 for each dimension; blank cells are hidden by the "
                "privacy guard."
            ),
        ),
        "ties_chart": charts.bar_chart(
            view.ties,
            title=_("Ties with other teams (last 90 days)"),
            desc=_("Distinct pairs of people who connected across the two teams."),
            unit=" " + _("ties"),
            missing=_("not shown, to protect a small group"),
        )
        if view.ties
        else "",
        "heat_rows": [(label, [view.heat.get((label, w)) for w in view.weeks]) for label in labels],
        "todo": [f for f in view.figures if f.weak and f.action],
    }


def _team_extras(team) -> dict:
    rituals = with_health(TeamRitual.objects.active().filter(team=team).select_related("template"))
    today = timezone.now().date()
    statuses = budget_statuses(Budget.objects.filter(team=team, quarter=quarter_start(today)))
    return {
        "rituals": rituals,
        "budget": next(iter(statuses.values()), None),
        "currency": OrgSettings.load().currency,
    }
