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
with replacement and the effect recomputed. Per-team changes for each adoption window
are computed once up front, so each resample is a few sums over lists of floats.

This is an association across teams, not an experiment: teams chose to adopt the
ritual, and teams that choose it may differ in ways the scores don't show. `explain`
says so in words fit for the page.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from dataclasses import dataclass

from connection.calendar import monday

HELPS = "helps"
NO_CLEAR_EFFECT = "no clear effect"
MAY_HURT = "may hurt"
TOO_EARLY = "too early to tell"

WEEK = dt.timedelta(weeks=1)


@dataclass(frozen=True)
class Card:
    """What the evidence says about one ritual template.

    `effect`, `low` and `high` are points on the 0-100 connection score; they are None
    when the verdict is "too early to tell" (the reason then says why).
    """

    effect: float | None
    low: float | None
    high: float | None
    adopters: int
    comparison: int
    respondents: int
    verdict: str
    reason: str


def _window_mean(series: dict[dt.date, float], weeks: list[dt.date], min_weeks: int):
    """Mean score over the weeks that have one, and those weeks; None when too few."""
    scored = [week for week in weeks if week in series]
    if len(scored) < min_weeks:
        return None, scored
    return sum(series[week] for week in scored) / len(scored), scored


def _change(
    series: dict[dt.date, float],
    pre_weeks: list[dt.date],
    post_weeks: list[dt.date],
    min_weeks: int,
):
    """(post mean − pre mean, weeks used), or (None, []) without min_weeks on both sides."""
    pre, pre_used = _window_mean(series, pre_weeks, min_weeks)
    if pre is None:
        return None, []
    post, post_used = _window_mean(series, post_weeks, min_weeks)
    if post is None:
        return None, []
    return post - pre, pre_used + post_used


def _teams(count: int) -> str:
    return f"{count} team" if count == 1 else f"{count} teams"


def _has_have(count: int) -> str:
    return "has" if count == 1 else "have"


def _weeks(count: int) -> str:
    return f"{count} week" if count == 1 else f"{count} weeks"


def _decimal(value: float) -> str:
    """One decimal, without a trailing ".0": 9.8, 10, 0.4."""
    text = f"{abs(value):.1f}"
    return text.removesuffix(".0")


def _points(value: float) -> str:
    """A signed figure for a range, e.g. "+9.8", "−3", "0"."""
    text = _decimal(value)
    if text == "0":
        return "0"
    return f"+{text}" if value > 0 else f"−{text}"


def _about(value: float) -> str:
    """An unsigned headline figure: whole points from 2 up, one decimal below that."""
    size = abs(value)
    text = str(round(size)) if size >= 2 else _decimal(size)
    return f"about {text} point" if text == "1" else f"about {text} points"


def _too_early(adopters: int, comparison: int, respondents: int, reason: str) -> Card:
    return Card(None, None, None, adopters, comparison, respondents, TOO_EARLY, reason)


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
    if before < 1 or after < 1:
        raise ValueError("before and after must be at least 1 week")
    if not 1 <= min_weeks <= min(before, after):
        raise ValueError("min_weeks must be between 1 and the shorter of before and after")
    if min_teams < 1:
        raise ValueError("min_teams must be at least 1")
    if resamples < 2:
        raise ValueError("resamples must be at least 2")

    adoption = {team: monday(week) for team, week in adopted.items()}
    comparison_teams = sorted(team for team in scores if team not in adoption)

    # Each adopter's own change, and the weeks behind it.
    own: dict[int, tuple[float, dt.date]] = {}
    used_weeks: dict[int, set[dt.date]] = {}
    for team in sorted(adoption):
        start = adoption[team]
        pre_weeks = [start - WEEK * k for k in range(before, 0, -1)]
        post_weeks = [start + WEEK * k for k in range(1, after + 1)]
        delta, weeks = _change(scores.get(team, {}), pre_weeks, post_weeks, min_weeks)
        if delta is not None:
            own[team] = (delta, start)
            used_weeks[team] = set(weeks)

    # Per adoption window: every comparison team's change over those calendar weeks.
    windows = sorted({start for _, start in own.values()})
    window_changes: dict[dt.date, dict[int, float]] = {}
    window_weeks: dict[dt.date, dict[int, list[dt.date]]] = {}
    for start in windows:
        pre_weeks = [start - WEEK * k for k in range(before, 0, -1)]
        post_weeks = [start + WEEK * k for k in range(1, after + 1)]
        changes: dict[int, float] = {}
        weeks_by_team: dict[int, list[dt.date]] = {}
        for team in comparison_teams:
            delta, weeks = _change(scores[team], pre_weeks, post_weeks, min_weeks)
            if delta is not None:
                changes[team] = delta
                weeks_by_team[team] = weeks
        window_changes[start] = changes
        window_weeks[start] = weeks_by_team

    counted = sorted(
        team for team, (_, start) in own.items() if len(window_changes[start]) >= min_teams
    )
    counted_windows = sorted({own[team][1] for team in counted})
    pool = sorted({team for start in counted_windows for team in window_changes[start]})
    for start in counted_windows:
        for team, weeks in window_weeks[start].items():
            used_weeks.setdefault(team, set()).update(weeks)
    total_respondents = sum(
        respondents.get(team, {}).get(week, 0)
        for team in (*counted, *pool)
        for week in used_weeks[team]
    )

    n_adopted = len(adoption)
    n_counted = len(counted)
    n_pool = len(pool)

    # Not enough to compare: say which side is short, in plain words.
    if n_adopted == 0:
        return _too_early(
            0,
            n_pool,
            total_respondents,
            "No team has adopted it yet, so there is nothing to compare.",
        )
    if n_adopted < min_teams:
        return _too_early(
            n_counted,
            n_pool,
            total_respondents,
            f"Only {_teams(n_adopted)} {_has_have(n_adopted)} adopted it so far; "
            f"we need at least {min_teams}.",
        )
    if len(own) < min_teams:
        return _too_early(
            n_counted,
            n_pool,
            total_respondents,
            f"{_teams(n_adopted)} {_has_have(n_adopted)} adopted it, but only {len(own)} "
            f"{_has_have(len(own))} at least {_weeks(min_weeks)} of scores both before and "
            f"after adopting it; we need at least {min_teams}. Give it a few more weeks.",
        )
    if n_counted < min_teams:
        best = max(len(window_changes[start]) for start in windows)
        if best < min_teams:
            reason = (
                f"Only {_teams(best)} that haven't adopted it {_has_have(best)} enough scores "
                f"over the same weeks to compare against; we need at least {min_teams}."
            )
        else:
            reason = (
                f"Only {n_counted} of the teams that adopted it can be compared yet: for the "
                f"others, too few teams that haven't adopted it have scores over the same "
                f"weeks. We need at least {min_teams}."
            )
        return _too_early(n_counted, n_pool, total_respondents, reason)

    # Point estimate, then the bootstrap over precomputed per-team changes.
    adopter_delta = [own[team][0] for team in counted]
    window_index = {start: i for i, start in enumerate(counted_windows)}
    adopter_window = [window_index[own[team][1]] for team in counted]
    comparison_mean = [
        sum(window_changes[start].values()) / len(window_changes[start])
        for start in counted_windows
    ]
    effect = statistics.fmean(
        delta - comparison_mean[w] for delta, w in zip(adopter_delta, adopter_window, strict=True)
    )

    # For each window, a value and a 0/1 flag per pool team, so a resample's comparison
    # mean is two C-level sums over the drawn indices.
    values = [[window_changes[start].get(team, 0.0) for team in pool] for start in counted_windows]
    flags = [[int(team in window_changes[start]) for team in pool] for start in counted_windows]
    rng = random.Random(seed)
    pool_range = range(n_pool)
    adopter_range = range(n_counted)
    estimates: list[float] = []
    for _ in range(resamples):
        drawn = rng.choices(pool_range, k=n_pool)
        means: list[float | None] = []
        for window_values, window_flags in zip(values, flags, strict=True):
            count = sum(map(window_flags.__getitem__, drawn))
            means.append(sum(map(window_values.__getitem__, drawn)) / count if count else None)
        total = 0.0
        used = 0
        for i in rng.choices(adopter_range, k=n_counted):
            mean = means[adopter_window[i]]
            if mean is not None:
                total += adopter_delta[i] - mean
                used += 1
        if used:
            estimates.append(total / used)

    if len(estimates) < 2:
        return _too_early(
            n_counted,
            n_pool,
            total_respondents,
            "The teams that didn't adopt it overlap too little in time with the ones that "
            "did to compare them fairly yet.",
        )
    cuts = statistics.quantiles(estimates, n=40, method="inclusive")
    low, high = cuts[0], cuts[-1]

    if high - low > max_width:
        return _too_early(
            n_counted,
            n_pool,
            total_respondents,
            f"Scores moved around too much to tell: the likely effect could be anywhere from "
            f"{_points(low)} to {_points(high)} points, which is too wide to say whether it "
            f"helps. More weeks or more teams will narrow it.",
        )

    comparing = f"{_teams(n_counted)} that adopted it against {_teams(n_pool)} that didn't"
    likely = f"likely between {_points(low)} and {_points(high)} points"
    if low > 0:
        verdict = HELPS
        reason = (
            f"Connection rose {_about(effect)} more for teams that adopted it than for "
            f"similar teams that didn't over the same weeks ({likely}; {comparing})."
        )
    elif high < 0:
        verdict = MAY_HURT
        reason = (
            f"Connection fell {_about(effect)} compared with similar teams that didn't adopt "
            f"it over the same weeks ({likely}; {comparing})."
        )
    else:
        verdict = NO_CLEAR_EFFECT
        reason = (
            f"Teams that adopted it changed about as much as teams that didn't over the same "
            f"weeks; the likely range, {_points(low)} to {_points(high)} points, includes no "
            f"change at all ({comparing})."
        )
    return Card(effect, low, high, n_counted, n_pool, total_respondents, verdict, reason)


def explain(card: Card) -> str:
    """One or two plain sentences for under the chart: what the figure means and what it doesn't."""
    if card.verdict == HELPS and card.effect is not None:
        return (
            f"Teams that adopted this ritual saw their connection score rise {_about(card.effect)} "
            "more than similar teams that didn't, over the same weeks. That is a pattern across "
            "teams, not proof the ritual caused it: teams chose to adopt it, and other things "
            "changed for them too."
        )
    if card.verdict == MAY_HURT and card.effect is not None:
        return (
            f"Teams that adopted this ritual saw their connection score fall {_about(card.effect)} "
            "compared with similar teams that didn't, over the same weeks. That doesn't prove the "
            "ritual is to blame: teams chose to adopt it, often for a reason, and other things "
            "changed for them too, so it is worth asking them how it's going."
        )
    if card.verdict == NO_CLEAR_EFFECT:
        return (
            "Teams that adopted this ritual changed about as much as similar teams that didn't, "
            "over the same weeks. That doesn't prove it does nothing: it may help some teams and "
            "not others, and teams chose whether to adopt it."
        )
    return (
        "We compare how connection changed for teams that adopted this ritual with teams that "
        "didn't, over the same weeks, but there isn't enough to go on yet. That isn't a sign it "
        "doesn't work, only that we can't tell either way so far."
    )
