"""HR's organisation dashboard and its CSV export."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from connection import charts
from connection.audit import record
from connection.db_router import reads_replica
from connection.forms import PageForm
from connection.models import AuditEntry
from connection.responses import bad_request
from connection.roles import hr_admin_required
from connection.spreadsheets import csv_writer
from insights import dashboards
from insights.dashboards import columns
from insights.forms import OrgInsightsForm
from pulse.models import Location, TenureBand


@hr_admin_required
@require_GET
@reads_replica
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
        context |= _tables(view) | _charts(view)
    return render(request, "insights/org.html", context)


def _tables(view) -> dict:
    names = {node["id"]: node["label"] for node in view.nodes}
    return {
        "dimension_labels": [str(column.label) for column in columns.DIMENSION_COLUMNS],
        "figure_columns": columns.PAGE_FIGURES,
        "edge_rows": sorted(
            ((names[a], names[b], n) for a, b, n in view.edges), key=lambda e: -e[2]
        ),
        "table_rows": [
            {
                **row,
                "dims": [
                    (value := column.value(row), charts.heat_class(value))
                    for column in columns.DIMENSION_COLUMNS
                ],
                "figures": [(column.value(row), column) for column in columns.PAGE_FIGURES],
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
    }


def _charts(view) -> dict:
    labels = [str(column.label) for column in columns.DIMENSION_COLUMNS]
    score = str(columns.SCORE.label)
    heat = {
        (row["team"].name, str(column.label)): column.value(row)
        for row in view.rows
        for column in columns.DIMENSION_COLUMNS
    } | {(row["team"].name, score): row["score"] for row in view.rows}
    return {
        "budget_chart": charts.bar_chart(
            [(b["team"].name, b["used"]) for b in view.budgets],
            title=_("Share of this quarter's budget spent"),
            desc=_("Money spent as a share of each team's budget this quarter."),
            unit=" %",
            max_value=100,
        ),
        "heat_chart": charts.heatmap(
            [row["team"].name for row in view.rows],
            [score, *labels],
            heat,
            title=_("Teams by dimension (favourable answers)"),
            desc=_(
                "Each cell is the share of favourable answers; blank cells are hidden by "
                "the privacy guard."
            ),
        )
        if not view.slice_by
        else "",
        "trend_chart": charts.line_chart(
            view.trend,
            title=_("Organisation connection score by week"),
            desc=_("Rolling connection score for the whole organisation."),
        ),
        "network_chart": charts.network(
            view.nodes,
            view.edges,
            title=_("How teams connect"),
            desc=_(
                "%(n)s teams; lines are ties between people of two teams in "
                "the last 90 days, thicker for more."
            )
            % {"n": len(view.nodes)},
        ),
    }


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
    return [
        ("tenure_band", v, _("Tenure: %(band)s") % {"band": label})
        for v, label in TenureBand.choices
    ] + [
        ("location", v, _("Location: %(location)s") % {"location": label})
        for v, label in Location.choices
    ]


ORGANISATION = gettext_lazy("Whole organisation")


@hr_admin_required
@require_GET
@reads_replica
def org_insights_csv(request):
    form = OrgInsightsForm(request.GET, slices=_slice_choices())
    if not form.is_valid():
        return bad_request(request, form, back=reverse("insights_org"))
    view = dashboards.org_view(**form.view_arguments())
    # Which slice the file holds: in its name and on every row.
    held = f"{view.slice_by}: {view.slice_value}" if view.slice_by else _("everyone")
    named = f"-{view.slice_by}-{view.slice_value}" if view.slice_by else ""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="hearth-insights-{view.week}-level-{view.level}{named}.csv"'
    )
    writer = csv_writer(response)
    writer.writerow(
        [
            _("week"),
            _("team"),
            _("level"),
            *[str(c.header) for c in columns.CSV_COLUMNS],
            _("slice"),
        ]
    )
    teams = [(str(ORGANISATION), "", view.org)] + [
        (r["team"].name, view.level, r) for r in view.rows
    ]
    writer.writerows(
        [view.week, name, level, *[_cell(c.value(row)) for c in columns.CSV_COLUMNS], held]
        for name, level, row in teams
        if row
    )
    _other_tables(writer, view)
    record(
        actor=request.user,
        action=AuditEntry.Action.INSIGHTS_CSV,
        detail={"week": view.week, "level": view.level},
    )
    return response


def _cell(value):
    return _("not enough responses") if value is None else value


def _other_tables(writer, view) -> None:
    """The page's other tables follow, each under its own header row."""
    names = {node["id"]: node["label"] for node in view.nodes}
    _section(
        writer,
        [_("team"), _("team"), _("ties (90 days)")],
        [(names[a], names[b], n) for a, b, n in view.edges],
    )
    _section(
        writer,
        [_("programme"), _("kind"), _("people"), _("groups matched"), _("groups met %")],
        [
            (p["name"], p["kind"], p["members"], p["groups"], _cell(p["met_share"]))
            for p in view.programmes
        ],
    )
    _section(
        writer,
        [_("ritual"), _("teams"), _("running"), _("retired"), _("worth it %")],
        [
            (r["template"].name, r["teams"], r["active"], r["retired"], _cell(r["worth_it"]))
            for r in view.rituals
        ],
    )
    _section(
        writer,
        [_("budget team"), _("budget"), _("spent"), _("used %")],
        [
            (b["team"].name, b["budget"].money, b["budget"].spent or 0, _cell(b["used"]))
            for b in view.budgets
        ],
    )


def _section(writer, header: list[str], rows: list) -> None:
    writer.writerow([])
    writer.writerow(header)
    writer.writerows(rows)
