"""The changes a difference in differences compares: each adopting team's change in
connection score around its adoption week, and every comparison team's change over the
same calendar weeks (the adoption week itself is skipped: it is half one and half the
other)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WEEK = dt.timedelta(weeks=1)

Series = dict[dt.date, float]


def window_mean(series: Series, weeks: list[dt.date], min_weeks: int):
    """Mean score over the weeks that have one, and those weeks; None when too few."""
    scored = [week for week in weeks if week in series]
    if len(scored) < min_weeks:
        return None, scored
    return sum(series[week] for week in scored) / len(scored), scored


def change(series: Series, pre_weeks: list[dt.date], post_weeks: list[dt.date], min_weeks: int):
    """(post mean − pre mean, weeks used), or (None, []) without min_weeks on both sides."""
    pre, pre_used = window_mean(series, pre_weeks, min_weeks)
    if pre is None:
        return None, []
    post, post_used = window_mean(series, post_weeks, min_weeks)
    if post is None:
        return None, []
    return post - pre, pre_used + post_used


@dataclass
class Changes:
    """Everything the estimate and the card's wording need, measured once.

    `own`: each adopter with enough weeks -> (its change, its adoption Monday);
    `window_changes`: per adoption Monday, each comparison team with enough weeks over
    those calendar weeks -> its change; `counted`: the adopters whose window has at
    least `min_teams` comparison teams; `pool`: the comparison teams of those windows;
    `respondents`: the sum over the distinct (team, week) scores behind them."""

    adopted: int
    own: dict[int, tuple[float, dt.date]] = field(default_factory=dict)
    window_changes: dict[dt.date, dict[int, float]] = field(default_factory=dict)
    counted: list[int] = field(default_factory=list)
    windows: list[dt.date] = field(default_factory=list)  # the counted adopters' Mondays
    pool: list[int] = field(default_factory=list)
    respondents: int = 0


def measure(
    scores: dict[int, Series],
    respondents: dict[int, dict[dt.date, int]],
    adoption: dict[int, dt.date],
    *,
    before: int,
    after: int,
    min_teams: int,
    min_weeks: int,
) -> Changes:
    def window(start: dt.date) -> tuple[list[dt.date], list[dt.date]]:
        pre = [start - WEEK * k for k in range(before, 0, -1)]
        return pre, [start + WEEK * k for k in range(1, after + 1)]

    found = Changes(adopted=len(adoption))
    used_weeks: dict[int, set[dt.date]] = {}
    for team in sorted(adoption):
        start = adoption[team]
        delta, weeks = change(scores.get(team, {}), *window(start), min_weeks)
        if delta is not None:
            found.own[team] = (delta, start)
            used_weeks[team] = set(weeks)

    comparison_teams = sorted(team for team in scores if team not in adoption)
    window_weeks: dict[dt.date, dict[int, list[dt.date]]] = {}
    for start in sorted({start for _, start in found.own.values()}):
        found.window_changes[start], window_weeks[start] = {}, {}
        for team in comparison_teams:
            delta, weeks = change(scores[team], *window(start), min_weeks)
            if delta is not None:
                found.window_changes[start][team] = delta
                window_weeks[start][team] = weeks

    found.counted = sorted(
        team
        for team, (_, start) in found.own.items()
        if len(found.window_changes[start]) >= min_teams
    )
    found.windows = sorted({found.own[team][1] for team in found.counted})
    found.pool = sorted({team for start in found.windows for team in found.window_changes[start]})
    for start in found.windows:
        for team, weeks in window_weeks[start].items():
            used_weeks.setdefault(team, set()).update(weeks)
    found.respondents = sum(
        respondents.get(team, {}).get(week, 0)
        for team in (*found.counted, *found.pool)
        for week in used_weeks[team]
    )
    return found
