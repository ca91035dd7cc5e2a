"""Everyone's front page, and each person's own connection page.

The home page is the top floor's: it reads the org from the core and asks the pulse
app, through its QuerySet, whether a round waits for this person (an invitation, no
figures)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from connection.calendar import NEWCOMER_DAYS
from connection.models import Location, OrgImport, Team, User, shared_working_window
from insights import dashboards
from insights.dashboards.common import org_wide
from insights.dashboards.first_week import first_weeks
from pulse.models import Round


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = user.local_now().date()
    context = {
        "today": today,
        "team_card": _team_card(user, today),
        "pulse_waiting": _pulse_waiting(user),
        "first_weeks": first_weeks(user, timezone.now()),
    }
    if user.is_manager:
        context["managed_teams"] = managed = list(
            Team.objects.managed_by(user)
            .annotate(
                headcount=Count("members", filter=Q(members__is_active=True)),
                new_hires=Count(
                    "members",
                    filter=Q(
                        members__is_active=True,
                        members__start_date__gte=today - dt.timedelta(days=NEWCOMER_DAYS),
                    ),
                ),
                zones=Count("members__time_zone", filter=Q(members__is_active=True), distinct=True),
            )
            .order_by("path")
        )
        top = min((team.depth for team in managed), default=0)
        for team in managed:
            team.indent = team.depth - top
    if user.is_hr_admin:
        context["org"] = org_wide(f"home:{today}", lambda: _org_overview(today))
    return render(request, "insights/home.html", context)


def _pulse_waiting(user: User):
    """The open pulse round this person has not answered yet, if any."""
    return Round.objects.waiting_for(user)


def _team_card(user: User, today: dt.date) -> dict | None:
    if user.team_id is None:
        return None
    members = list(
        User.objects.active()
        .filter(team_id=user.team_id)
        .select_related("team")
        .only(
            "display_name",
            "time_zone",
            "work_start",
            "work_end",
            "working_days",
            "start_date",
            "team",
        )
        .order_by("display_name")
    )
    if members:  # the team came with them: the rest of the request reads it from here
        user.team = members[0].team
    now = timezone.now()
    shown = members[:12]
    for member in shown:
        member.working_now = member.is_working_at(now)
        member.is_new = member.is_newcomer(today)
    # Shared hours on the viewer's next working day, so a weekend shows Monday.
    day = today
    for _ in range(7):
        if str(day.isoweekday()) in user.working_days:
            break
        day += dt.timedelta(days=1)
    return {
        "team": user.team,
        "members": shown,
        "more": len(members) - len(shown),
        "size": len(members),
        "window": shared_working_window(members, day),
        "window_day": day,
    }


DEPARTMENTS_SHOWN = 20  # the largest; the people page finds any team


def _org_overview(today: dt.date) -> dict:
    active = Q(is_active=True)
    totals = User.objects.aggregate(
        people=Count("pk", filter=active),
        inactive=Count("pk", filter=~active),
        new_hires=Count(
            "pk",
            filter=active & Q(start_date__gte=today - dt.timedelta(days=NEWCOMER_DAYS)),
        ),
        zones=Count("time_zone", filter=active, distinct=True),
        without_team=Count("pk", filter=active & Q(team__isnull=True)),
        **{loc: Count("pk", filter=active & Q(location=loc)) for loc in Location.values},
    )
    teams = list(
        Team.objects.order_by()
        .annotate(headcount=Count("members", filter=Q(members__is_active=True)))
        .values_list("pk", "name", "path", "depth", "headcount")
    )
    # Each department (a top-level team) with the people and teams below it, in one pass.
    top = {
        pk: {"pk": pk, "name": name, "subtree": 0, "subteams": -1}
        for pk, name, _, depth, _ in teams
        if depth == 0
    }
    for _, _, path, _, headcount in teams:
        department = top.get(next(iter(Team.ids_on_path(path)), None))
        if department is not None:
            department["subtree"] += headcount
            department["subteams"] += 1
    largest = sorted(top.values(), key=lambda d: (-d["subtree"], d["name"]))
    people = totals["people"] or 1
    return {
        "totals": totals,
        "locations": [
            (label, totals[value], round(100 * totals[value] / people))
            for value, label in Location.choices
        ],
        "team_count": len(teams),
        "top_teams": largest[:DEPARTMENTS_SHOWN],
        "more_departments": max(0, len(largest) - DEPARTMENTS_SHOWN),
        "inactive": totals["inactive"],
        "last_import": OrgImport.objects.filter(status=OrgImport.Status.APPLIED).first(),
    }


@login_required
@require_GET
def my_connection(request):
    return render(
        request,
        "insights/my_connection.html",
        {"me": dashboards.my_connection(request.user)},
    )
