"""Which rituals work: one evidence card per catalogue ritual some team adopted."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from connection.calendar import monday
from connection.models import Team
from insights import evidence
from insights.models import Alert, TeamWeek
from rituals.models import RitualTemplate
from rituals.services.rituals import adoptions

EVIDENCE_WEEKS = 26
ALERT_LEAD = dt.timedelta(weeks=2)  # an adoption this soon after an alert answers it


def evidence_cards() -> list[dict]:
    """One card per catalogue ritual that some team adopted: difference in
    differences over teams without sub-teams (a parent's figures would mix
    adopters and the teams compared with them), from guarded weekly scores.
    `adopted_by` is every team that adopted it (rituals.services.rituals.adoptions),
    the count the catalogue and the ritual pages give too."""
    since = monday(timezone.now().date()) - dt.timedelta(weeks=EVIDENCE_WEEKS)
    leaves = Team.objects.filter(children__isnull=True)
    scores: dict = defaultdict(dict)
    respondents: dict = defaultdict(dict)
    for team_id, week, score, n in TeamWeek.objects.filter(
        team__in=leaves, week__gte=since, score__isnull=False
    ).values_list("team_id", "week", "score", "respondents"):
        scores[team_id][week] = score
        respondents[team_id][week] = n or 0
    everyone = adoptions()
    leaf_ids = set(leaves.values_list("pk", flat=True))
    adopted = {
        template_id: {r.team_id: r.starts_on for r in rituals if r.team_id in leaf_ids}
        for template_id, rituals in everyone.items()
    }
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
                alerted=alerted_before(teams, alerts),
            )
        )
    cards = evidence.judge_together(cards)
    cards = [
        _only_parents_adopted(card, everyone[template.pk]) if not adopted[template.pk] else card
        for template, card in zip(templates, cards, strict=True)
    ]
    return [
        {
            "template": template,
            "card": card,
            "explain": evidence.explain(card),
            "adopted_by": everyone[template.pk],
        }
        for template, card in zip(templates, cards, strict=True)
    ]


def _only_parents_adopted(card: evidence.Card, rituals: list) -> evidence.Card:
    names = ", ".join(ritual.team.name for ritual in rituals)
    return dataclasses.replace(
        card,
        reason=_(
            "Only teams with sub-teams have adopted it (%(teams)s): a team's score mixes "
            "its sub-teams', so there is no team to compare yet."
        )
        % {"teams": names},
    )


def alerted_before(adopted: dict, alerts: dict) -> dict:
    """{team: week of the alert} for teams that adopted within ALERT_LEAD of an alert:
    their scores just before were picked for being low."""
    out = {}
    for team_id, start in adopted.items():
        recent = [w for w in alerts.get(team_id, ()) if start - ALERT_LEAD <= w <= start]
        if recent:
            out[team_id] = max(recent)
    return out
