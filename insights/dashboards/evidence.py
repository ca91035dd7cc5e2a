"""Which rituals work: one evidence card per catalogue ritual some team adopted."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from connection.calendar import monday
from connection.models import Team
from insights import evidence
from insights.models import Alert, TeamWeek
from rituals.models import RitualTemplate, TeamRitual

EVIDENCE_WEEKS = 26
ALERT_LEAD = dt.timedelta(weeks=2)  # an adoption this soon after an alert answers it


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
    alerts: dict = defaultdict(list)
    for team_id, week in Alert.objects.filter(team__in=leaves, week__gte=since).values_list(
        "team_id", "week"
    ):
        alerts[team_id].append(week)
    templates = list(RitualTemplate.objects.filter(pk__in=list(adopted)).order_by("position"))
    cards = []
    for template in templates:
        teams = {t: monday(d) for t, d in adopted[template.pk].items() if t in scores}
        others: dict = defaultdict(list)
        for other, their_teams in adopted.items():
            if other != template.pk:
                for team_id, starts_on in their_teams.items():
                    others[team_id].append(starts_on)
        cards.append(
            evidence.difference_in_differences(
                scores,
                respondents,
                teams,
                others=others,
                alerted=_alerted(teams, alerts),
            )
        )
    cards = evidence.judge_together(cards)
    return [
        {
            "template": template,
            "card": card,
            "explain": evidence.explain(card),
            "adopted_by": len(adopted[template.pk]),
        }
        for template, card in zip(templates, cards, strict=True)
    ]


def _alerted(adopted: dict, alerts: dict) -> dict:
    """{team: week of the alert} for teams that adopted within ALERT_LEAD of an alert:
    their scores just before were picked for being low."""
    out = {}
    for team_id, start in adopted.items():
        recent = [w for w in alerts.get(team_id, ()) if start - ALERT_LEAD <= w <= start]
        if recent:
            out[team_id] = max(recent)
    return out
