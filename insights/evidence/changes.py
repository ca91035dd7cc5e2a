"""The changes a difference in differences compares: each adopting team's change in
connection score around its adoption, and the change of every clean comparison team
over the same rounds.

Windows are counted in pulse rounds (the weeks in which some team has a score), not in
calendar weeks, so a weekly, two-weekly or four-weekly pulse each get `before` rounds
before adoption and `after` rounds after it. The adoption week itself is skipped: it is
half one and half the other. A team that adopted after a falling-score alert leaves
the alert week and the weeks it was compared with out of its "before": they were
picked for being low, and would make any ritual look like it helped.

A comparison team, for one adopter's window, is a team that adopted no catalogue ritual
within those rounds: never, or only later (not yet), so that another ritual's effect is
not taken for "what would have happened anyway". `compare` does the measuring for any
windows, so the pre-trend check (`pretrend`) measures its placebo windows the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ALERT_HISTORY = dt.timedelta(weeks=4)  # the weeks a falling-score alert compares with

Series = dict[dt.date, float]


def window_mean(series: Series, rounds: list[dt.date], min_rounds: int):
    """Mean score over the rounds that have one, and those rounds; None when too few."""
    scored = [week for week in rounds if week in series]
    if len(scored) < min_rounds:
        return None, scored
    return sum(series[week] for week in scored) / len(scored), scored


def change(series: Series, pre: list[dt.date], post: list[dt.date], min_rounds: int):
    """(post mean − pre mean, rounds used), or (None, []) without min_rounds on both sides."""
    before, before_used = window_mean(series, pre, min_rounds)
    if before is None:
        return None, []
    after, after_used = window_mean(series, post, min_rounds)
    if after is None:
        return None, []
    return after - before, before_used + after_used


@dataclass(frozen=True)
class Window:
    """The rounds one adopter is judged over."""

    pre: tuple[dt.date, ...]
    post: tuple[dt.date, ...]


@dataclass
class Changes:
    """Everything the estimate and the card's wording need, measured once.

    `own`: each adopter with enough rounds -> (its change, its window);
    `window_changes`: per window, each clean comparison team with enough rounds over it
    -> its change; `counted`: the adopters whose window has at least `min_teams`
    comparison teams; `pool`: the comparison teams of those windows; `rounds`: the
    distinct rounds behind them; `respondents`: the sum over the distinct (team, round)
    scores behind them."""

    adopted: int
    own: dict[int, tuple[float, Window]] = field(default_factory=dict)
    window_changes: dict[Window, dict[int, float]] = field(default_factory=dict)
    counted: list[int] = field(default_factory=list)
    pool: list[int] = field(default_factory=list)
    rounds: int = 0
    respondents: int = 0


def pulse_rounds(scores: dict[int, Series]) -> list[dt.date]:
    """The weeks in which some team has a score, in order."""
    return sorted({week for series in scores.values() for week in series})


def end_of_before(team: int, start: dt.date, alerted: dict[int, dt.date]) -> dt.date:
    """The week a team's "before" stops: its adoption, or earlier after an alert."""
    if team in alerted:
        return min(start, alerted[team] - ALERT_HISTORY)
    return start


def starts_of(
    scores: dict[int, Series], adoption: dict[int, dt.date], others: dict[int, list[dt.date]]
) -> dict[int, list[dt.date]]:
    """Every team's adoption weeks, of this ritual and of any other."""
    starts = {team: [*others.get(team, ())] for team in scores}
    for team, start in adoption.items():
        starts.setdefault(team, []).append(start)
    return starts


def measure(
    scores: dict[int, Series],
    respondents: dict[int, dict[dt.date, int]],
    adoption: dict[int, dt.date],
    *,
    others: dict[int, list[dt.date]],
    alerted: dict[int, dt.date],
    before: int,
    after: int,
    min_teams: int,
    min_rounds: int,
) -> Changes:
    rounds = pulse_rounds(scores)
    spans = {}
    for team, start in adoption.items():
        end = end_of_before(team, start, alerted)
        pre = [week for week in rounds if week < end][-before:]
        post = [week for week in rounds if week > start][:after]
        spans[team] = Window(tuple(pre), tuple(post))
    return compare(
        scores,
        respondents,
        spans,
        starts=starts_of(scores, adoption, others),
        min_teams=min_teams,
        min_rounds=min_rounds,
    )


def compare(
    scores: dict[int, Series],
    respondents: dict[int, dict[dt.date, int]],
    spans: dict[int, Window],
    *,
    starts: dict[int, list[dt.date]],
    min_teams: int,
    min_rounds: int,
    exclude: frozenset[int] = frozenset(),
) -> Changes:
    """Each adopter's change over its window, and each clean comparison team's over the
    same rounds: one that adopted no ritual (in `starts`) within them and is not in
    `exclude`."""
    found = Changes(adopted=len(spans))
    used: dict[int, set[dt.date]] = {}
    for team in sorted(spans):
        span = spans[team]
        delta, weeks = change(scores.get(team, {}), list(span.pre), list(span.post), min_rounds)
        if delta is not None:
            found.own[team] = (delta, span)
            used[team] = set(weeks)

    window_weeks: dict[Window, dict[int, list[dt.date]]] = {}
    for span in sorted({span for _, span in found.own.values()}, key=lambda s: (s.pre, s.post)):
        if not span.pre or not span.post:
            continue
        first, last = span.pre[0], span.post[-1]
        found.window_changes[span], window_weeks[span] = {}, {}
        for team in sorted(scores):
            if team in exclude or any(first <= start <= last for start in starts.get(team, ())):
                continue  # adopted this or another ritual within the window
            delta, weeks = change(scores[team], list(span.pre), list(span.post), min_rounds)
            if delta is not None:
                found.window_changes[span][team] = delta
                window_weeks[span][team] = weeks

    found.counted = sorted(
        team
        for team, (_, span) in found.own.items()
        if len(found.window_changes.get(span, {})) >= min_teams
    )
    judged = {found.own[team][1] for team in found.counted}
    found.pool = sorted({team for span in judged for team in found.window_changes[span]})
    behind = {team: set(used[team]) for team in found.counted}
    for span in judged:
        for team, weeks in window_weeks[span].items():
            behind.setdefault(team, set()).update(weeks)
    found.rounds = len(set().union(*behind.values())) if behind else 0
    found.respondents = sum(
        respondents.get(team, {}).get(week, 0) for team, weeks in behind.items() for week in weeks
    )
    return found
