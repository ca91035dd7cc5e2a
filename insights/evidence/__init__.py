"""Which rituals work: a difference in differences over clean comparison teams.

Pure Python with SciPy's t distribution (Django only for the wording's
translations), so it can be tested and benchmarked on its own.

For one ritual template, each team that adopted it is compared with itself: its mean
connection score over the `before` pulse rounds before adoption against its mean over
the `after` rounds after it. The same change is measured, over the same rounds, for
every team that adopted no catalogue ritual in that time; their average change is
what would have happened anyway (the season, a re-org, the survey wording). Each
adopter's change minus that comparison change is one difference; the effect is their
mean, with a 95 % interval from Student's t (`interval`), which stays honest with
three to five adopting teams. When several rituals are judged at once, `judge_together`
applies Holm's correction, so five rituals with no effect do not make one look good by
chance. Three steps, one module each: `changes` measures every team's change once,
`interval` estimates the effect and its interval, `wording` says what the card means.

This is an association across teams, not an experiment: teams chose to adopt the
ritual, and teams that choose it may differ in ways the scores don't show. `explain`
says so in words fit for the page. One thing can be checked: `pretrend` runs the same
comparison over rounds before adoption, where it should find nothing. When it finds the
adopters already rising or falling more than the others, a "helps" or "may hurt" says no
clear effect instead (the comparison teams can't stand for "without the ritual"), and
the card says why in one line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from connection.calendar import monday
from insights.evidence import changes, interval, pretrend, wording
from insights.evidence.card import (
    HELPS,
    MAY_HURT,
    NO_CLEAR_EFFECT,
    TOO_EARLY,
    VERDICT_LABELS,
    Card,
)
from insights.evidence.wording import explain

__all__ = ["HELPS", "MAY_HURT", "NO_CLEAR_EFFECT", "TOO_EARLY", "VERDICT_LABELS", "Card", "explain"]
__all__ += ["difference_in_differences", "judge_together"]


def _check(before: int, after: int, min_teams: int, min_rounds: int) -> None:
    if before < 1 or after < 1:
        raise ValueError("before and after must be at least 1 round")
    if not 1 <= min_rounds <= min(before, after):
        raise ValueError("min_rounds must be between 1 and the shorter of before and after")
    if min_teams < 2:
        raise ValueError("min_teams must be at least 2")


def difference_in_differences(
    scores: dict[int, dict[dt.date, float]],
    respondents: dict[int, dict[dt.date, int]],
    adopted: dict[int, dt.date],
    *,
    others: dict[int, list[dt.date]] | None = None,
    alerted: dict[int, dt.date] | None = None,
    before: int = 4,
    after: int = 6,
    min_teams: int = 3,
    min_rounds: int = 2,
    max_width: float = 20.0,
) -> Card:
    """The change in connection score of teams that adopted a ritual, against teams that didn't.

    `scores` maps team -> ISO-week Monday -> connection score, holding only the rounds
    whose score may be shown; `respondents` has the same keys (a missing entry counts as
    0). `adopted` maps each adopting team to the week it adopted the template (any day of
    that week; it is taken to its Monday). `others` maps teams to the weeks they adopted
    other catalogue rituals, `alerted` each adopter that adopted after a falling-score
    alert to that alert's week (see `changes`).

    An adopter counts when it has at least `min_rounds` scored rounds both in its
    `before` rounds and in its `after` rounds, and at least `min_teams` comparison teams
    have the same over those rounds. `respondents` on the card is the sum over the
    distinct (team, round) scores behind the figures used, each counted once.
    """
    _check(before, after, min_teams, min_rounds)
    adoption = {team: monday(week) for team, week in adopted.items()}
    windows = {
        "others": {team: [monday(w) for w in weeks] for team, weeks in (others or {}).items()},
        "alerted": {team: monday(week) for team, week in (alerted or {}).items()},
        "before": before,
        "min_teams": min_teams,
        "min_rounds": min_rounds,
    }
    found = changes.measure(scores, respondents, adoption, after=after, **windows)
    sizes = (len(found.counted), len(found.pool), found.respondents)

    def too_early(reason: str) -> Card:
        return Card(None, None, None, *sizes, TOO_EARLY, reason, rounds=found.rounds)

    short = wording.too_few(found, min_teams=min_teams, min_rounds=min_rounds)
    if short:
        return too_early(short)
    result = interval.estimate(found)
    if result.high - result.low > max_width:
        return too_early(wording.too_wide(result.low, result.high))
    verdict, reason = wording.verdict(
        result.effect, result.low, result.high, len(found.counted), len(found.pool), found.rounds
    )
    card = Card(
        result.effect, result.low, result.high, *sizes, verdict, reason, found.rounds, result.p
    )
    trend = pretrend.check(scores, respondents, adoption, max_width=max_width, **windows)
    return _with_trend(card, trend)


def _with_trend(card: Card, trend: pretrend.PreTrend) -> Card:
    """The card with its pre-trend check. When the adopters were already moving
    differently before adopting, the comparison teams can't stand for "without the
    ritual", so "helps" or "may hurt" becomes no clear effect, saying why."""
    card = replace(
        card,
        trend=trend.effect,
        trend_low=trend.low,
        trend_high=trend.high,
        trend_p=trend.p,
        trend_note=trend.note,
    )
    if card.trend_flagged and card.verdict in (HELPS, MAY_HURT):
        return replace(card, verdict=NO_CLEAR_EFFECT, reason=wording.trend_differs(card))
    return card


def judge_together(cards: list[Card]) -> list[Card]:
    """The cards of rituals judged at once, with Holm's correction: a card that says
    "helps" or "may hurt" keeps it only if it still stands once the number of rituals
    judged is allowed for; otherwise it says no clear effect, and why."""
    judged = [i for i, card in enumerate(cards) if card.p is not None]
    stands = interval.holm([cards[i].p for i in judged])
    out = list(cards)
    for i, ok in zip(judged, stands, strict=True):
        card = cards[i]
        if not ok and card.verdict in (HELPS, MAY_HURT):
            out[i] = replace(
                card, verdict=NO_CLEAR_EFFECT, reason=wording.not_after_all(card, len(judged))
            )
    return out
