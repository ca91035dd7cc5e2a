"""Which rituals work: a difference in differences with a bootstrap interval.

Pure Python (the standard library and the core's calendar, no Django), so it can be
tested and benchmarked on its own.

For one ritual template, each team that adopted it in week A is compared with itself:
its mean connection score over the `before` weeks before A against its mean over weeks
A+1 .. A+after (the adoption week itself is skipped, it is half one and half the other).
The same change is measured, over the same calendar weeks, for every team that never
adopted it; their average change is what would have happened anyway (the season, a
re-org, the survey wording). The effect is the mean, over adopters, of the adopter's
change minus that comparison change. A common trend hits both and cancels.

The 95 % interval comes from a bootstrap: adopters and comparison teams are resampled
with replacement and the effect recomputed. Three steps, one module each: `changes`
measures every team's change once, `interval` estimates the effect and its interval,
`wording` says what the card means.

This is an association across teams, not an experiment: teams chose to adopt the
ritual, and teams that choose it may differ in ways the scores don't show. `explain`
says so in words fit for the page.
"""

from __future__ import annotations

import datetime as dt

from connection.calendar import monday
from insights.evidence import changes, interval, wording
from insights.evidence.card import HELPS, MAY_HURT, NO_CLEAR_EFFECT, TOO_EARLY, Card
from insights.evidence.wording import explain

__all__ = ["HELPS", "MAY_HURT", "NO_CLEAR_EFFECT", "TOO_EARLY", "Card", "explain"]
__all__ += ["difference_in_differences"]


def _check(before: int, after: int, min_teams: int, min_weeks: int, resamples: int) -> None:
    if before < 1 or after < 1:
        raise ValueError("before and after must be at least 1 week")
    if not 1 <= min_weeks <= min(before, after):
        raise ValueError("min_weeks must be between 1 and the shorter of before and after")
    if min_teams < 1:
        raise ValueError("min_teams must be at least 1")
    if resamples < 2:
        raise ValueError("resamples must be at least 2")


def difference_in_differences(
    scores: dict[int, dict[dt.date, float]],
    respondents: dict[int, dict[dt.date, int]],
    adopted: dict[int, dt.date],
    *,
    before: int = 4,
    after: int = 6,
    min_teams: int = 3,
    min_weeks: int = 2,
    max_width: float = 20.0,
    resamples: int = 1000,
    seed: int = 0,
) -> Card:
    """The change in connection score of teams that adopted a ritual, against teams that didn't.

    `scores` maps team -> ISO-week Monday -> connection score, holding only the weeks whose
    score may be shown; `respondents` has the same keys (a missing entry counts as 0).
    `adopted` maps each adopting team to the week it adopted the template (any day of that
    week; it is taken to its Monday). Every other team in `scores` is a comparison team.

    An adopter counts when it has at least `min_weeks` scored weeks in both its `before`
    weeks and its `after` weeks, and at least `min_teams` comparison teams have the same
    over those calendar weeks. `respondents` on the card is the sum over the distinct
    (team, week) scores behind the figures used, each counted once.
    """
    _check(before, after, min_teams, min_weeks, resamples)
    adoption = {team: monday(week) for team, week in adopted.items()}
    found = changes.measure(
        scores,
        respondents,
        adoption,
        before=before,
        after=after,
        min_teams=min_teams,
        min_weeks=min_weeks,
    )
    sizes = (len(found.counted), len(found.pool), found.respondents)

    def too_early(reason: str) -> Card:
        return Card(None, None, None, *sizes, TOO_EARLY, reason)

    short = wording.too_few(found, min_teams=min_teams, min_weeks=min_weeks)
    if short:
        return too_early(short)
    effect = interval.effect(found)
    estimates = interval.bootstrap(found, resamples=resamples, seed=seed)
    if len(estimates) < 2:
        return too_early(wording.NO_OVERLAP)
    low, high = interval.interval(estimates)
    if high - low > max_width:
        return too_early(wording.too_wide(low, high))
    verdict, reason = wording.verdict(effect, low, high, len(found.counted), len(found.pool))
    return Card(effect, low, high, *sizes, verdict, reason)
