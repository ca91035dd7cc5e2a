"""Pulse rounds for the page benchmark, written as the publication leaves them.

Four weekly rounds reported (a 4-round rolling trend needs four) and this week's open:
each reported round with its frozen team tree and the `Published` rows the pages
read, for every team and the organisation, whole and by tenure band and location, a
group shown where at least k answered; and a comment a team in the latest round.

Publishing for real runs the privacy audit, which at 5,000 people already takes a
minute on this machine (bench/privacy.py measures it): the pages only ever read what
it published, so the rows are written here directly, in the same shape.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Max

from bench.bulk import insert
from connection.models import OrgSettings
from connection.privacy import effective_k
from pulse.models import (
    CORE_DIMENSIONS,
    Dimension,
    Published,
    PulseSettings,
    Response,
    Round,
    RoundQuestion,
    RoundTeam,
    TenureBand,
)
from pulse.services import choose_questions

REPORTED = 4
ANSWERED = 0.8
# Each group's parts, as shares of its respondents.
PARTS = {
    "tenure_band": {"0-3m": 0.08, "3-12m": 0.17, "1-3y": 0.35, "3y+": 0.35, "unknown": 0.05},
    "location": {"remote": 0.45, "hybrid": 0.35, "office": 0.2},
}
PULSE_MODELS = [RoundTeam, Published]


def pulse_rounds(org, rng: random.Random) -> dict[str, int]:
    """The rounds above; rows written by table. `org`: a bench.page_data.Org."""
    settings = OrgSettings.load()
    k = effective_k(settings.min_group_size)
    per_round = PulseSettings.load().items_per_round
    first = (Round.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    sizes = org.subtree_sizes()
    published = comments = 0
    for index in range(REPORTED + 1):
        weeks_ago = REPORTED - index
        opens = org.now - dt.timedelta(weeks=weeks_ago, days=1)
        round_ = Round.objects.create(
            number=first + index,
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=5),
            status=Round.Status.REPORTED if weeks_ago else Round.Status.OPEN,
            min_group_size=k,
            comment_threshold=max(settings.comment_threshold, k),
        )
        questions = choose_questions(round_.number, per_round)
        RoundQuestion.objects.bulk_create(
            RoundQuestion(round=round_, question=q, position=i) for i, q in enumerate(questions)
        )
        if not weeks_ago:
            break
        insert(
            RoundTeam,
            (
                RoundTeam(round=round_, team_id=t.pk, parent_id_then=t.parent_id, path=t.path)
                for t in org.teams
            ),
        )
        groups = [(t.pk, sizes[t.pk]) for t in org.teams] + [(None, len(org.team_of))]
        rows = [
            row
            for team_id, members in groups
            for row in _published(round_, team_id, members, questions, k, rng)
        ]
        published += len(insert(Published, rows))
        if weeks_ago == 1:
            comments = _comments(round_, org, round_.comment_threshold)
    return {"pulse rounds": REPORTED + 1, "published figures": published, "comments": comments}


def _published(round_: Round, team_id, members: int, questions, k: int, rng) -> list[Published]:
    answered = round(members * ANSWERED)
    whole = _row(round_, team_id, "", "", answered, k, rng)
    if whole.shown:
        whole.shares = {f"d:{d.value}": rng.randint(45, 90) for d in CORE_DIMENSIONS} | {
            f"q:{q.pk}": rng.randint(45, 90) for q in questions if q.dimension != Dimension.ENPS
        }
        whole.enps, whole.promoters = rng.randint(-20, 40), rng.randint(20, 60)
        whole.response_rate = round(100 * ANSWERED)
        whole.comments_shown = answered >= round_.comment_threshold
    parts = [
        _row(round_, team_id, by, value, round(answered * share), k, rng)
        for by, shares in PARTS.items()
        for value, share in shares.items()
    ]
    return [whole, *parts]


def _row(round_, team_id, by: str, value: str, answered: int, k: int, rng) -> Published:
    if answered < k:
        return Published(
            round=round_,
            team_id=team_id,
            by=by,
            value=value,
            shown=False,
            reason="Not enough responses",
        )
    return Published(
        round=round_,
        team_id=team_id,
        by=by,
        value=value,
        shown=True,
        respondents=answered,
        score=rng.randint(55, 85),
    )


def _comments(round_: Round, org, threshold: int) -> int:
    """A comment from each team big enough for comments to be read."""
    on = round_.opens_at.date()
    rows = [
        Response(
            round=round_,
            team_id=t.pk,
            tenure_band=TenureBand.for_start(None, on),
            location="remote",
            comment="More time together in person, please.",
        )
        for t in org.teams
        if len(org.people(t)) * ANSWERED >= threshold
    ]
    return len(Response.objects.bulk_create(rows, batch_size=2000))  # UUID ids
