"""The ritual evidence cards."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from connection import charts
from connection.roles import lead_or_hr_required
from insights import dashboards
from insights.dashboards.common import min_group_size, org_wide
from rituals.models import Occurrence, TeamRitual

NAMED = 12  # adopting teams a card names; it counts them all


@lead_or_hr_required(gettext_lazy("Evidence cards are for team leads and HR."))
@require_GET
def ritual_evidence(request):
    cards = org_wide(f"evidence-page:k{min_group_size()}", _cards)
    named = [ritual.pk for item in cards for ritual in item["named"]]
    visible = set(
        TeamRitual.objects.visible_to(request.user)
        .filter(pk__in=named)
        .order_by()
        .values_list("pk", flat=True)
    )
    return render(request, "insights/evidence.html", {"cards": cards, "visible": visible})


def _cards() -> list[dict]:
    """Every card with what the page says around it: the sessions the adopting teams
    held, the first NAMED of them, and the chart. The same for everyone who may read
    the page, so it is computed once for all of them (`org_wide`)."""
    cards = dashboards.evidence_cards()
    held = dict(
        Occurrence.objects.filter(
            ritual__template__in=[item["template"].pk for item in cards],
            starts_at__lt=timezone.now(),
            cancelled=False,
        )
        .values_list("ritual__template")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in cards:
        card = item["card"]
        item["adopted"] = len(item["adopted_by"])
        item["named"] = item["adopted_by"][:NAMED]
        item["more"] = item["adopted"] - len(item["named"])
        item["sessions"] = held.get(item["template"].pk, 0)
        item["left_out"] = _left_out(item["adopted"], card.adopters)
        item["chart"] = (
            charts.interval_chart(
                card.effect,
                card.low,
                card.high,
                title=_("%(ritual)s: change in connection score, points")
                % {"ritual": item["template"].name},
                desc=item["explain"],
            )
            if card.effect is not None
            else ""
        )
    return cards


def _left_out(adopted: int, counted: int) -> str:
    """Why the figure rests on fewer teams than adopted the ritual, if it does."""
    if counted >= adopted or counted == 0:  # none counted: the card's reason says why
        return ""
    missing = adopted - counted
    return ngettext(
        "%(n)s of them is not in the figure: a team with sub-teams (its score mixes theirs) "
        "or too few pulse rounds around it.",
        "%(n)s of them are not in the figure: a team with sub-teams (its score mixes theirs) "
        "or too few pulse rounds around it.",
        missing,
    ) % {"n": missing}
