"""The ritual evidence cards."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from connection import charts
from connection.roles import lead_or_hr_required
from insights import dashboards
from rituals.models import Occurrence, TeamRitual


@lead_or_hr_required("Evidence cards are for team leads and HR.")
@require_GET
def ritual_evidence(request):
    cards = dashboards.evidence_cards()
    rituals = [ritual.pk for item in cards for ritual in item["adopted_by"]]
    visible = set(
        TeamRitual.objects.visible_to(request.user)
        .filter(pk__in=rituals)
        .values_list("pk", flat=True)
    )
    held = dict(
        Occurrence.objects.filter(ritual__in=rituals, starts_at__lt=timezone.now(), cancelled=False)
        .values_list("ritual")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in cards:
        card = item["card"]
        item["sessions"] = sum(held.get(ritual.pk, 0) for ritual in item["adopted_by"])
        item["left_out"] = _left_out(len(item["adopted_by"]), card.adopters)
        item["chart"] = (
            charts.interval_chart(
                card.effect,
                card.low,
                card.high,
                title=f"{item['template'].name}: change in connection score, points",
                desc=item["explain"],
            )
            if card.effect is not None
            else ""
        )
    return render(request, "insights/evidence.html", {"cards": cards, "visible": visible})


def _left_out(adopted: int, counted: int) -> str:
    """Why the figure rests on fewer teams than adopted the ritual, if it does."""
    if counted >= adopted or counted == 0:  # none counted: the card's reason says why
        return ""
    why = "a team with sub-teams (its score mixes theirs) or too few pulse rounds around it"
    missing = adopted - counted
    return f"{missing} of them {'is' if missing == 1 else 'are'} not in the figure: {why}."
