"""Publishing a round: every figure any role may see, decided once, together.

When a round is reported, this module lists every figure a page, the API or a
CSV could show about it: each team's totals (a team counts its whole subtree,
as the round's frozen tree had it), the organisation's, and each of those split
by tenure band and by location; for the teams, the eNPS, the favourable share
of each dimension and item, the response rate, and whether comments may be read. Then:

1. primary rules hide a group of fewer than k respondents, a slice whose
   people differ from the round before by 1 to k-1, and a share with 1 to
   k-1 answers (or none) on either side;
2. `connection.disclosure` plays an HR admin who reads all the rest and
   solves it as one linear system, and withholds the cheapest figures until
   no combination isolates 1 to k-1 respondents or bounds their mean within
   ±10 points; shares are audited the same way, one side at a time;
3. what remains is stored as `Published` rows, rounded to whole points. Pages
   read those rows; figures over several rounds (rolling trends, changes) are
   computed from them alone, so they reveal nothing the rows do not.
"""

from __future__ import annotations

import gc
import math
import operator
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Count, Q
from django.utils.translation import gettext_noop
from threadpoolctl import threadpool_limits

from connection import disclosure, privacy
from connection.models import Team, User
from pulse.models import (
    CellAnswer,
    Dimension,
    Published,
    Receipt,
    Round,
    RoundCell,
    RoundTeam,
)

SLICES = ("tenure_band", "location")
WHOLE = ""
# Why a figure is hidden: stored in English with the `Published` row, and translated
# when a page reads it (`pulse.results`), so each reader sees their own language.
NOT_ENOUGH = gettext_noop("Not enough responses")  # privacy.NOT_ENOUGH, as stored
SMALL_CHANGE = gettext_noop("Hidden: only a few people differ from the round before")
WITHHELD = gettext_noop("Hidden so a smaller group next to it stays hidden")
TEAM_HIDDEN = gettext_noop("Hidden with the team's own figures")
TOO_ALIKE = gettext_noop("Hidden: answers too alike to show")
PROMOTERS, DETRACTORS = "promoters", "detractors"


def half_up(value: float) -> int:
    return math.floor(value + 0.5)


@dataclass
class _Round:
    """One round's cells, tree and answer counts, as the publication needs them."""

    round: Round
    k: int
    tree: dict  # {team id: (parent id then, path)}
    cells: list  # RoundCell values dicts, in index order
    stats: list  # per cell {statistic: [answers, favourable]}
    groups: dict = field(default_factory=dict)  # {(team, by, value): [cell index]}

    @classmethod
    def load(cls, round_: Round) -> _Round:
        tree = {
            t.team_id: (t.parent_id_then, t.path) for t in RoundTeam.objects.filter(round=round_)
        }
        cells = list(
            RoundCell.objects.filter(round=round_)
            .order_by("pk")
            .values(
                "pk",
                "team_id",
                "tenure_band",
                "location",
                "respondents",
                "score_sum",
                "enps_answers",
                "promoters",
                "detractors",
            )
        )
        index = {cell["pk"]: i for i, cell in enumerate(cells)}
        stats: list = [defaultdict(lambda: [0, 0]) for _ in cells]
        for cell_id, question_id, dimension, answers, favourable in (
            CellAnswer.objects.filter(cell__round=round_)
            .values_list("cell_id", "question_id", "dimension", "answers", "favourable")
            .iterator(chunk_size=5000)
        ):
            if dimension == Dimension.ENPS:  # judged as promoters and detractors below
                continue
            for key in (f"q:{question_id}", f"d:{dimension}"):
                stat = stats[index[cell_id]][key]
                stat[0] += answers
                stat[1] += favourable
        for i, cell in enumerate(cells):
            if cell["enps_answers"]:
                stats[i][PROMOTERS] = [cell["enps_answers"], cell["promoters"]]
                stats[i][DETRACTORS] = [cell["enps_answers"], cell["detractors"]]
        data = cls(round_, privacy.effective_k(round_.min_group_size), tree, cells, stats)
        data.groups = data._groups()
        return data

    def owners(self, team_id) -> list:
        return owners_on(self.tree, team_id)

    def _groups(self) -> dict:
        groups: dict = defaultdict(list)
        for team_id in [None, *self.tree]:
            groups[(team_id, WHOLE, WHOLE)]  # every team is listed, answered or not
        for i, cell in enumerate(self.cells):
            for owner in self.owners(cell["team_id"]):
                groups[(owner, WHOLE, WHOLE)].append(i)
                for by in SLICES:
                    groups[(owner, by, cell[by])].append(i)
        return groups

    def direct(self, team_id) -> int:
        """Respondents whose own team this is (not a team below it)."""
        return sum(c["respondents"] for c in self.cells if c["team_id"] == team_id)

    def respondents(self, key) -> int:
        return sum(self.cells[i]["respondents"] for i in self.groups[key])

    def total(self, key, stat: str) -> tuple[int, int]:
        answers = favourable = 0
        for i in self.groups[key]:
            a, f = self.stats[i].get(stat, (0, 0))
            answers, favourable = answers + a, favourable + f
        return answers, favourable


def owners_on(tree: dict, team_id) -> list:
    """The organisation (None) and every team on a team's path in a frozen tree."""
    return [None, *Team.ids_on_path(tree.get(team_id, (None, None))[1])]


def publish(round_: Round) -> int:
    """Decide and store everything the round publishes; returns the rows written.

    The audit solves many small dense systems: on one BLAS thread each, since
    OpenBLAS's threads spin on such small work and, on a busy machine, made it
    several times slower (a 10,000-person round: 290 s on two threads, 150 s on one).
    And without the cyclic garbage collector (`no_cycle_collection`)."""
    with threadpool_limits(limits=1, user_api="blas"), no_cycle_collection():
        return _publish(round_)


@contextmanager
def no_cycle_collection():
    """Python's cyclic garbage collector paused: each of the audit's passes builds
    hundreds of thousands of sets and tuples, which set off full collections that
    find nothing to free (the audit makes no reference cycles), a third of its
    passes' time at 100,000 people. Memory is still freed as soon as it is unused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _publish(round_: Round) -> int:
    data = _Round.load(round_)
    hidden = _primary(data)
    rows = [
        disclosure.Row(key, (key[1], key[2]), frozenset(cells))
        for key, cells in data.groups.items()
        if key not in hidden
    ]

    def cost(key) -> tuple:
        """Slices go first, the smallest first. Then a team's figure costs the people
        for whom it is their own team's: hiding a division's total while its teams
        stay shown costs only the division's direct members, where hiding one of
        its teams costs that team. The organisation's figure goes last."""
        team_id, by, _ = key
        if by != WHOLE:
            return (0, data.respondents(key), repr(key))
        if team_id is None:
            return (2, 0, "")
        return (1, data.direct(team_id), repr(key))

    n = [c["respondents"] for c in data.cells]
    sums = [c["score_sum"] for c in data.cells]
    # The teams first, then their slices: a hidden team shows no slice, and a slice
    # is withheld before any shown team's figure is.
    teams = [row for row in rows if row.key[1] == WHOLE]
    for key in disclosure.protect(n, sums, teams, data.k, cost):
        hidden[key] = WITHHELD
    for key in data.groups:
        if key[1] != WHOLE and key not in hidden and (key[0], WHOLE, WHOLE) in hidden:
            hidden[key] = TEAM_HIDDEN
    teams = [row for row in teams if row.key not in hidden]
    slices = [row for row in rows if row.key[1] != WHOLE and row.key not in hidden]
    for key in disclosure.protect(n, sums, slices, data.k, cost, fixed=teams):
        hidden[key] = WITHHELD
    shown_teams = [key for key in data.groups if key[1] == WHOLE and key not in hidden]
    shares = {stat: _shares(data, shown_teams, stat) for stat in _statistics(data)}
    published = _rows(data, hidden, shown_teams, shares)
    Published.objects.filter(round=round_).delete()
    Published.objects.bulk_create(published, batch_size=2000)
    return len(published)


def _primary(data: _Round) -> dict:
    """{group: reason} for the groups no audit could show: fewer than k respondents,
    or a slice whose people changed by 1 to k-1 since the round before."""
    hidden = {key: NOT_ENOUGH for key in data.groups if data.respondents(key) < data.k}
    changed = _slice_changes(data)
    for key in data.groups:
        if key[1] != WHOLE and key not in hidden and 0 < changed.get(key, 0) < data.k:
            hidden[key] = SMALL_CHANGE
    return hidden


def _people(round_: Round, tree: dict) -> dict:
    """{(owner, by, value): set of people who answered} for one round on its tree."""
    people: dict = defaultdict(set)
    for team_id, person_id, tenure, location in Receipt.objects.filter(round=round_).values_list(
        "team_id", "person_id", "tenure_band", "location"
    ):
        for owner in owners_on(tree, team_id):
            people[(owner, "tenure_band", tenure)].add(person_id)
            people[(owner, "location", location)].add(person_id)
    return people


def _previous(round_: Round) -> Round | None:
    return (
        Round.objects.reported()
        .filter(number__lt=round_.number)
        .exclude(pk=round_.pk)
        .order_by("-number")
        .first()
    )


def _slice_changes(data: _Round) -> dict:
    """{group: people in it this round or the round before, not both}."""
    previous = _previous(data.round)
    if previous is None:
        return {}
    before_tree = {
        t.team_id: (t.parent_id_then, t.path) for t in RoundTeam.objects.filter(round=previous)
    }
    now, before = _people(data.round, data.tree), _people(previous, before_tree)
    return {key: len(now[key] ^ before[key]) for key in {*now, *before}}


def _statistics(data: _Round) -> list[str]:
    return sorted({stat for stats in data.stats for stat in stats})


def _shares(data: _Round, teams: list, stat: str) -> set:
    """The teams whose favourable share for `stat` may be shown: at least k answers on
    each side, and no combination of the shown shares leaves fewer than k on a side."""
    answers = [s.get(stat, (0, 0))[0] for s in data.stats]
    favourable = [s.get(stat, (0, 0))[1] for s in data.stats]
    against = [a - f for a, f in zip(answers, favourable, strict=True)]
    shown = []
    for key in teams:
        total, yes = data.total(key, stat)
        if yes >= data.k and total - yes >= data.k:
            shown.append(key)
    withheld: dict = {}
    while True:
        rows = [
            disclosure.Row(key, WHOLE, frozenset(data.groups[key]))
            for key in shown
            if key not in withheld
        ]
        attack = disclosure.Attack(answers, [0] * len(answers), rows, data.k)
        findings = attack.lopsided(favourable) + attack.lopsided(against)
        if not findings:
            return {row.key for row in rows}
        disclosure.withhold(
            findings, rows, withheld, lambda key: (data.total(key, stat)[0], repr(key))
        )


def _rows(data: _Round, hidden: dict, teams: list, shares: dict) -> list[Published]:
    rates = _response_rates(data)
    comments = _comments(data, teams)
    out = []
    for key, cells in data.groups.items():
        team_id, by, value = key
        row = Published(round=data.round, team_id=team_id, by=by, value=value)
        out.append(row)
        if key in hidden:
            row.shown, row.reason = False, hidden[key]
            continue
        n = data.respondents(key)
        row.shown, row.respondents = True, n
        row.score = half_up(sum(data.cells[i]["score_sum"] for i in cells) / n)
        if by != WHOLE:
            continue
        row.shares = {}
        for stat, allowed in shares.items():
            total, yes = data.total(key, stat)
            if stat not in (PROMOTERS, DETRACTORS) and total and key in allowed:
                row.shares[stat] = half_up(100 * yes / total)
        if key in shares.get(PROMOTERS, ()) and key in shares.get(DETRACTORS, ()):
            answers, promoters = data.total(key, PROMOTERS)
            detractors = data.total(key, DETRACTORS)[1]
            row.enps = half_up(100 * (promoters - detractors) / answers)
            row.promoters = half_up(100 * promoters / answers)
        else:
            row.enps_reason = TOO_ALIKE
        row.response_rate = privacy.response_rate(n, rates.get(team_id, 0), data.k)
        row.comments_shown = key in comments
    return out


def _response_rates(data: _Round) -> dict:
    """{group: people the round asked}: active people of its audience who had started
    by its close, counted where their team sat in the frozen tree."""
    round_ = data.round
    started = Q(start_date__isnull=True) | Q(start_date__lte=round_.closes_at.date())
    asked = User.objects.active().filter(started)
    paths = list(round_.audience_teams.values_list("path", flat=True))
    if paths:
        asked = asked.filter(reduce(operator.or_, (Q(team__path__startswith=p) for p in paths)))
    people: dict = defaultdict(int)
    for team_id, n in asked.values_list("team_id").annotate(n=Count("id")).order_by():
        for owner in data.owners(team_id):
            people[owner] += n
    return people


def _comments(data: _Round, teams: list) -> set:
    """The shown teams whose comments may be read: at least the comment threshold
    answered, and neither the team above nor the teams below leave a smaller
    remainder whose words could be told apart by comparing two lists."""
    round_ = data.round
    threshold = max(round_.comment_threshold, data.k)
    shown = {key[0] for key in teams}
    size = {key[0]: data.respondents(key) for key in teams}

    def speaks(team_id) -> bool:
        return team_id in shown and size[team_id] >= threshold

    below: dict = defaultdict(list)
    for pk, (parent, _) in data.tree.items():
        below[parent if parent in data.tree else None].append(pk)
    out = set()
    for key in teams:
        team_id = key[0]
        n = size[team_id]
        ok = n >= threshold
        if ok and team_id is not None:
            parent = data.tree[team_id][0]
            parent = parent if parent in data.tree else None
            rest = size.get(parent, 0) - n
            ok = not speaks(parent) or rest == 0 or rest >= threshold
        children = below.get(team_id, [])
        rest = n - sum(size[pk] for pk in children if speaks(pk))
        if ok and any(speaks(pk) for pk in children) and 0 < rest < threshold:
            ok = False
        if ok:
            out.add(key)
    return out
