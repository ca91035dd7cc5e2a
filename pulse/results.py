"""Reading pulse snapshots into what a page may show, through the privacy guard.

Every figure is summed from snapshot cells, then judged by
`connection.privacy` against the whole organisation's tree, so what one
viewer sees can never be subtracted from what another sees to isolate
fewer than k people.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from connection import privacy
from connection.models import Team
from pulse.models import CellAnswer, Dimension, Receipt, Response, Round, RoundCell

SUMS = ("n", "s", "e", "p", "d")
CORE_DIMENSIONS = [d for d in Dimension if d != Dimension.ENPS]


@dataclass
class GroupResult:
    round: Round
    shown: bool
    reason: str = ""
    respondents: int | None = None
    score: float | None = None
    enps: int | None = None
    enps_reason: str = ""
    dimensions: dict = field(default_factory=dict)
    questions: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    comments_reason: str = ""
    change: float | None = None
    change_reason: str = ""


class OrgSnapshot:
    """Team totals for some reported rounds, with the guard's verdicts."""

    def __init__(self, rounds: list[Round]):
        self.rounds = rounds
        self.teams = {
            t["pk"]: (t["parent_id"], t["path"])
            for t in Team.objects.values("pk", "parent_id", "path")
        }
        rows = (
            RoundCell.objects.filter(round__in=rounds)
            .values("round_id", "team_id")
            .annotate(
                n=Sum("respondents"),
                s=Sum("score_sum"),
                e=Sum("enps_answers"),
                p=Sum("promoters"),
                d=Sum("detractors"),
            )
            .order_by()
        )
        self.direct: dict[int, dict] = defaultdict(dict)
        for row in rows:
            self.direct[row["round_id"]][row["team_id"]] = {key: row[key] for key in SUMS}
        self.subtree: dict[int, dict] = {}
        self.verdicts: dict[int, dict] = {}
        for round_ in rounds:
            self._judge(round_)

    def _judge(self, round_: Round) -> None:
        direct = self.direct[round_.pk]
        totals: dict = defaultdict(lambda: dict.fromkeys(SUMS, 0))
        for team_id, sums in direct.items():
            owners = [None]
            if team_id in self.teams:
                owners += [int(i) for i in self.teams[team_id][1].strip("/").split("/")]
            for owner in owners:
                for key in SUMS:
                    totals[owner][key] += sums[key]
        self.subtree[round_.pk] = totals
        nodes = {
            pk: (parent, direct.get(pk, {}).get("n", 0)) for pk, (parent, _) in self.teams.items()
        }
        unassigned = direct.get(None, {}).get("n", 0)
        self.verdicts[round_.pk] = privacy.tree(nodes, round_.min_group_size, unassigned)

    def verdict(self, round_: Round, team_id: int | None) -> privacy.Verdict:
        return self.verdicts[round_.pk].get(
            team_id, (0, privacy.Verdict(False, privacy.NOT_ENOUGH))
        )[1]

    def headline(self, round_: Round, team_id: int | None) -> GroupResult:
        verdict = self.verdict(round_, team_id)
        if not verdict:
            return GroupResult(round=round_, shown=False, reason=verdict.reason)
        sums = self.subtree[round_.pk][team_id]
        k = round_.min_group_size
        result = GroupResult(
            round=round_,
            shown=True,
            respondents=sums["n"],
            score=privacy.mean(sums["s"], sums["n"], k),
        )
        passive = sums["e"] - sums["p"] - sums["d"]
        if privacy.distribution([sums["p"], passive, sums["d"]], k) is None:
            result.enps_reason = "Hidden: answers too alike to show"
        else:
            result.enps = round(100 * (sums["p"] - sums["d"]) / sums["e"])
        return result

    def trend(self, team_id: int | None) -> list[tuple[str, float | None]]:
        points = []
        for round_ in reversed(self.rounds):
            result = self.headline(round_, team_id)
            points.append((round_.week_label, result.score if result.shown else None))
        return points


def subtree_filter(team: Team | None, prefix: str = "") -> dict:
    return {f"{prefix}team__path__startswith": team.path} if team else {}


def detail(snapshot: OrgSnapshot, round_: Round, team: Team | None) -> GroupResult:
    """Headline plus dimensions, items, comments and the change since the round before."""
    result = snapshot.headline(round_, team.pk if team else None)
    if not result.shown:
        return result
    k = round_.min_group_size
    stats = CellAnswer.objects.filter(cell__round=round_, **subtree_filter(team, "cell__")).values(
        "question_id", "question__text", "dimension", "answers", "favourable", "counts"
    )
    by_question: dict = {}
    by_dimension: dict = defaultdict(lambda: [0, 0])
    for row in stats:
        item = by_question.setdefault(
            row["question_id"],
            {
                "text": row["question__text"],
                "dimension": row["dimension"],
                "answers": 0,
                "favourable": 0,
                "counts": [0] * len(row["counts"]),
            },
        )
        item["answers"] += row["answers"]
        item["favourable"] += row["favourable"]
        item["counts"] = [a + b for a, b in zip(item["counts"], row["counts"], strict=True)]
        by_dimension[row["dimension"]][0] += row["favourable"]
        by_dimension[row["dimension"]][1] += row["answers"]
    result.dimensions = {
        d: privacy.share(*by_dimension[d.value], k) if d.value in by_dimension else None
        for d in CORE_DIMENSIONS
    }
    result.questions = [
        {
            "text": item["text"],
            "dimension": Dimension(item["dimension"]).label,
            "favourable": privacy.share(item["favourable"], item["answers"], k),
            "counts": privacy.distribution(item["counts"], k),
        }
        for item in by_question.values()
    ]
    if privacy.comments_allowed(result.respondents, k, round_.comment_threshold):
        comments = list(
            Response.objects.filter(round=round_, **subtree_filter(team))
            .exclude(comment="")
            .values_list("comment", flat=True)
        )
        random.shuffle(comments)
        result.comments = comments
    else:
        result.comments_reason = (
            f"Comments appear once at least {round_.comment_threshold} people answered."
        )
    _change(snapshot, round_, team, result)
    return result


def _change(snapshot: OrgSnapshot, round_: Round, team: Team | None, result: GroupResult) -> None:
    earlier = [r for r in snapshot.rounds if r.number < round_.number]
    if not earlier:
        return
    previous = earlier[0]
    before = snapshot.headline(previous, team.pk if team else None)
    if not before.shown:
        result.change_reason = "No comparison: not enough responses the round before"
        return
    both = (
        Receipt.objects.filter(round__in=[previous, round_], **subtree_filter(team))
        .values("person_id")
        .annotate(rounds=Count("round_id", distinct=True))
        .filter(rounds=2)
        .count()
    )
    verdict = privacy.change(before.respondents, result.respondents, both, round_.min_group_size)
    if verdict:
        result.change = round(result.score - before.score, 1)
    else:
        result.change_reason = verdict.reason


def slices(snapshot: OrgSnapshot, round_: Round, team: Team | None, by: str) -> list[dict]:
    """The group split by tenure band or location, each part judged twice: against its
    siblings inside the group, and against the same part in every other team."""
    if by not in ("tenure_band", "location"):
        raise ValueError(by)
    k = round_.min_group_size
    team_id = team.pk if team else None
    if not snapshot.verdict(round_, team_id):
        return []
    rows = (
        RoundCell.objects.filter(round=round_)
        .values("team_id", by)
        .annotate(n=Sum("respondents"), s=Sum("score_sum"))
        .order_by()
    )
    per_value: dict = defaultdict(dict)
    for row in rows:
        per_value[row[by]][row["team_id"]] = (row["n"], row["s"])
    inside: dict = {}
    for value, teams in per_value.items():
        n = s = 0
        for tid, (count, total) in teams.items():
            if team is None or (
                tid in snapshot.teams and snapshot.teams[tid][1].startswith(team.path)
            ):
                n, s = n + count, s + total
        inside[value] = (n, s)
    verdicts = privacy.partition({v: n for v, (n, _) in inside.items()}, k)
    out = []
    for value, (n, s) in sorted(inside.items()):
        nodes = {
            pk: (parent, per_value[value].get(pk, (0, 0))[0])
            for pk, (parent, _) in snapshot.teams.items()
        }
        across = privacy.tree(nodes, k, per_value[value].get(None, (0, 0))[0])
        verdict = verdicts[value]
        if verdict and not across.get(team_id, (0, privacy.Verdict(False)))[1]:
            verdict = privacy.Verdict(False, "Hidden: it would reveal a smaller group elsewhere")
        out.append(
            {
                "value": value,
                "shown": bool(verdict),
                "reason": verdict.reason,
                "respondents": n if verdict else None,
                "score": privacy.mean(s, n, k) if verdict else None,
            }
        )
    return out


def latest_rounds(count: int = 12) -> list[Round]:
    return list(Round.objects.reported().order_by("-number")[:count])
