"""Insight pages: the manager's team dashboard, HR's org dashboard with CSV, the
ritual evidence cards, the conversation guides and each person's own page.

Thin views: authorise through `Team.objects.led_by` / `visible_to` and the HR
flag, then read `connection.dashboards`, which guards every figure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from connection import charts, dashboards
from connection.audit import record, save_recorded
from connection.calendar import quarter_start
from connection.forms import ConversationGuideForm, OrgInsightsForm, PageForm, TeamPickForm
from connection.models import AuditEntry, ConversationGuide, OrgSettings, Team
from connection.roles import hr_admin_required
from connection.spreadsheets import csv_writer
from connection.views import bad_request


@login_required
@require_GET
def team_insights(request):
    teams = list(Team.objects.led_by(request.user).order_by("path"))
    if not teams:
        raise PermissionDenied("The team dashboard is for people who lead a team.")
    form = TeamPickForm(request.GET, teams=Team.objects.led_by(request.user))
    if form.has_error("team", "invalid_choice"):
        raise PermissionDenied("That team is not one of yours.")
    if not form.is_valid():
        return bad_request(request, form, back=reverse("insights_team"))
    # Without a choice: the highest team they lead (ordered by path).
    team = form.cleaned_data["team"] or teams[0]
    view = dashboards.team_view(team, request.user)
    context = {"view": view, "teams": teams, "team": team}
    if view.rows:
        context |= _team_charts(view)
        context |= _team_extras(team)
    return render(request, "connection/insights_team.html", context)


def _team_charts(view) -> dict:
    shown = [v for _, v in view.trend if v is not None]
    trend_desc = (
        f"Rolling connection score over {len(view.trend)} weeks, from "
        f"{floatformat(shown[0], 0)} to {floatformat(shown[-1], 0)} out of 100."
        if shown
        else "Not enough responses in these weeks to show a score."
    )
    labels = [label for _, label in dashboards.DIMENSIONS]
    return {
        "trend_chart": charts.line_chart(
            view.trend, title=f"{view.team.name}: connection score by week", desc=trend_desc
        ),
        "heat_chart": charts.heatmap(
            labels,
            view.weeks,
            view.heat,
            headings=view.week_heads,
            title="Favourable answers by dimension and week",
            desc="Share of answers of 4 or 5 for each dimension; blank cells are hidden by the "
            "privacy guard.",
        ),
        "ties_chart": charts.bar_chart(
            view.ties,
            title="Ties with other teams (last 90 days)",
            desc="Distinct pairs of people who connected across the two teams.",
            unit=" ties",
            missing="not shown, to protect a small group",
        )
        if view.ties
        else "",
        "heat_rows": [(label, [view.heat.get((label, w)) for w in view.weeks]) for label in labels],
        "todo": [f for f in view.figures if f.weak and f.action],
    }


def _team_extras(team) -> dict:
    from rituals.models import Budget, TeamRitual
    from rituals.services import budget_status, ritual_health

    rituals = [
        (ritual, ritual_health(ritual))
        for ritual in TeamRitual.objects.active().filter(team=team).select_related("template")
    ]
    today = timezone.now().date()
    budget = Budget.objects.filter(team=team, quarter=quarter_start(today)).first()
    return {
        "rituals": rituals,
        "budget": budget_status(budget) if budget else None,
        "currency": OrgSettings.load().currency,
    }


@hr_admin_required
@require_GET
def org_insights(request):
    form = OrgInsightsForm(request.GET, slices=_slice_choices())
    if not form.is_valid():
        return bad_request(request, form, back=reverse("insights_org"))
    number = PageForm(request.GET).number
    view = dashboards.org_view(
        **form.view_arguments(), offset=(number - 1) * TEAMS_PER_PAGE, limit=TEAMS_PER_PAGE
    )
    context = {"view": view, "slice_choices": _slice_choices()}
    if view.week:
        context["pages"] = pages = _pager(request, view, number)
        if number > pages["last"]:
            query = request.GET.copy()
            query["page"] = pages["last"]
            return redirect(f"{request.path}?{query.urlencode()}")
        labels = [label for _, label in dashboards.DIMENSIONS]
        heat = {
            (row["team"].name, label): row["dimensions"].get(key)
            for row in view.rows
            for key, label in dashboards.DIMENSIONS
        } | {(row["team"].name, "Score"): row["score"] for row in view.rows}
        names = {node["id"]: node["label"] for node in view.nodes}
        context |= {
            "dimension_labels": labels,
            "edge_rows": sorted(
                ((names[a], names[b], n) for a, b, n in view.edges), key=lambda e: -e[2]
            ),
            "table_rows": [
                {
                    **row,
                    "dims": [
                        (row["dimensions"].get(key), charts.heat_class(row["dimensions"].get(key)))
                        for key, _ in dashboards.DIMENSIONS
                    ],
                }
                for row in view.rows
            ],
            "slice_label": next(
                (
                    label
                    for by, value, label in _slice_choices()
                    if (by, value) == (view.slice_by, view.slice_value)
                ),
                "",
            ),
            "budget_chart": charts.bar_chart(
                [(b["team"].name, b["used"]) for b in view.budgets],
                title="Share of this quarter's budget spent",
                desc="Money spent as a share of each team's budget this quarter.",
                unit=" %",
                max_value=100,
            ),
            "heat_chart": charts.heatmap(
                [row["team"].name for row in view.rows],
                ["Score", *labels],
                heat,
                title="Teams by dimension (favourable answers)",
                desc="Each cell is the share of favourable answers; blank cells are hidden by "
                "the privacy guard.",
            )
            if not view.slice_by
            else "",
            "trend_chart": charts.line_chart(
                view.trend,
                title="Organisation connection score by week",
                desc="Rolling connection score for the whole organisation.",
            ),
            "network_chart": charts.network(
                view.nodes,
                view.edges,
                title="How teams connect",
                desc=f"{len(view.nodes)} teams; lines are ties between people of two teams in "
                "the last 90 days, thicker for more.",
            ),
        }
    return render(request, "connection/insights_org.html", context)


TEAMS_PER_PAGE = 40


def _pager(request, view, number: int) -> dict:
    """A level can hold hundreds of teams: the page shows them 40 at a time (the
    network map joins the teams on the page), the CSV has them all."""
    last = max(1, -(-view.team_count // TEAMS_PER_PAGE))
    query = request.GET.copy()
    links = {}
    for name, target in (("previous", number - 1), ("next", number + 1)):
        if 1 <= target <= last:
            query["page"] = target
            links[name] = "?" + query.urlencode()
    return {"number": number, "last": last, "teams": view.team_count, **links}


def _slice_choices() -> list[tuple[str, str, str]]:
    from pulse.models import Location, TenureBand

    return [("tenure_band", v, f"Tenure: {label}") for v, label in TenureBand.choices] + [
        ("location", v, f"Location: {label}") for v, label in Location.choices
    ]


@hr_admin_required
@require_GET
def org_insights_csv(request):
    form = OrgInsightsForm(request.GET, slices=_slice_choices())
    if not form.is_valid():
        return bad_request(request, form, back=reverse("insights_org"))
    view = dashboards.org_view(**form.view_arguments())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hearth-insights-{view.week}.csv"'
    writer = csv_writer(response)
    dims = dashboards.DIMENSIONS
    writer.writerow(
        [
            "week",
            "team",
            "level",
            "connection score",
            *[f"{label} favourable %" for _, label in dims],
            "answered the pulse %",
            "connected this week %",
            "isolated (90 days)",
            "silo index (E-I)",
            "teams reached",
            "median days to first question",
            "newcomers without a question after 14 days",
        ]
    )

    def cell(value):
        return "not enough responses" if value is None else value

    rows = [({"name": "Whole organisation"}, view.org)] + [
        ({"name": r["team"].name}, r) for r in view.rows
    ]
    for team, row in rows:
        if not row:
            continue
        writer.writerow(
            [
                view.week,
                team["name"],
                "" if team["name"] == "Whole organisation" else view.level,
                cell(row["score"]),
                *[cell(row["dimensions"].get(key)) for key, _ in dims],
                cell(row["response_rate"]),
                cell(row["activity"]),
                cell(row["isolated"]),
                cell(row["ei"]),
                cell(row["bridges"]),
                cell(row["first_ask"]),
                cell(row["without_ask"]),
            ]
        )
    # The page's other tables follow, each under its own header row.
    names = {node["id"]: node["label"] for node in view.nodes}
    _section(
        writer,
        ["team", "team", "ties (90 days)"],
        [(names[a], names[b], n) for a, b, n in view.edges],
    )
    _section(
        writer,
        ["programme", "kind", "people", "groups matched", "groups met %"],
        [
            (p["name"], p["kind"], p["members"], p["groups"], cell(p["met_share"]))
            for p in view.programmes
        ],
    )
    _section(
        writer,
        ["ritual", "teams", "running", "retired", "worth it %"],
        [
            (r["template"].name, r["teams"], r["active"], r["retired"], cell(r["worth_it"]))
            for r in view.rituals
        ],
    )
    _section(
        writer,
        ["budget team", "budget", "spent", "used %"],
        [
            (b["team"].name, b["budget"].money, b["budget"].spent or 0, cell(b["used"]))
            for b in view.budgets
        ],
    )
    record(
        actor=request.user,
        action=AuditEntry.Action.INSIGHTS_CSV,
        detail={"week": view.week, "level": view.level},
    )
    return response


def _section(writer, header: list[str], rows: list) -> None:
    writer.writerow([])
    writer.writerow(header)
    writer.writerows(rows)


@login_required
@require_GET
def ritual_evidence(request):
    if not (request.user.is_hr_admin or request.user.is_manager):
        raise PermissionDenied("Evidence cards are for team leads and HR.")
    cards = dashboards.evidence_cards()
    for item in cards:
        card = item["card"]
        item["chart"] = (
            charts.interval_chart(
                card.effect,
                card.low,
                card.high,
                title=f"{item['template'].name}: change in connection score, points",
                desc=item["explain"],
            )
            if card.effect is not None
            else ""
        )
    return render(request, "connection/insights_evidence.html", {"cards": cards})


@login_required
@require_http_methods(["GET", "POST"])
def guide(request, situation: str):
    """Read a guide (team leads and HR); HR edits it on the same page."""
    if not (request.user.is_hr_admin or request.user.is_manager):
        raise PermissionDenied("Conversation guides are for team leads.")
    if situation not in ConversationGuide.Situation.values:
        raise Http404("No such guide.")
    item = get_object_or_404(ConversationGuide, situation=situation)
    form = None
    if request.user.is_hr_admin:
        form = ConversationGuideForm(request.POST or None, instance=item)
        if request.method == "POST" and form.is_valid():
            save_recorded(form, actor=request.user, action=AuditEntry.Action.GUIDE_EDITED)
            messages.success(request, "Guide saved. Managers see it with their next alert.")
            return redirect("insights_guide", situation=situation)
        if request.method == "POST":
            return render(
                request, "connection/insights_guide.html", _guide_context(item, form), status=400
            )
    elif request.method == "POST":
        raise PermissionDenied("Only HR admins edit conversation guides.")
    return render(request, "connection/insights_guide.html", _guide_context(item, form))


def _guide_context(item, form) -> dict:
    return {
        "guide": item,
        "form": form,
        "questions": item.lines(item.questions),
        "avoid": item.lines(item.avoid),
        "follow_up": item.lines(item.follow_up),
    }


@login_required
@require_GET
def my_connection(request):
    return render(
        request,
        "connection/my_connection.html",
        {"me": dashboards.my_connection(request.user)},
    )
