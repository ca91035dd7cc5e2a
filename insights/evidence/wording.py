"""What the evidence card says, in words fit for the page: why it is too early, what
the interval means, and one or two sentences for under the chart."""

from __future__ import annotations

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insights.evidence.card import HELPS, MAY_HURT, NO_CLEAR_EFFECT, Card
from insights.evidence.changes import Changes


def _teams(count: int) -> str:
    return ngettext("%(n)s team", "%(n)s teams", count) % {"n": count}


def _rounds(count: int) -> str:
    return ngettext("%(n)s pulse round", "%(n)s pulse rounds", count) % {"n": count}


def _decimal(value: float) -> str:
    """One decimal, without a trailing ".0": 9.8, 10, 0.4 (a decimal comma in German)."""
    text = f"{abs(value):.1f}".removesuffix(".0")
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


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
    return ngettext("about %(n)s point", "about %(n)s points", 1 if text == "1" else 2) % {
        "n": text
    }


def too_few(found: Changes, *, min_teams: int, min_rounds: int) -> str | None:
    """Why there is not enough to compare, naming the side that is short; None when
    there is enough."""
    adopted, counted = found.adopted, len(found.counted)
    if adopted == 0:
        return _("No team has adopted it yet, so there is nothing to compare.")
    if adopted < min_teams:
        return ngettext(
            "Only %(n)s team has adopted it so far; we need at least %(min)s.",
            "Only %(n)s teams have adopted it so far; we need at least %(min)s.",
            adopted,
        ) % {"n": adopted, "min": min_teams}
    if len(found.own) < min_teams:
        own = len(found.own)
        adopters = ngettext("%(n)s team has adopted it", "%(n)s teams have adopted it", adopted) % {
            "n": adopted
        }
        scored = ngettext(
            "but only %(own)s has scores in at least %(rounds)s both before and after adopting it",
            "but only %(own)s have scores in at least %(rounds)s both before and after adopting it",
            own,
        ) % {"own": own, "rounds": _rounds(min_rounds)}
        return _(
            "%(adopters)s, %(scored)s; we need at least %(min)s. Give it a few more rounds."
        ) % {"adopters": adopters, "scored": scored, "min": min_teams}
    if counted >= min_teams:
        return None
    best = max((len(changes) for changes in found.window_changes.values()), default=0)
    if best < min_teams:
        return ngettext(
            "Only %(n)s team that adopted no ritual over the same rounds has enough scores "
            "to compare against; we need at least %(min)s.",
            "Only %(n)s teams that adopted no ritual over the same rounds have enough scores "
            "to compare against; we need at least %(min)s.",
            best,
        ) % {"n": best, "min": min_teams}
    return _(
        "Only %(counted)s of the teams that adopted it can be compared yet: for the "
        "others, too few teams that adopted no ritual have scores over the same "
        "rounds. We need at least %(min)s."
    ) % {"counted": counted, "min": min_teams}


def too_wide(low: float, high: float) -> str:
    return _(
        "Scores moved around too much to tell: the likely effect could be anywhere from "
        "%(low)s to %(high)s points, which is too wide to say whether it "
        "helps. More weeks or more teams will narrow it."
    ) % {"low": points(low), "high": points(high)}


def verdict(
    effect: float, low: float, high: float, counted: int, pool: int, rounds: int
) -> tuple[str, str]:
    """(verdict, reason) for an interval narrow enough to read."""
    comparing = _(
        "%(adopters)s that adopted it against %(others)s that adopted no ritual "
        "then, over %(rounds)s"
    ) % {"adopters": _teams(counted), "others": _teams(pool), "rounds": _rounds(rounds)}
    likely = _("likely between %(low)s and %(high)s points") % {
        "low": points(low),
        "high": points(high),
    }
    figures = {"about": about(effect), "likely": likely, "comparing": comparing}
    if low > 0:
        return HELPS, _(
            "Connection rose %(about)s more for teams that adopted it than for "
            "similar teams that didn't over the same weeks (%(likely)s; %(comparing)s)."
        ) % figures
    if high < 0:
        return MAY_HURT, _(
            "Connection fell %(about)s compared with similar teams that didn't adopt "
            "it over the same weeks (%(likely)s; %(comparing)s)."
        ) % figures
    return NO_CLEAR_EFFECT, _(
        "Teams that adopted it changed about as much as teams that didn't over the same "
        "weeks; the likely range, %(low)s to %(high)s points, includes no "
        "change at all (%(comparing)s)."
    ) % {"low": points(low), "high": points(high), "comparing": comparing}


def not_after_all(card: Card, judged: int) -> str:
    """Why a card that would say "helps" or "may hurt" alone says no clear effect once
    the other rituals judged with it are allowed for."""
    figures = {
        "about": about(card.effect),
        "low": points(card.low),
        "high": points(card.high),
        "judged": judged,
    }
    if card.effect > 0:
        return (
            _(
                "Connection rose %(about)s for teams that adopted it compared "
                "with similar teams that didn't (likely between %(low)s and "
                "%(high)s points), but with %(judged)s rituals judged at once, one of "
                "them would look this good or this bad by chance too often to call it. More "
                "teams or more rounds will tell."
            )
            % figures
        )
    return (
        _(
            "Connection fell %(about)s for teams that adopted it compared "
            "with similar teams that didn't (likely between %(low)s and "
            "%(high)s points), but with %(judged)s rituals judged at once, one of "
            "them would look this good or this bad by chance too often to call it. More "
            "teams or more rounds will tell."
        )
        % figures
    )


def explain(card: Card) -> str:
    """One or two plain sentences for under the chart: what the figure means and what it doesn't."""
    if card.verdict == HELPS and card.effect is not None:
        return _(
            "Teams that adopted this ritual saw their connection score rise %(about)s "
            "more than similar teams that didn't, over the same weeks. That is a pattern across "
            "teams, not proof the ritual caused it: teams chose to adopt it, and other things "
            "changed for them too."
        ) % {"about": about(card.effect)}
    if card.verdict == MAY_HURT and card.effect is not None:
        return _(
            "Teams that adopted this ritual saw their connection score fall %(about)s "
            "compared with similar teams that didn't, over the same weeks. That doesn't prove the "
            "ritual is to blame: teams chose to adopt it, often for a reason, and other things "
            "changed for them too, so it is worth asking them how it's going."
        ) % {"about": about(card.effect)}
    moved = card.low is not None and (card.low > 0 or card.high < 0)
    if card.verdict == NO_CLEAR_EFFECT and moved and card.trend_flagged:
        return _(
            "Teams that adopted this ritual changed differently from similar teams that didn't, "
            "but they were already moving differently before adopting it, so we can't tell what "
            "the ritual itself did."
        )
    if card.verdict == NO_CLEAR_EFFECT:
        return _(
            "Teams that adopted this ritual changed about as much as similar teams that didn't, "
            "over the same weeks. That doesn't prove it does nothing: it may help some teams and "
            "not others, and teams chose whether to adopt it."
        )
    return _(
        "We compare how connection changed for teams that adopted this ritual with teams that "
        "didn't, over the same weeks, but there isn't enough to go on yet. That isn't a sign it "
        "doesn't work, only that we can't tell either way so far."
    )


def trend(effect: float, *, flagged: bool) -> str:
    """The card's line on the pre-trend check."""
    plural = 1 if _decimal(effect) == "1" else 2
    if not flagged:
        return ngettext(
            "Before adopting, these teams moved like the others (%(points)s point, within noise).",
            "Before adopting, these teams moved like the others (%(points)s points, within noise).",
            plural,
        ) % {"points": points(effect)}
    if effect > 0:
        text = ngettext(
            "Before adopting, these teams were already rising by %(n)s point more than the "
            "others: part of this change may not be the ritual's.",
            "Before adopting, these teams were already rising by %(n)s points more than the "
            "others: part of this change may not be the ritual's.",
            plural,
        )
    else:
        text = ngettext(
            "Before adopting, these teams were already falling by %(n)s point more than the "
            "others: part of this change may not be the ritual's.",
            "Before adopting, these teams were already falling by %(n)s points more than the "
            "others: part of this change may not be the ritual's.",
            plural,
        )
    return text % {"n": _decimal(effect)}


def trend_too_few(*, enough_rounds: bool) -> str:
    if enough_rounds:
        return _(
            "Too few teams that adopted no ritual have scores over the same rounds to "
            "check the trend before adoption."
        )
    return _("Not enough rounds before adoption to check the trend.")


def trend_too_wide() -> str:
    return _("Before adopting, scores moved around too much to check the trend.")


def trend_differs(card: Card) -> str:
    """Why a card that would say "helps" or "may hurt" says no clear effect when the
    adopters were already moving differently before adopting."""
    figures = {
        "about": about(card.effect),
        "low": points(card.low),
        "high": points(card.high),
        "trend": _decimal(card.trend),
    }
    if card.effect > 0 and card.trend > 0:
        text = _(
            "Connection rose %(about)s for teams that adopted it compared "
            "with similar teams that didn't (likely between %(low)s and "
            "%(high)s points), but before adopting it these teams were already "
            "rising by %(trend)s points more than the others, so we can't "
            "tell how much of the change is the ritual's."
        )
    elif card.effect > 0:
        text = _(
            "Connection rose %(about)s for teams that adopted it compared "
            "with similar teams that didn't (likely between %(low)s and "
            "%(high)s points), but before adopting it these teams were already "
            "falling by %(trend)s points more than the others, so we can't "
            "tell how much of the change is the ritual's."
        )
    elif card.trend > 0:
        text = _(
            "Connection fell %(about)s for teams that adopted it compared "
            "with similar teams that didn't (likely between %(low)s and "
            "%(high)s points), but before adopting it these teams were already "
            "rising by %(trend)s points more than the others, so we can't "
            "tell how much of the change is the ritual's."
        )
    else:
        text = _(
            "Connection fell %(about)s for teams that adopted it compared "
            "with similar teams that didn't (likely between %(low)s and "
            "%(high)s points), but before adopting it these teams were already "
            "falling by %(trend)s points more than the others, so we can't "
            "tell how much of the change is the ritual's."
        )
    return text % figures
