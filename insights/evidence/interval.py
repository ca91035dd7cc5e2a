"""The effect, its 95 % interval and how surprising it would be with no effect at all.

Each counted adopter gives one difference: its own change minus the mean change of its
window's comparison teams. The effect is the mean of those differences. Its variance is
the spread of the differences over the adopters, plus, for each window, the uncertainty
of its comparison mean (shared by the adopters of that window, so the spread alone
would miss it). The interval uses Student's t with one degree of freedom fewer than
there are adopters: with 3 to 5 adopting teams it is wide, as it should be, where a
normal or bootstrap interval is too narrow and calls chance an effect.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass

from scipy import stats

from insights.evidence.changes import Changes


@dataclass(frozen=True)
class Estimate:
    effect: float
    low: float
    high: float
    p: float  # the chance of a difference this large or larger if the ritual did nothing


def estimate(found: Changes) -> Estimate:
    comparison = {
        span: statistics.fmean(found.window_changes[span].values())
        for span in {found.own[team][1] for team in found.counted}
    }
    differences = [found.own[team][0] - comparison[found.own[team][1]] for team in found.counted]
    n = len(differences)
    effect = statistics.fmean(differences)
    variance = statistics.variance(differences) / n
    for span, adopters in Counter(found.own[team][1] for team in found.counted).items():
        changes = list(found.window_changes[span].values())
        variance += (adopters / n) ** 2 * statistics.variance(changes) / len(changes)
    error = math.sqrt(variance)
    half = stats.t.ppf(0.975, n - 1) * error
    p = 2 * stats.t.sf(abs(effect) / error, n - 1) if error else float(effect == 0)
    return Estimate(effect, effect - half, effect + half, p)


def holm(p_values: list[float], level: float = 0.05) -> list[bool]:
    """Which of several tests still say "something is there" once judged together
    (Holm's step-down: the smallest p against level/m, the next against level/(m-1),
    and so on, stopping at the first that fails)."""
    order = sorted(range(len(p_values)), key=p_values.__getitem__)
    passed = [False] * len(p_values)
    for rank, i in enumerate(order):
        if p_values[i] > level / (len(p_values) - rank):
            break
        passed[i] = True
    return passed
