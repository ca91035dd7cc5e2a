"""What the evidence card says, in words fit for the page: why it is too early, what
the interval means, and one or two sentences for under the chart."""

from __future__ import annotations

from insights.evidence.card import HELPS, MAY_HURT, NO_CLEAR_EFFECT, Card
from insights.evidence.changes import Changes


def _teams(count: int) -> str:
    return f"{count} team" if count == 1 else f"{count} teams"


def _has_have(count: int) -> str:
    return "has" if count == 1 else "have"


def _rounds(count: int) -> str:
    return f"{count} pulse round" if count == 1 else f"{count} pulse rounds"


def _decimal(value: float) -> str:
    """One decimal, without a trailing ".0": 9.8, 10, 0.4."""
    text = f"{abs(value):.1f}"
    return text.removesuffix(".0")


def points(value: float) -> str:
    """A signed figure for a range, e.g. "+9.8", "−3", "0"."""
    text = _decimal(value)
    if text == "0":
        return "0"
    return f"+{text}" if value > 0 else f"−{text}"


def about(value: float) -> str:
    """An unsigned headline figure: whole points from 2 up, one decimal below that."""
    size = abs(value)
    text = str(round(size)) if size >= 2 else _decimal(size)
    return f"about {text} point" if text == "1" else f"about {text} points"


def too_few(found: Changes, *, min_teams: int, min_rounds: int) -> str | None:
    """Why there is not enough to compare, naming the side that is short; None when
    there is enough."""
    adopted, counted = found.adopted, len(found.counted)
    if adopted == 0:
        return "No team has adopted it yet, so there is nothing to compare."
    if adopted < min_teams:
        return (
            f"Only {_teams(adopted)} {_has_have(adopted)} adopted it so far; "
            f"we need at least {min_teams}."
        )
    if len(found.own) < min_teams:
        own = len(found.own)
        return (
            f"{_teams(adopted)} {_has_have(adopted)} adopted it, but only {own} "
            f"{_has_have(own)} scores in at least {_rounds(min_rounds)} both before and "
            f"after adopting it; we need at least {min_teams}. Give it a few more rounds."
        )
    if counted >= min_teams:
        return None
    best = max((len(changes) for changes in found.window_changes.values()), default=0)
    if best < min_teams:
        return (
            f"Only {_teams(best)} that adopted no ritual over the same rounds "
            f"{_has_have(best)} enough scores to compare against; we need at least {min_teams}."
        )
    return (
        f"Only {counted} of the teams that adopted it can be compared yet: for the "
        f"others, too few teams that adopted no ritual have scores over the same "
        f"rounds. We need at least {min_teams}."
    )


def too_wide(low: float, high: float) -> str:
    return (
        f"Scores moved around too much to tell: the likely effect could be anywhere from "
        f"{points(low)} to {points(high)} points, which is too wide to say whether it "
        f"helps. More weeks or more teams will narrow it."
    )


def verdict(
    effect: float, low: float, high: float, counted: int, pool: int, rounds: int
) -> tuple[str, str]:
    """(verdict, reason) for an interval narrow enough to read."""
    comparing = (
        f"{_teams(counted)} that adopted it against {_teams(pool)} that adopted no ritual "
        f"then, over {_rounds(rounds)}"
    )
    likely = f"likely between {points(low)} and {points(high)} points"
    if low > 0:
        return HELPS, (
            f"Connection rose {about(effect)} more for teams that adopted it than for "
            f"similar teams that didn't over the same weeks ({likely}; {comparing})."
        )
    if high < 0:
        return MAY_HURT, (
            f"Connection fell {about(effect)} compared with similar teams that didn't adopt "
            f"it over the same weeks ({likely}; {comparing})."
        )
    return NO_CLEAR_EFFECT, (
        f"Teams that adopted it changed about as much as teams that didn't over the same "
        f"weeks; the likely range, {points(low)} to {points(high)} points, includes no "
        f"change at all ({comparing})."
    )


def not_after_all(card: Card, judged: int) -> str:
    """Why a card that would say "helps" or "may hurt" alone says no clear effect once
    the other rituals judged with it are allowed for."""
    direction = "rose" if card.effect > 0 else "fell"
    return (
        f"Connection {direction} {about(card.effect)} for teams that adopted it compared "
        f"with similar teams that didn't (likely between {points(card.low)} and "
        f"{points(card.high)} points), but with {judged} rituals judged at once, one of "
        f"them would look this good or this bad by chance too often to call it. More "
        f"teams or more rounds will tell."
    )


def explain(card: Card) -> str:
    """One or two plain sentences for under the chart: what the figure means and what it doesn't."""
    if card.verdict == HELPS and card.effect is not None:
        return (
            f"Teams that adopted this ritual saw their connection score rise {about(card.effect)} "
            "more than similar teams that didn't, over the same weeks. That is a pattern across "
            "teams, not proof the ritual caused it: teams chose to adopt it, and other things "
            "changed for them too."
        )
    if card.verdict == MAY_HURT and card.effect is not None:
        return (
            f"Teams that adopted this ritual saw their connection score fall {about(card.effect)} "
            "compared with similar teams that didn't, over the same weeks. That doesn't prove the "
            "ritual is to blame: teams chose to adopt it, often for a reason, and other things "
            "changed for them too, so it is worth asking them how it's going."
        )
    moved = card.low is not None and (card.low > 0 or card.high < 0)
    if card.verdict == NO_CLEAR_EFFECT and moved and card.trend_flagged:
        return (
            "Teams that adopted this ritual changed differently from similar teams that didn't, "
            "but they were already moving differently before adopting it, so we can't tell what "
            "the ritual itself did."
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


def trend(effect: float, *, flagged: bool) -> str:
    """The card's line on the pre-trend check."""
    unit = "point" if _decimal(effect) == "1" else "points"
    if not flagged:
        return (
            f"Before adopting, these teams moved like the others "
            f"({points(effect)} {unit}, within noise)."
        )
    direction = "rising" if effect > 0 else "falling"
    return (
        f"Before adopting, these teams were already {direction} by {_decimal(effect)} {unit} "
        f"more than the others: part of this change may not be the ritual's."
    )


def trend_too_few(*, enough_rounds: bool) -> str:
    if enough_rounds:
        return (
            "Too few teams that adopted no ritual have scores over the same rounds to "
            "check the trend before adoption."
        )
    return "Not enough rounds before adoption to check the trend."


def trend_too_wide() -> str:
    return "Before adopting, scores moved around too much to check the trend."


def trend_differs(card: Card) -> str:
    """Why a card that would say "helps" or "may hurt" says no clear effect when the
    adopters were already moving differently before adopting."""
    direction = "rose" if card.effect > 0 else "fell"
    already = "rising" if card.trend > 0 else "falling"
    return (
        f"Connection {direction} {about(card.effect)} for teams that adopted it compared "
        f"with similar teams that didn't (likely between {points(card.low)} and "
        f"{points(card.high)} points), but before adopting it these teams were already "
        f"{already} by {_decimal(card.trend)} points more than the others, so we can't "
        f"tell how much of the change is the ritual's."
    )
