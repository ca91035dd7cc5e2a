"""Reading pulse snapshots into what a page may show, through the privacy guard.

Figures are summed from snapshot cells over the team tree frozen when the
round was reported, and shown only where the verdict decided then says so
(`GroupVerdict`). Shares and comments are also checked against each shown
neighbour (the team above, the teams below), so no subtraction between two
figures a viewer can see isolates a lopsided or small group.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from connection import privacy
from connection.models import Team
from pulse.models import (
    CellAnswer,
    Dimension,
    GroupVerdict,
    Response,
    Round,
    RoundCell,
    RoundTeam,
)
from pulse.services import owners, respondent_sets

SUMS = ("n", "s", "e", "p", "d")
ROLLING = 4  # rounds pooled in each point of a trend
CORE_DIMENSIONS = [d for d in Dimension if d != Dimension.ENPS]
HIDDEN = privacy.Verdict(False, privacy.NOT_ENOUGH)


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
    """Frozen trees, stored verdicts and team totals for some reported rounds."""

    def __init__(self, rounds: list[Round]):
        self.rounds = rounds
        self.tree: dict[int, dict] = defaultdict(dict)
        for node in RoundTeam.objects.filter(round__in=rounds):
            self.tree[node.round_id][node.team_id] = (node.parent_id_then, node.path)
        self.verdicts: dict[int, dict] = defaultdict(dict)
        for verdict in GroupVerdict.objects.filter(round__in=rounds):
            self.verdicts[verdict.round_id][verdict.team_id] = privacy.Verdict(
                verdict.shown, verdict.reason
            )
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
        self.subtree: dict[int, dict] = {
            r.pk: defaultdict(lambda: dict.fromkeys(SUMS, 0)) for r in rounds
        }
        for row in rows:
            path = self.tree[row["round_id"]].get(row["team_id"], (None, None))[1]
            for owner in owners(path):
                for key in SUMS:
                    self.subtree[row["round_id"]][owner][key] += row[key]

    def verdict(self, round_: Round, team_id: int | None) -> privacy.Verdict:
        return self.verdicts[round_.pk].get(team_id, HIDDEN)

    def members(self, round_: Round, team_id: int | None) -> list[int]:
        """Team ids in a team's subtree as it was for the round (all for the org)."""
        tree = self.tree[round_.pk]
        if team_id is None:
            return list(tree)
        if team_id not in tree:
            return []
        path = tree[team_id][1]
        return [pk for pk, (_, p) in tree.items() if p.startswith(path)]

    def neighbours(self, round_: Round, team_id: int | None) -> list[int | None]:
        """Shown groups one level up or down: what a figure could be subtracted from."""
        tree = self.tree[round_.pk]
        around = [pk for pk, (parent, _) in tree.items() if parent == team_id]
        if team_id is None:
            around = [pk for pk, (parent, _) in tree.items() if parent not in tree]
        elif team_id in tree:
            parent = tree[team_id][0]
            around.append(parent if parent in tree else None)
        return [pk for pk in around if self.verdict(round_, pk)]

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
        buckets = self._enps_buckets(round_, team_id)
        if not privacy.buckets_shown(buckets, self._enps_neighbours(round_, team_id), k):
            result.enps_reason = "Hidden: answers too alike to show"
        else:
            result.enps = round(100 * (sums["p"] - sums["d"]) / sums["e"])
        return result

    def _enps_buckets(self, round_: Round, team_id: int | None) -> list[int]:
        sums = self.subtree[round_.pk][team_id]
        return [sums["p"], sums["e"] - sums["p"] - sums["d"], sums["d"]]

    def _enps_neighbours(self, round_: Round, team_id: int | None) -> list[list[int]]:
        return [self._enps_buckets(round_, pk) for pk in self.neighbours(round_, team_id)]

    def trend(self, team_id: int | None) -> list[tuple[str, float | None]]:
        """A rolling window: each point pools the shown rounds among the last
        ROLLING, so no point isolates one week's small change in who answered."""
        points = []
        chronological = list(reversed(self.rounds))
        for index, round_ in enumerate(chronological):
            window = [
                r
                for r in chronological[max(0, index - ROLLING + 1) : index + 1]
                if self.verdict(r, team_id)
            ]
            if not window or not self.verdict(round_, team_id):
                points.append((round_.week_label, None))
                continue
            n = sum(self.subtree[r.pk][team_id]["n"] for r in window)
            s = sum(self.subtree[r.pk][team_id]["s"] for r in window)
            points.append((round_.week_label, round(s / n, 1)))
        return points


def detail(snapshot: OrgSnapshot, round_: Round, team: Team | None) -> GroupResult:
    """Headline plus dimensions, items, comments and the change since the round before."""
    team_id = team.pk if team else None
    result = snapshot.headline(round_, team_id)
    if not result.shown:
        return result
    k = round_.min_group_size
    tree = snapshot.tree[round_.pk]
    # Answer counts per value, per team, item and dimension, summed up the frozen tree.
    per_node: dict = defaultdict(dict)
    texts: dict = {}
    for row in CellAnswer.objects.filter(cell__round=round_).values(
        "cell__team_id", "question_id", "question__text", "dimension", "counts"
    ):
        texts[row["question_id"]] = (row["question__text"], row["dimension"])
        path = tree.get(row["cell__team_id"], (None, None))[1]
        for owner in owners(path):
            for key in (("q", row["question_id"]), ("d", row["dimension"])):
                vector = per_node[owner].setdefault(key, [0] * len(row["counts"]))
                for i, count in enumerate(row["counts"]):
                    vector[i] += count
    around = snapshot.neighbours(round_, team_id)

    def share(key) -> float | None:
        mine = per_node[team_id].get(key)
        if not mine:
            return None
        others = [per_node[x][key] for x in around if key in per_node[x]]
        if not privacy.buckets_shown(mine, others, k):
            return None
        favourable = sum(mine[9:]) if len(mine) == 11 else sum(mine[3:])
        return round(100 * favourable / sum(mine), 1)

    result.dimensions = {d: share(("d", d.value)) for d in CORE_DIMENSIONS}
    result.questions = [
        {
            "text": text,
            "dimension": Dimension(dimension).label,
            "favourable": share(("q", question_id)),
            "is_enps": dimension == Dimension.ENPS,
        }
        for question_id, (text, dimension) in texts.items()
        if ("q", question_id) in per_node[team_id]
    ]
    _comments(snapshot, round_, team_id, result)
    _change(snapshot, round_, team_id, result)
    return result


def _comments(snapshot: OrgSnapshot, round_: Round, team_id, result: GroupResult) -> None:
    threshold = max(round_.comment_threshold, round_.min_group_size)
    n = result.respondents
    tree = snapshot.tree[round_.pk]

    def size(pk) -> int:
        return snapshot.subtree[round_.pk][pk]["n"]

    def speaks(pk) -> bool:
        return bool(snapshot.verdict(round_, pk)) and size(pk) >= threshold

    ok = n >= threshold
    if ok and team_id is not None:
        parent = tree.get(team_id, (None, None))[0]
        parent = parent if parent in tree else None
        rest = size(parent) - n
        ok = not speaks(parent) or rest == 0 or rest >= threshold
    children = (
        [pk for pk, (p, _) in tree.items() if p == team_id]
        if team_id
        else [pk for pk, (p, _) in tree.items() if p not in tree]
    )
    speaking = [pk for pk in children if speaks(pk)]
    rest = n - sum(size(pk) for pk in speaking)
    if ok and speaking and 0 < rest < threshold:
        ok = False
    if not ok:
        result.comments_reason = (
            f"Comments appear once at least {threshold} people answered in this team and in "
            "the teams around it, so no one’s words can be singled out."
        )
        return
    comments = (
        list(
            Response.objects.filter(round=round_, team_id__in=snapshot.members(round_, team_id))
            .exclude(comment="")
            .values_list("comment", flat=True)
        )
        if team_id is not None
        else list(
            Response.objects.filter(round=round_)
            .exclude(comment="")
            .values_list("comment", flat=True)
        )
    )
    random.shuffle(comments)
    result.comments = comments


def _change(snapshot: OrgSnapshot, round_: Round, team_id, result: GroupResult) -> None:
    earlier = [r for r in snapshot.rounds if r.number < round_.number]
    if not earlier:
        return
    previous = earlier[0]
    before = snapshot.headline(previous, team_id)
    if not before.shown:
        result.change_reason = "No comparison: not enough responses the round before"
        return
    sets = respondent_sets([previous.pk, round_.pk])
    a, b = sets[previous.pk][team_id], sets[round_.pk][team_id]
    verdict = privacy.change(len(a), len(b), len(a & b), round_.min_group_size)
    if verdict:
        result.change = round(result.score - before.score, 1)
    else:
        result.change_reason = verdict.reason


def slices(snapshot: OrgSnapshot, round_: Round, team: Team | None, by: str) -> list[dict]:
    """The group split by tenure band or location. Each part is judged against its
    siblings inside the group, against the same part in every other team, and
    against the same part the round before (respondents differing by 1 to k-1)."""
    if by not in ("tenure_band", "location"):
        raise ValueError(by)
    k = round_.min_group_size
    team_id = team.pk if team else None
    if not snapshot.verdict(round_, team_id):
        return []
    tree = snapshot.tree[round_.pk]
    inside_ids = set(snapshot.members(round_, team_id)) if team_id else None
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
            if inside_ids is None or tid in inside_ids:
                n, s = n + count, s + total
        inside[value] = (n, s)
    verdicts = privacy.partition({v: n for v, (n, _) in inside.items()}, k)
    earlier = [r for r in snapshot.rounds if r.number < round_.number]
    out = []
    for value, (n, s) in sorted(inside.items()):
        nodes = {
            pk: (parent, per_value[value].get(pk, (0, 0))[0]) for pk, (parent, _) in tree.items()
        }
        across = privacy.tree(nodes, k, per_value[value].get(None, (0, 0))[0])
        verdict = verdicts[value]
        if verdict and not across.get(team_id, (0, HIDDEN))[1]:
            verdict = privacy.Verdict(False, "Hidden: it would reveal a smaller group elsewhere")
        if verdict and earlier and _slice_changed_by_few(round_, earlier[0], team, by, value, k):
            verdict = privacy.Verdict(
                False, "Hidden: only a few people differ from the round before"
            )
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


def _slice_changed_by_few(round_, previous, team, by, value, k) -> bool:
    from pulse.models import Receipt

    def people(r) -> set:
        receipts = Receipt.objects.filter(round=r, **{by: value})
        if team is not None:
            ids = RoundTeam.objects.filter(round=r, path__startswith=_frozen_path(r, team))
            receipts = receipts.filter(team_id__in=ids.values("team_id"))
        return set(receipts.values_list("person_id", flat=True))

    differ = len(people(round_) ^ people(previous))
    return 0 < differ < k


def _frozen_path(round_: Round, team: Team) -> str:
    node = RoundTeam.objects.filter(round=round_, team=team).first()
    return node.path if node else "/none/"


def latest_rounds(count: int = 12) -> list[Round]:
    return list(Round.objects.reported().order_by("-number")[:count])
