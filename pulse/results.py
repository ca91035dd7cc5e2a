"""Every pulse figure, read from the round snapshots through the privacy guard.

Each figure has one method on `OrgSnapshot`: the team score, eNPS, the
dimension and item shares, the response rate, the rolling trend and the
tenure and location slices. The results pages, the insights dashboards, the
nightly job, the CSVs and the API all call these, so two pages never show two
numbers for the same team and round.

Figures are summed from snapshot cells over the team tree frozen when the
round was reported, and shown only where the verdict decided then says so
(`GroupVerdict`). Shares and comments are also checked against each shown
neighbour (the team above, the teams below), so no subtraction between two
figures a viewer can see isolates a lopsided or small group.
"""

from __future__ import annotations

import operator
import random
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Count, Q, Sum

from connection import privacy
from connection.models import Team, User
from pulse.models import (
    CORE_DIMENSIONS,
    CellAnswer,
    Dimension,
    GroupVerdict,
    Receipt,
    Response,
    Round,
    RoundCell,
    RoundTeam,
)
from pulse.services import owners, respondent_sets

SUMS = ("n", "s", "e", "p", "d")
ROLLING = 4  # rounds pooled in each point of a trend
SLICES = ("tenure_band", "location")
HIDDEN = privacy.Verdict(False, privacy.NOT_ENOUGH)
TOO_ALIKE = "Hidden: answers too alike to show"
PROMOTERS_FROM = 2  # eNPS buckets, lowest first: detractors, passives, promoters


@dataclass
class GroupResult:
    round: Round
    shown: bool
    reason: str = ""
    respondents: int | None = None
    score: float | None = None
    enps: int | None = None
    enps_reason: str = ""
    response_rate: int | None = None
    dimensions: dict = field(default_factory=dict)
    questions: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    comments_reason: str = ""
    change: float | None = None
    change_reason: str = ""


@dataclass(frozen=True)
class Enps:
    value: int | None
    promoters: float | None  # share of the eNPS answers that were 9 or 10
    reason: str = ""


class OrgSnapshot:
    """Frozen trees, stored verdicts and team totals for some reported rounds, and
    every figure a page may show about them (one method per figure)."""

    def __init__(self, rounds: list[Round], *, earlier: int = ROLLING - 1):
        """`rounds` are the rounds a page lists (`trend`); the `earlier` reported
        rounds before the oldest of them are loaded too, so that every listed
        round's rolling point pools a full window, as the nightly job's does."""
        self.listed = sorted(rounds, key=lambda r: -r.number)
        before = []
        if self.listed and earlier:
            before = list(
                Round.objects.reported()
                .filter(number__lt=self.listed[-1].number)
                .order_by("-number")[:earlier]
            )
        self.rounds = self.listed + before
        self.tree: dict[int, dict] = defaultdict(dict)
        for node in RoundTeam.objects.filter(round__in=self.rounds):
            self.tree[node.round_id][node.team_id] = (node.parent_id_then, node.path)
        self.verdicts: dict[int, dict] = defaultdict(dict)
        for verdict in GroupVerdict.objects.filter(round__in=self.rounds):
            self.verdicts[verdict.round_id][verdict.team_id] = privacy.Verdict(
                verdict.shown, verdict.reason
            )
        rows = (
            RoundCell.objects.filter(round__in=self.rounds)
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
            r.pk: defaultdict(lambda: dict.fromkeys(SUMS, 0)) for r in self.rounds
        }
        for row in rows:
            path = self.tree[row["round_id"]].get(row["team_id"], (None, None))[1]
            for owner in owners(path):
                for key in SUMS:
                    self.subtree[row["round_id"]][owner][key] += row[key]
        # Loaded on first use, once per round (or per round and slice).
        self._kids: dict = {}
        self._answers: dict = {}
        self._people: dict = {}
        self._slices: dict = {}

    # ------------------------------------------------------------ the frozen tree

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
        if round_.pk not in self._kids:
            kids: dict = defaultdict(list)
            for pk, (parent, _) in tree.items():
                # The organisation's children are the teams whose parent is not in the tree.
                kids[parent if parent in tree else None].append(pk)
            self._kids[round_.pk] = kids
        around = list(self._kids[round_.pk].get(team_id, []))
        if team_id in tree:
            parent = tree[team_id][0]
            around.append(parent if parent in tree else None)
        return [pk for pk in around if self.verdict(round_, pk)]

    # ------------------------------------------------------------ the figures

    def respondents(self, round_: Round, team_id: int | None) -> int | None:
        if not self.verdict(round_, team_id):
            return None
        return self.subtree[round_.pk][team_id]["n"]

    def score(self, round_: Round, team_id: int | None) -> float | None:
        """The group's connection score for the round: the mean of its respondents'."""
        if not self.verdict(round_, team_id):
            return None
        sums = self.subtree[round_.pk][team_id]
        return privacy.mean(sums["s"], sums["n"], round_.min_group_size)

    def rolling(self, round_: Round, team_id: int | None) -> float | None:
        """The trend's point for a round: the shown rounds among the last ROLLING up
        to it, pooled, so no point isolates one week's small change in who answered."""
        if not self.verdict(round_, team_id):
            return None
        window = [r for r in self.rounds if r.number <= round_.number][:ROLLING]
        window = [r for r in window if self.verdict(r, team_id)]
        n = sum(self.subtree[r.pk][team_id]["n"] for r in window)
        s = sum(self.subtree[r.pk][team_id]["s"] for r in window)
        return round(s / n, 1)

    def trend(self, team_id: int | None) -> list[tuple[str, float | None]]:
        """The rolling point of each listed round, oldest first."""
        return [(r.week_label, self.rolling(r, team_id)) for r in reversed(self.listed)]

    def enps(self, round_: Round, team_id: int | None) -> Enps:
        """eNPS and the promoters' share, judged on the three groups it is made of."""
        verdict = self.verdict(round_, team_id)
        if not verdict:
            return Enps(None, None, verdict.reason)
        around = [self._enps_buckets(round_, pk) for pk in self.neighbours(round_, team_id)]
        buckets = self._enps_buckets(round_, team_id)
        if not privacy.buckets_shown(buckets, around, round_.min_group_size, PROMOTERS_FROM):
            return Enps(None, None, TOO_ALIKE)
        detractors, _, promoters = buckets
        answers = sum(buckets)
        return Enps(
            round(100 * (promoters - detractors) / answers), round(100 * promoters / answers, 1)
        )

    def _enps_buckets(self, round_: Round, team_id: int | None) -> list[int]:
        sums = self.subtree[round_.pk][team_id]
        return [sums["d"], sums["e"] - sums["p"] - sums["d"], sums["p"]]

    def share(
        self, round_: Round, team_id: int | None, key: tuple, dimension: Dimension
    ) -> float | None:
        """Favourable share of one item ("q", question id) or dimension ("d", name)."""
        if not self.verdict(round_, team_id):
            return None
        counts = self._answer_counts(round_)
        mine = counts[team_id].get(key)
        if not mine:
            return None
        others = [counts[x][key] for x in self.neighbours(round_, team_id) if key in counts[x]]
        start = dimension.favourable_from
        if not privacy.buckets_shown(mine, others, round_.min_group_size, start):
            return None
        return round(100 * sum(mine[start:]) / sum(mine), 1)

    def dimension_shares(self, round_: Round, team_id: int | None) -> dict:
        """{Dimension: favourable share, or None where hidden} for each core dimension."""
        return {d: self.share(round_, team_id, ("d", d.value), d) for d in CORE_DIMENSIONS}

    def items(self, round_: Round, team_id: int | None) -> list[dict]:
        """Each question the group answered, with its favourable share; for eNPS that
        is the promoters' share, shown only where the eNPS figure itself is."""
        counts = self._answer_counts(round_)[team_id]
        enps_shown = self.enps(round_, team_id).value is not None
        out = []
        for question in round_.questions.order_by("roundquestion__position"):
            if ("q", question.pk) not in counts:
                continue
            dimension = Dimension(question.dimension)
            share = self.share(round_, team_id, ("q", question.pk), dimension)
            is_enps = dimension == Dimension.ENPS
            out.append(
                {
                    "text": question.text,
                    "dimension": dimension.label,
                    "favourable": None if is_enps and not enps_shown else share,
                    "is_enps": is_enps,
                }
            )
        return out

    def _answer_counts(self, round_: Round) -> dict:
        """{group: {("q", id) or ("d", name): answers per scale value}} summed up the
        frozen tree: each team's cells are added first, then rolled up once."""
        if round_.pk not in self._answers:
            per_team: dict = {}
            # Streamed: a large round has hundreds of thousands of these rows.
            for team_id, question_id, dimension, counts in (
                CellAnswer.objects.filter(cell__round=round_)
                .values_list("cell__team_id", "question_id", "dimension", "counts")
                .iterator(chunk_size=5000)
            ):
                _, vector = per_team.setdefault(
                    (team_id, question_id), (dimension, [0] * len(counts))
                )
                for i, count in enumerate(counts):
                    vector[i] += count
            tree = self.tree[round_.pk]
            per_node: dict = defaultdict(dict)
            for (team_id, question_id), (dimension, vector) in per_team.items():
                for owner in owners(tree.get(team_id, (None, None))[1]):
                    for key in (("q", question_id), ("d", dimension)):
                        total = per_node[owner].setdefault(key, [0] * len(vector))
                        for i, count in enumerate(vector):
                            total[i] += count
            self._answers[round_.pk] = per_node
        return self._answers[round_.pk]

    def response_rate(self, round_: Round, team_id: int | None) -> int | None:
        """Share of the people the round asked who answered, banded by the guard:
        active people of the round's audience who had started by its close, counted
        where their team sat in the round's frozen tree."""
        if not self.verdict(round_, team_id):
            return None
        if round_.pk not in self._people:
            started = Q(start_date__isnull=True) | Q(start_date__lte=round_.closes_at.date())
            asked = User.objects.active().filter(started)
            paths = list(round_.audience_teams.values_list("path", flat=True))
            if paths:
                asked = asked.filter(
                    reduce(operator.or_, (Q(team__path__startswith=p) for p in paths))
                )
            tree = self.tree[round_.pk]
            people: dict = defaultdict(int)
            for pk, n in asked.values_list("team_id").annotate(n=Count("id")).order_by():
                for owner in owners(tree.get(pk, (None, None))[1]):
                    people[owner] += n
            self._people[round_.pk] = people
        answered = self.subtree[round_.pk][team_id]["n"]
        members = self._people[round_.pk][team_id]
        return privacy.response_rate(answered, members, round_.min_group_size)

    def headline(self, round_: Round, team_id: int | None) -> GroupResult:
        verdict = self.verdict(round_, team_id)
        if not verdict:
            return GroupResult(round=round_, shown=False, reason=verdict.reason)
        enps = self.enps(round_, team_id)
        return GroupResult(
            round=round_,
            shown=True,
            respondents=self.respondents(round_, team_id),
            score=self.score(round_, team_id),
            enps=enps.value,
            enps_reason=enps.reason,
            response_rate=self.response_rate(round_, team_id),
        )

    # ------------------------------------------------------------ slices

    def slices(self, round_: Round, team_id: int | None, by: str) -> list[dict]:
        """The group split by tenure band or location. Each part is judged against its
        siblings inside the group, against the same part in every other team, and
        against the same part the round before (respondents differing by 1 to k-1)."""
        if by not in SLICES:
            raise ValueError(by)
        if not self.verdict(round_, team_id):
            return []
        inside, verdicts = self._slice_parts(round_, team_id, by)
        return [
            self._slice(round_, team_id, by, value, inside[value], verdicts[value])
            for value in sorted(inside)
        ]

    def slice_score(self, round_: Round, team_id: int | None, by: str, value: str):
        """One part's score, as `slices` shows it (None where it is hidden)."""
        if by not in SLICES:
            raise ValueError(by)
        if not self.verdict(round_, team_id):
            return None
        inside, verdicts = self._slice_parts(round_, team_id, by)
        if value not in inside:
            return None
        return self._slice(round_, team_id, by, value, inside[value], verdicts[value])["score"]

    def _slice_parts(self, round_: Round, team_id: int | None, by: str) -> tuple[dict, dict]:
        direct, totals = self._slice_cells(round_, by)
        inside = {value: tuple(totals[team_id].get(value, (0, 0))) for value in direct}
        k = round_.min_group_size
        return inside, privacy.partition({v: n for v, (n, _) in inside.items()}, k)

    def _slice(self, round_: Round, team_id, by: str, value: str, sums, verdict) -> dict:
        k = round_.min_group_size
        n, s = sums
        if verdict and not self._slice_tree(round_, by, value).get(team_id, (0, HIDDEN))[1]:
            verdict = privacy.Verdict(False, "Hidden: it would reveal a smaller group elsewhere")
        if verdict and 0 < self._slice_changes(round_, by, value).get(team_id, 0) < k:
            verdict = privacy.Verdict(
                False, "Hidden: only a few people differ from the round before"
            )
        return {
            "value": value,
            "shown": bool(verdict),
            "reason": verdict.reason,
            "respondents": n if verdict else None,
            "score": privacy.mean(s, n, k) if verdict else None,
        }

    def _slice_cells(self, round_: Round, by: str) -> tuple[dict, dict]:
        """Respondents per part and team ({value: {team: n}}), and per part summed
        up the frozen tree ({group: {value: [n, score sum]}})."""
        if (round_.pk, by) not in self._slices:
            tree = self.tree[round_.pk]
            direct: dict = defaultdict(dict)
            totals: dict = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
            for team_id, value, n, s in (
                RoundCell.objects.filter(round=round_)
                .values_list("team_id", by)
                .annotate(n=Sum("respondents"), s=Sum("score_sum"))
                .order_by()
            ):
                direct[value][team_id] = n
                for owner in owners(tree.get(team_id, (None, None))[1]):
                    totals[owner][value][0] += n
                    totals[owner][value][1] += s
            self._slices[(round_.pk, by)] = (direct, totals)
        return self._slices[(round_.pk, by)]

    def _slice_tree(self, round_: Round, by: str, value: str) -> dict:
        """The tree guard over one part's respondents in every team."""
        key = (round_.pk, by, value, "tree")
        if key not in self._slices:
            mine = self._slice_cells(round_, by)[0].get(value, {})
            tree = self.tree[round_.pk]
            self._slices[key] = privacy.tree(
                {pk: (parent, mine.get(pk, 0)) for pk, (parent, _) in tree.items()},
                round_.min_group_size,
                unassigned=mine.get(None, 0),
            )
        return self._slices[key]

    def _slice_changes(self, round_: Round, by: str, value: str) -> dict:
        """{group: people in the part this round or the round before, not both}, each
        round's receipts placed on that round's frozen tree."""
        key = (round_.pk, by, value, "changes")
        if key not in self._slices:
            previous = next((r for r in self.rounds if r.number < round_.number), None)
            differ: dict = {}
            if previous is not None:
                people: dict = {r.pk: defaultdict(set) for r in (round_, previous)}
                for round_id, team_id, person_id in Receipt.objects.filter(
                    round__in=[round_.pk, previous.pk], **{by: value}
                ).values_list("round_id", "team_id", "person_id"):
                    for owner in owners(self.tree[round_id].get(team_id, (None, None))[1]):
                        people[round_id][owner].add(person_id)
                now, before = people[round_.pk], people[previous.pk]
                differ = {owner: len(now[owner] ^ before[owner]) for owner in {*now, *before}}
            self._slices[key] = differ
        return self._slices[key]


def detail(snapshot: OrgSnapshot, round_: Round, team: Team | None) -> GroupResult:
    """Headline plus dimensions, items, comments and the change since the round before."""
    team_id = team.pk if team else None
    result = snapshot.headline(round_, team_id)
    if not result.shown:
        return result
    result.dimensions = snapshot.dimension_shares(round_, team_id)
    result.questions = snapshot.items(round_, team_id)
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


def latest_rounds(count: int = 12) -> list[Round]:
    return list(Round.objects.reported().order_by("-number")[:count])
