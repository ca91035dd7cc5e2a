"""The evidence card: what the evidence says about one ritual template."""

from __future__ import annotations

from dataclasses import dataclass

HELPS = "helps"
NO_CLEAR_EFFECT = "no clear effect"
MAY_HURT = "may hurt"
TOO_EARLY = "too early to tell"


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
    rounds: int = 0  # the distinct pulse rounds behind the figures
    p: float | None = None  # how surprising the difference would be with no effect
