"""The effect and its 95 % bootstrap interval, from the changes measured once.

The effect is the mean, over adopters, of the adopter's change minus the mean change
of the comparison teams over its window. The interval resamples adopters and comparison
teams with replacement and recomputes it: per-window values and 0/1 flags per pool team
are laid out once, so each resample is a few C-level sums over the drawn indices.
"""

from __future__ import annotations

import random
import statistics

from insights.evidence.changes import Changes


def effect(found: Changes) -> float:
    comparison = {
        start: sum(found.window_changes[start].values()) / len(found.window_changes[start])
        for start in found.windows
    }
    return statistics.fmean(
        delta - comparison[start] for delta, start in (found.own[team] for team in found.counted)
    )


def bootstrap(found: Changes, *, resamples: int, seed: int) -> list[float]:
    """The effect in each resample that drew at least one comparable adopter."""
    index = {start: i for i, start in enumerate(found.windows)}
    adopter_delta = [found.own[team][0] for team in found.counted]
    adopter_window = [index[found.own[team][1]] for team in found.counted]
    values = [
        [found.window_changes[start].get(team, 0.0) for team in found.pool]
        for start in found.windows
    ]
    flags = [
        [int(team in found.window_changes[start]) for team in found.pool] for start in found.windows
    ]
    rng = random.Random(seed)
    pool_range, n_pool = range(len(found.pool)), len(found.pool)
    adopter_range, n_counted = range(len(found.counted)), len(found.counted)
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
    return estimates


def interval(estimates: list[float]) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the resampled effects."""
    cuts = statistics.quantiles(estimates, n=40, method="inclusive")
    return cuts[0], cuts[-1]
