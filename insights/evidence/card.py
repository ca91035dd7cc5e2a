"""The evidence card: what the evidence says about one ritual template."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The verdicts are identifiers (the API's values, the page's CSS classes); what a
# person reads is their label, in their language.
HELPS = "helps"
NO_CLEAR_EFFECT = "no clear effect"
MAY_HURT = "may hurt"
TOO_EARLY = "too early to tell"
VERDICT_LABELS = {
    HELPS: _("helps"),
    NO_CLEAR_EFFECT: _("no clear effect"),
    MAY_HURT: _("may hurt"),
    TOO_EARLY: _("too early to tell"),
}


@dataclass(frozen=True)
class Card:
    """What the evidence says about one ritual template.

    `effect`, `low` and `high` are points on the 0-100 connection score; they are None
    when the verdict is "too early to tell" (the reason then says why). The `trend`
    fields are the same comparison over rounds before adoption (`pretrend`): None when
    it could not be checked, and `trend_note` says so, or what it found, in one line.
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
    trend: float | None = None  # how much more adopters moved than the others before
    trend_low: float | None = None
    trend_high: float | None = None
    trend_p: float | None = None
    trend_note: str = ""

    @property
    def verdict_label(self) -> str:
        """The verdict in words for the page (`verdict` stays the identifier)."""
        return str(VERDICT_LABELS.get(self.verdict, self.verdict))

    @property
    def trend_flagged(self) -> bool:
        """Before adopting, the adopters were already moving differently from the others."""
        return self.trend_low is not None and (self.trend_low > 0 or self.trend_high < 0)
