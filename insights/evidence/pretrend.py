"""The pre-trend (placebo) check: were the adopting teams already moving differently
from the others before they adopted the ritual?

A difference in differences rests on one assumption: without the ritual, adopters would
have changed like the comparison teams. It can't be tested after adoption, but it can
before: the same comparison, over rounds entirely before adoption, should find nothing.
For each adopter, the rounds before its "before" ends (its adoption, or the weeks behind
an alert) are taken back by up to twice the `before` window and split into an earlier
and a later half; with enough history the later half is the estimate's own "before" and
the earlier half the same number of rounds just before it (a pseudo-adoption shifted
back by the window's length). Shorter histories split what there is, so a four-weekly
pulse is checked too. Each half needs half the rounds a window needs (at least one).

Comparison teams are teams that never adopted this ritual and adopted no other one over
those rounds: the teams about to adopt it are the ones under suspicion, so they are not
counted as "what would have happened anyway" for each other, as they are after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from insights.evidence import changes, interval, wording
from insights.evidence.changes import Series, Window


@dataclass(frozen=True)
class PreTrend:
    """The placebo estimate in points, its 95 % interval and p; all None when it could
    not be checked. `note` is the line for the card."""

    effect: float | None
    low: float | None
    high: float | None
    p: float | None
    note: str


def windows(
    rounds: list[dt.date],
    adoption: dict[int, dt.date],
    alerted: dict[int, dt.date],
    before: int,
) -> dict[int, Window]:
    """Each adopter's placebo window: the earlier and the later half of its last
    2 × `before` rounds before its "before" ends (an odd round out is left off the
    early end)."""
    out = {}
    for team, start in adoption.items():
        end = changes.end_of_before(team, start, alerted)
        earlier = [week for week in rounds if week < end][-2 * before :]
        half = len(earlier) // 2
        if half == 0:
            out[team] = Window((), ())
        else:
            out[team] = Window(tuple(earlier[-2 * half : -half]), tuple(earlier[-half:]))
    return out


def check(
    scores: dict[int, Series],
    respondents: dict[int, dict[dt.date, int]],
    adoption: dict[int, dt.date],
    *,
    others: dict[int, list[dt.date]],
    alerted: dict[int, dt.date],
    before: int,
    min_teams: int,
    min_rounds: int,
    max_width: float,
) -> PreTrend:
    """The same difference in differences as the card's, over rounds before adoption."""
    found = changes.compare(
        scores,
        respondents,
        windows(changes.pulse_rounds(scores), adoption, alerted, before),
        starts=changes.starts_of(scores, adoption, others),
        min_teams=min_teams,
        min_rounds=max(1, min_rounds // 2),
        exclude=frozenset(adoption),
    )
    if len(found.counted) < min_teams:
        short = wording.trend_too_few(enough_rounds=len(found.own) >= min_teams)
        return PreTrend(None, None, None, None, short)
    result = interval.estimate(found)
    flagged = result.low > 0 or result.high < 0
    if not flagged and result.high - result.low > max_width:
        return PreTrend(None, None, None, None, wording.trend_too_wide())
    note = wording.trend(result.effect, flagged=flagged)
    return PreTrend(result.effect, result.low, result.high, result.p, note)
