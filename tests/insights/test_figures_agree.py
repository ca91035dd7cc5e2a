"""Every page, CSV and API shows the same pulse figures for the same team and round.

The demo organisation is seeded once for the module (rolled back at the end). For
every team, what the results page, the HR pulse page, the insights pages, both
CSVs and both APIs show is read back as a person would see it and compared: the
connection score, the dimension shares, eNPS, the response rate, the people count,
the rolling trend and the tenure and location slices.
"""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from connection.models import Location, Team, User
from insights.models import TeamWeek
from pulse.models import CORE_DIMENSIONS, Round, TenureBand
from tests.helpers import seeded_demo

pytestmark = pytest.mark.django_db

CELL = r'<td class="num">([^<]*)</td>'


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with seeded_demo(django_db_blocker):
        yield


@pytest.fixture
def hr(client):
    client.force_login(User.objects.get(email="hana@hearth.example"))
    return client


@pytest.fixture
def latest() -> Round:
    return Round.objects.reported().order_by("-number").first()


def _number(text: str | None) -> float | None:
    """A figure as a page prints it; None for 'hidden', '–', 'not shown' and the like."""
    found = re.search(r"-?\d+(\.\d+)?", text or "")
    return float(found.group()) if found else None


def whole(value: float | None) -> float | None:
    """A figure rounded as the pages print it (half up)."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def results_page(client, team: Team) -> dict:
    page = client.get(f"/pulse/results/?team={team.pk}").content.decode()
    stat = r'<span class="stat-value">([^<]*)</span><span class="stat-label">([^<·]*)'
    stats = {label.strip(): value.strip() for value, label in re.findall(stat, page)}
    answered = next((label for label in stats if label.startswith("people answered")), "")
    rate = re.search(r"about (\d+)% of the team answered", page)
    hidden_or_share = r'(<span class="muted">hidden</span>|[\d.]+%)'
    dims = dict(re.findall(rf'<th scope="row">(\w+)</th><td class="num">{hidden_or_share}', page))
    enps_row = re.search(r'<td>eNPS</td><td class="num">(.*?)</td>', page)
    trend = re.findall(rf'<tr><th scope="row">\d\d \w{{3}}</th>{CELL}</tr>', page)
    return {
        "score": _number(stats.get("connection score (0–100)")),
        "respondents": _number(stats.get(answered)),
        "answered_label": answered,
        "enps": _number(stats.get("eNPS")),
        "enps_promoters": _number(enps_row.group(1)) if enps_row else None,
        "response_rate": int(rate.group(1)) if rate else None,
        "dimensions": {d.value: _number(dims.get(d.label)) for d in CORE_DIMENSIONS},
        "rolling": _number(trend[-1]) if trend else None,
    }


def insights_page(client, team: Team) -> dict:
    page = client.get(f"/insights/?team={team.pk}").content.decode()
    figures = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">(.*?)</td>', page))
    score = next((v for label, v in figures.items() if label.startswith("Connection score")), "")
    # The heat table: one column per week whose round has closed, the latest last.
    head = re.search(
        r'<th scope="col">Dimension</th>((?:<th scope="col" class="num">[^<]+</th>)+)', page
    )
    weeks = re.findall(r">([^<]+)</th>", head.group(1)) if head else []
    heat = {
        label: re.findall(CELL, cells)[-1]
        for label, cells in re.findall(
            r'<tr><th scope="row">(\w+)</th>((?:<td class="num">[^<]*</td>)+)</tr>', page
        )
    }
    return {
        "score": _number(score),
        "response_rate": _number(figures.get("Answered the pulse")),
        "dimensions": {d.value: _number(heat.get(d.label)) for d in CORE_DIMENSIONS},
        "last_week": weeks[-1] if weeks else None,
    }


def test_every_team_shows_the_same_figures_everywhere(hr, latest):
    assert latest is not None
    week = TeamWeek.objects.filter(team__isnull=True, round_number=latest.number).exclude(
        dimensions={}
    )
    assert week.exists(), "the nightly figures cover the latest reported round"
    monday = week.get().week
    week_labels = [monday.strftime("%d %b").lstrip("0"), str(monday.day)]
    pulse_csv = _csv(hr.get("/pulse/org.csv"))
    header = pulse_csv[0]
    pulse_rows = {
        (row[header.index("team")], int(row[header.index("round")])): row for row in pulse_csv[1:]
    }
    insight_rows = {}
    for level in sorted(set(Team.objects.values_list("depth", flat=True))):
        rows = _csv(hr.get(f"/insights/org.csv?level={level}"))
        head = rows[0]
        for row in rows[1:]:
            if not row:
                break
            insight_rows[row[head.index("team")]] = dict(zip(head, row, strict=True))
    org_page = hr.get("/pulse/org/")
    org_rows = {t.pk: r for _, t, r in org_page.context["rows"] if t is not None}
    problems: list[str] = []

    def same(what: str, *shown) -> None:
        if len(set(shown)) > 1:
            problems.append(f"{what}: {' vs '.join(map(str, shown))}")

    checked = 0
    for team in Team.objects.order_by("path"):
        results = results_page(hr, team)
        insights = insights_page(hr, team)
        api = hr.get(f"/api/pulse/teams/{team.pk}/results/").json()
        api_insights = hr.get(f"/api/insights/teams/{team.pk}/").json()
        in_csv = dict(zip(header, pulse_rows[(team.name, latest.number)], strict=True))
        org_csv = insight_rows[team.name]
        name = team.name
        answered = results["answered_label"]
        assert api["round"] == latest.number
        if team.children.exists() and results["respondents"] is not None:
            same(f"{name} people count names the teams below", True, "below" in answered)
        # The heat map's latest column is the round's week.
        last = insights["last_week"]
        same(f"{name} heat map's last week is {last}", True, last in (None, *week_labels))
        # The round's connection score: results page, its API, the HR pulse page,
        # the insights page, its API and the insights CSV.
        api_figure = next(
            f["value"] for f in api_insights["figures"] if f["label"].startswith("Connection score")
        )
        csv_score = next(v for k, v in org_csv.items() if k.startswith("connection score"))
        same(
            f"{name} score (results, results API, HR pulse page, insights, insights API, CSV)",
            results["score"],
            whole(api["connection_score"]),
            whole(org_rows[team.pk].score),
            insights["score"],
            _number(api_figure),
            whole(_number(csv_score)),
        )
        # The rolling trend's point for this round: results chart, pulse CSV, nightly.
        rolling = TeamWeek.objects.get(team=team, week=monday).score_rolling
        same(
            f"{name} rolling score (results, pulse CSV, nightly)",
            results["rolling"],
            whole(_number(in_csv["connection score (4-round rolling)"])),
            whole(rolling),
        )
        # People who answered, and the response rate.
        same(
            f"{name} people answered (results, API, pulse CSV)",
            results["respondents"],
            api["respondents"] if api["shown"] else None,
            _number(in_csv["respondents"]),
        )
        same(
            f"{name} response rate (results, insights, insights CSV)",
            results["response_rate"],
            insights["response_rate"],
            _number(org_csv["answered the pulse %"]),
            *([] if api["shown"] else [None]),
        )
        # eNPS: the headline, its question's row (promoters), the API and the CSV.
        same(
            f"{name} eNPS (results, API, pulse CSV)",
            results["enps"],
            api["enps"],
            _number(in_csv["eNPS"]),
        )
        if api["enps"] is None:
            same(f"{name} eNPS hidden, promoters shown", None, results["enps_promoters"])
        # Dimension shares.
        for dimension in CORE_DIMENSIONS:
            key, label = dimension.value, dimension.label
            weeks = api_insights["dimensions"].get(label, {})
            same(
                f"{name} {key} (results, results API, insights, insights API, CSV)",
                results["dimensions"][key],
                whole(api["favourable"].get(key)),
                insights["dimensions"][key],
                whole(list(weeks.values())[-1] if weeks else None),
                whole(_number(org_csv[f"{label} favourable %"])),
            )
        checked += 1
    assert checked == Team.objects.count() >= 10
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("by", ["tenure_band", "location"])
def test_every_slice_score_agrees_between_the_pulse_page_and_the_org_dashboard(hr, by):
    values = TenureBand.values if by == "tenure_band" else Location.values
    dashboard: dict = {}
    for level in sorted(set(Team.objects.values_list("depth", flat=True))):
        for value in values:
            query = {"level": level, "slice": f"{by}:{value}"}
            view = hr.get("/insights/org/", query).context["view"]
            for row in view.rows:
                dashboard[(row["team"].pk, value)] = row["score"]
    compared = 0
    for team in Team.objects.all():
        slices = hr.get(f"/pulse/org/?team={team.pk}&by={by}").context["slices"]
        scores = {s["value"]: s["score"] for s in slices}
        for value in values:
            assert scores.get(value) == dashboard[(team.pk, value)], (team.name, value)
            compared += 1
    assert compared
