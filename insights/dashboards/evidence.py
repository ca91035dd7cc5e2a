"""Which rituals work: one evidence card per catalogue ritual some team adopted."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from connection.calendar import monday
from connection.models import Team
from insights import evidence
from insights.models import TeamWeek
from rituals.models import RitualTemplate, TeamRitual

EVIDENCE_WEEKS = 26


def evidence_cards() -> list[dict]:
    """One card per catalogue ritual that some team adopted: difference in
    differences over teams without sub-teams (a parent's figures would mix
    adopters and the teams compared with them), from guarded weekly scores."""
    since = monday(timezone.now().date()) - dt.timedelta(weeks=EVIDENCE_WEEKS)
    leaves = Team.objects.filter(children__isnull=True)
    scores: dict = defaultdict(dict)
    respondents: dict = defaultdict(dict)
    for team_id, week, score, n in TeamWeek.objects.filter(
        team__in=leaves, week__gte=since, score__isnull=False
    ).values_list("team_id", "week", "score", "respondents"):
        scores[team_id][week] = score
        respondents[team_id][week] = n or 0
    adopted: dict = defaultdict(dict)
    for template_id, team_id, starts_on in TeamRitual.objects.filter(
        template__isnull=False, team__in=leaves
    ).values_list("template_id", "team_id", "starts_on"):
        first = adopted[template_id].get(team_id)
        adopted[template_id][team_id] = min(first, starts_on) if first else starts_on
    cards = []
    for template in RitualTemplate.objects.filter(pk__in=list(adopted)).order_by("position"):
        teams = adopted[template.pk]
        # Teams that adopted another catalogue ritual still count as comparisons.
        card = evidence.difference_in_differences(
            scores,
            respondents,
            {t: monday(d) for t, d in teams.items() if t in scores},
        )
        cards.append(
            {
                "template": template,
                "card": card,
                "explain": evidence.explain(card),
                "adopted_by": len(teams),
            }
        )
    return cards
