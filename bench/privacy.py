"""Privacy: what the audited publication keeps, and what it costs.

For the demo organisation (seed_demo with its twelve weeks of pulse) and for a
generated org of N people (seed_demo --bare, then one round in which 76-92 % of
each team answer):

- coverage: the share of respondents whose own team's figure HR can read, and
  how many departments (level 1, the teams below the divisions) show a figure;
  before (the earlier guard, one figure at a time: `connection.privacy.tree`
  over the same round) and after (what `pulse.publication` published);
- how long publishing the latest round takes (the audit included);
- the results pages and the API at that size: queries and median ms.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time

from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from bench.measure import print_table, seed_org, time_page
from connection import privacy
from connection.models import Team, User
from insights.demo.pulse import one_round
from pulse.models import Published, Round, RoundCell, RoundTeam
from pulse.publication import publish

REPEATS = 5
MAX_QUERIES = 15
MAX_MS = 100


def coverage(round_: Round) -> dict:
    """Respondents whose own team's figure is shown, and departments shown, before
    (the tree guard alone) and after (the published set)."""
    direct = dict(
        RoundCell.objects.filter(round=round_)
        .values("team_id")
        .annotate(n=Sum("respondents"))
        .values_list("team_id", "n")
    )
    tree = {t.team_id: (t.parent_id_then, t.path) for t in RoundTeam.objects.filter(round=round_)}
    before = privacy.tree(
        {pk: (parent, direct.get(pk, 0)) for pk, (parent, _) in tree.items()},
        round_.min_group_size,
        direct.get(None, 0),
    )
    shown_before = {pk for pk, (_, verdict) in before.items() if verdict and pk is not None}
    shown_after = set(
        Published.objects.filter(round=round_, by="", shown=True, team__isnull=False).values_list(
            "team_id", flat=True
        )
    )
    departments = [pk for pk, (_, path) in tree.items() if path.count("/") == 3]
    total = sum(n for pk, n in direct.items() if pk is not None)

    def people(shown: set) -> str:
        covered = sum(n for pk, n in direct.items() if pk in shown)
        return f"{100 * covered / total:.0f}%"

    def level_one(shown: set) -> str:
        return f"{sum(pk in shown for pk in departments)} of {len(departments)}"

    return {
        "people before": people(shown_before),
        "people after": people(shown_after),
        "departments before": level_one(shown_before),
        "departments after": level_one(shown_after),
    }


def pages(round_: Round) -> list[tuple[str, str, object]]:
    hana = User.objects.get(email__startswith="hana@")
    alice = User.objects.get(email__startswith="alice@")
    platform = Team.objects.get(name="Platform")
    return [
        (f"/pulse/results/?team={platform.pk}", "manager", alice),
        (f"/api/pulse/teams/{platform.pk}/results/", "manager", alice),
        (f"/pulse/results/?team={platform.pk}", "HR admin", hana),
        ("/pulse/org/", "HR admin", hana),
        ("/pulse/org/?by=location", "HR admin", hana),
        ("/pulse/org.csv", "HR admin", hana),
    ]


def run(people: int) -> list[str]:
    problems: list[str] = []
    rows, page_rows = [], []
    for label, size in (("demo", 150), ("generated", people)):
        call_command("flush", interactive=False, verbosity=0)
        if label == "demo":
            call_command("seed_demo", stdout=io.StringIO())
            round_ = Round.objects.reported().order_by("-number").first()
        else:
            seed_org(size)
            opened = timezone.now() - dt.timedelta(days=8)
            round_ = one_round(opened=opened, rng=random.Random(5))
        started = time.perf_counter()
        publish(round_)
        seconds = time.perf_counter() - started
        figures = coverage(round_)
        responses = round_.cells.aggregate(n=Sum("respondents"))["n"]
        rows.append(
            [
                f"{label} ({User.objects.active().count():,} people)",
                f"{responses:,}",
                f"{Team.objects.count():,}",
                figures["people before"],
                figures["people after"],
                figures["departments before"],
                figures["departments after"],
                f"{seconds:.2f}",
            ]
        )
        if label == "generated":
            for path, who, user in pages(round_):
                timing = time_page(path, user, REPEATS)
                page_rows.append(
                    [path, who, str(timing.queries), f"{timing.median_ms:.1f}", str(timing.status)]
                )
                is_export = path.endswith(".csv")
                if timing.queries > MAX_QUERIES or (timing.median_ms > MAX_MS and not is_export):
                    problems.append(
                        f"{path} as {who} at {size:,} people: {timing.queries} queries, "
                        f"{timing.median_ms:.0f} ms (limits {MAX_QUERIES}, {MAX_MS} ms)"
                    )
    print("Privacy: what the audited publication shows HR, and what it costs")
    print_table(
        [
            "org",
            "respondents",
            "teams",
            "own team shown: before",
            "after",
            "departments shown: before",
            "after",
            "publish s",
        ],
        rows,
    )
    print(
        "(latest round; before = the earlier guard, one figure at a time, over the same "
        "round; after = what the audit published; publish = pulse.publication.publish)"
    )
    print()
    print_table(["page", "as", "queries", "median ms", "status"], page_rows)
    print(f"(at {people:,} people; median of {REPEATS} after a warm-up; the CSV is an export)")
    return problems
