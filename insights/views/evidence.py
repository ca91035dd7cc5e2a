"""The ritual evidence cards."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from connection import charts
from connection.roles import lead_or_hr_required
from insights import dashboards


@lead_or_hr_required("Evidence cards are for team leads and HR.")
@require_GET
def ritual_evidence(request):
    cards = dashboards.evidence_cards()
    for item in cards:
        card = item["card"]
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
    return render(request, "insights/evidence.html", {"cards": cards})
