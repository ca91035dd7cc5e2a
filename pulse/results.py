"""Every pulse figure a page shows, read from what the round published.

`pulse.publication` decided, when each round was reported, every figure any
role may see and audited them together; it stored them as `Published` rows.
This module only reads those rows: the results pages, the insights dashboards,
the nightly job, the CSVs and the API all call `OrgSnapshot`, so two pages
never show two numbers for the same team and round, and no page can show a
figure the audit did not pass. Figures over several rounds (the rolling trend,
the change since the round before) are computed from published figures alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connection import privacy
from connection.models import Team
from pulse.conversations import organisation_sees
from pulse.models import (
    CORE_DIMENSIONS,
    CommentReply,
    Dimension,
    Published,
    Response,
    Round,
    RoundTeam,
)
from pulse.publication import NOT_ENOUGH, SLICES, TOO_ALIKE, WHOLE, half_up

ROLLING = 4  # rounds pooled in each point of a trend
HIDDEN = privacy.Verdict(False, NOT_ENOUGH)  # its reason as stored: see `said`

__all__ = ["ROLLING", "SLICES", "TOO_ALIKE", "Enps", "GroupResult", "OrgSnapshot", "detail"]


def said(reason: str) -> str:
    """A reason as stored (`pulse.publication`, in English), in the reader's language."""
    return _(str(reason)) if reason else ""


@dataclass(eq=False)
class Comment:
    """A comment a results page shows, with the conversation on it (pulse/conversations.py);
    one comment is the same comment on every page that shows it."""

    pk: object
    text: str
    thread: list = field(default_factory=list)

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Comment) and other.pk == self.pk

    def __hash__(self) -> int:
        return hash(self.pk)


@dataclass
class GroupResult:
    round: Round
    shown: bool
    reason: str = ""
    respondents: int | None = None
    score: int | None = None
    enps: int | None = None
    enps_reason: str = ""
    response_rate: int | None = None
    dimensions: dict = field(default_factory=dict)
    questions: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    comments_reason: str = ""
    change: int | None = None
    change_reason: str = ""


@dataclass(frozen=True)
class Enps:
    value: int | None
    promoters: int | None  # share of the eNPS answers that were 9 or 10
    reason: str = ""


class OrgSnapshot:
    """What some reported rounds published, read on demand (one query per team, or
    per round for every team), and every figure a page may show about them."""

    def __init__(self, rounds: list[Round], *, earlier: int = ROLLING - 1):
        """`rounds` are the rounds a page lists (`trend`); the `earlier` reported
        rounds before the oldest of them are read too, so that every listed round's
        rolling point pools a full window."""
        self.listed = sorted(rounds, key=lambda r: -r.number)
        before = []
        if self.listed and earlier:
            before = list(
                Round.objects.reported()
                .filter(number__lt=self.listed[-1].number)
                .order_by("-number")[:earlier]
            )
        self.rounds = self.listed + before
        self._rows: dict = {}
        self._teams_read: set = set()
        self._rounds_read: set = set()
        self._pairs_read: set = set()  # (round id, team id)

    # ------------------------------------------------------------ reading

    def _row(self, round_: Round, team_id: int | None) -> Published | None:
        known = (
            round_.pk in self._rounds_read
            or team_id in self._teams_read
            or (round_.pk, team_id) in self._pairs_read
        )
        if (round_.pk, team_id) not in self._rows and not known:
            self.read_team(team_id)
        return self._rows.get((round_.pk, team_id))

    def read_team(self, team_id: int | None) -> None:
        """One team's published totals for every round of the snapshot."""
        self._teams_read.add(team_id)
        for row in Published.objects.filter(round__in=self.rounds, team_id=team_id, by=WHOLE):
            self._rows[(row.round_id, team_id)] = row

    def read_all(self) -> None:
        """Every team's published totals for every round, in one query (for work that
        visits every team: the nightly job, the CSV)."""
        self._rounds_read |= {r.pk for r in self.rounds}
        for row in Published.objects.filter(round__in=self.rounds, by=WHOLE):
            self._rows[(row.round_id, row.team_id)] = row

    def read_teams(self, round_: Round, team_ids: list) -> None:
        """Some teams' published totals for one round, None for the organisation's (a
        page listing a few hundred of thousands of teams), in one query."""
        wanted = [t for t in team_ids if (round_.pk, t) not in self._pairs_read]
        self._pairs_read |= {(round_.pk, t) for t in wanted}
        groups = Q(team__in=[t for t in wanted if t is not None])
        if None in wanted:
            groups |= Q(team__isnull=True)
        for row in Published.objects.filter(groups, round=round_, by=WHOLE):
            self._rows[(round_.pk, row.team_id)] = row

    def read_round(self, round_: Round) -> None:
        """Every team's published totals for one round (the HR pages list them all)."""
        if round_.pk in self._rounds_read:
            return
        self._rounds_read.add(round_.pk)
        for row in Published.objects.filter(round=round_, by=WHOLE):
            self._rows[(round_.pk, row.team_id)] = row

    def verdict(self, round_: Round, team_id: int | None) -> privacy.Verdict:
        row = self._row(round_, team_id)
        if row is None:
            return privacy.Verdict(False, said(HIDDEN.reason))
        return privacy.Verdict(row.shown, said(row.reason))

    def members(self, round_: Round, team_id: int | None) -> list[int]:
        """Team ids in a team's subtree as it was for the round (all for the org)."""
        nodes = RoundTeam.objects.filter(round=round_)
        if team_id is not None:
            path = nodes.filter(team_id=team_id).values_list("path", flat=True).first()
            if path is None:
                return []
            nodes = nodes.filter(path__startswith=path)
        return list(nodes.values_list("team_id", flat=True))

    # ------------------------------------------------------------ the figures

    def shown_row(self, round_: Round, team_id: int | None) -> Published | None:
        row = self._row(round_, team_id)
        return row if row is not None and row.shown else None

    def respondents(self, round_: Round, team_id: int | None) -> int | None:
        row = self.shown_row(round_, team_id)
        return row.respondents if row else None

    def score(self, round_: Round, team_id: int | None) -> int | None:
        """The group's connection score for the round, in whole points."""
        row = self.shown_row(round_, team_id)
        return row.score if row else None

    def rolling(self, round_: Round, team_id: int | None) -> int | None:
        """The trend's point for a round: the published scores of the last ROLLING
        rounds up to it, weighted by their published respondents. Only published
        figures go in, so the point reveals nothing they do not."""
        if not self.shown_row(round_, team_id):
            return None
        window = [r for r in self.rounds if r.number <= round_.number][:ROLLING]
        rows = [row for r in window if (row := self.shown_row(r, team_id))]
        n = sum(row.respondents for row in rows)
        return half_up(sum(row.respondents * row.score for row in rows) / n)

    def trend(self, team_id: int | None) -> list[tuple[str, int | None]]:
        """The rolling point of each listed round, oldest first."""
        return [(r.week_label, self.rolling(r, team_id)) for r in reversed(self.listed)]

    def enps(self, round_: Round, team_id: int | None) -> Enps:
        row = self._row(round_, team_id)
        if row is None or not row.shown:
            return Enps(None, None, said(row.reason if row else NOT_ENOUGH))
        if row.enps is None:
            return Enps(None, None, said(row.enps_reason or TOO_ALIKE))
        return Enps(row.enps, row.promoters)

    def share(self, round_: Round, team_id: int | None, key: str) -> int | None:
        """Favourable % of one item ("q:<id>") or dimension ("d:<name>")."""
        row = self.shown_row(round_, team_id)
        return row.shares.get(key) if row else None

    def dimension_shares(self, round_: Round, team_id: int | None) -> dict:
        """{Dimension: favourable share, or None where hidden} for each core dimension."""
        return {d: self.share(round_, team_id, f"d:{d.value}") for d in CORE_DIMENSIONS}

    def items(self, round_: Round, team_id: int | None) -> list[dict]:
        """Each question of the round with its favourable share; for eNPS that is the
        promoters' share, shown only where the eNPS figure itself is."""
        enps = self.enps(round_, team_id)
        out = []
        for question in round_.questions.order_by("roundquestion__position"):
            dimension = Dimension(question.dimension)
            is_enps = dimension == Dimension.ENPS
            out.append(
                {
                    "text": question.text,
                    "dimension": str(dimension.label),
                    "favourable": enps.promoters
                    if is_enps
                    else self.share(round_, team_id, f"q:{question.pk}"),
                    "is_enps": is_enps,
                }
            )
        return out

    def response_rate(self, round_: Round, team_id: int | None) -> int | None:
        row = self.shown_row(round_, team_id)
        return row.response_rate if row else None

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
        """The group split by tenure band or location, as published: each part with
        its respondents and score, or the reason it is hidden."""
        if by not in SLICES:
            raise ValueError(by)
        if not self.verdict(round_, team_id):
            return []
        rows = Published.objects.filter(round=round_, team_id=team_id, by=by).order_by("value")
        return [_slice(row) for row in rows]

    def slice_scores(self, round_: Round, by: str, value: str, team_ids: list) -> dict:
        """{team: its part's published score, or None} for one tenure band or location."""
        if by not in SLICES:
            raise ValueError(by)
        scores = dict.fromkeys(team_ids)
        for team_id, score in Published.objects.filter(
            round=round_, by=by, value=value, team_id__in=team_ids, shown=True
        ).values_list("team_id", "score"):
            scores[team_id] = score
        return scores


def _slice(row: Published) -> dict:
    return {
        "value": row.value,
        "shown": row.shown,
        "reason": said(row.reason),
        "respondents": row.respondents,
        "score": row.score,
    }


def detail(snapshot: OrgSnapshot, round_: Round, team: Team | None) -> GroupResult:
    """Headline plus dimensions, items, comments and the change since the round before."""
    team_id = team.pk if team else None
    result = snapshot.headline(round_, team_id)
    if not result.shown:
        return result
    result.dimensions = snapshot.dimension_shares(round_, team_id)
    result.questions = snapshot.items(round_, team_id)
    row = snapshot.shown_row(round_, team_id)
    _comments(snapshot, round_, team_id, row, result)
    _change(snapshot, round_, team_id, result)
    return result


def _comments(snapshot: OrgSnapshot, round_: Round, team_id, row, result: GroupResult) -> None:
    if not row.comments_shown:
        threshold = max(round_.comment_threshold, round_.min_group_size)
        result.comments_reason = _(
            "Comments appear once at least %(threshold)s people answered in this team and in "
            "the teams around it, so no one’s words can be singled out."
        ) % {"threshold": threshold}
        return
    responses = Response.objects.filter(round=round_).exclude(comment="")
    if team_id is not None:
        responses = responses.filter(team_id__in=snapshot.members(round_, team_id))
    # The comments and their conversations in one query (a row per message).
    now = timezone.now()
    found: dict = {}
    rows = responses.order_by("pk", "replies__shown_at", "replies__id").values_list(
        "pk", "comment", "replies__side", "replies__text", "replies__shown_at"
    )
    for pk, text, side, message, shown_at in rows:
        comment = found.setdefault(pk, Comment(pk, text))
        if side and organisation_sees(side, shown_at, now):
            comment.thread.append(CommentReply(side=side, text=message, shown_at=shown_at))
    comments = list(found.values())
    random.shuffle(comments)
    result.comments = comments


def _change(snapshot: OrgSnapshot, round_: Round, team_id, result: GroupResult) -> None:
    """The difference between two published scores: shown whenever both are."""
    earlier = [r for r in snapshot.rounds if r.number < round_.number]
    if not earlier:
        return
    before = snapshot.headline(earlier[0], team_id)
    if before.shown:
        result.change = result.score - before.score
    else:
        result.change_reason = _("No comparison: not enough responses the round before")


def latest_rounds(count: int = 12) -> list[Round]:
    return list(Round.objects.reported().order_by("-number")[:count])
