"""A manager's team: 12 weeks of figures, the ones to act on, ties and the alert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Subquery
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from connection import privacy
from connection.calendar import NEWCOMER_DAYS
from connection.models import Nudge, Team, User
from insights.alerts import alert_body, alert_title
from insights.dashboards import common
from insights.dashboards.common import (
    DIMENSIONS,
    WEAK_ACTIVITY,
    WEAK_DIMENSION,
    WEAK_EI,
    WEAK_SCORE,
    WEEKS,
    Figure,
    min_group_size,
    short_label,
    week_label,
)
from insights.models import Alert, ConversationGuide, TeamWeek


@dataclass
class TeamView:
    team: Team
    week: dt.date | None
    k: int
    rows: list[TeamWeek]
    trend: list = field(default_factory=list)
    heat: dict = field(default_factory=dict)
    weeks: list = field(default_factory=list)
    week_heads: list = field(default_factory=list)  # what the heat map's columns print
    figures: list[Figure] = field(default_factory=list)
    ties: list = field(default_factory=list)
    alert: dict | None = None
    hidden: bool = False  # nothing about this team may be shown


def team_view(team: Team, viewer: User, *, now: dt.datetime | None = None) -> TeamView:
    now = now or timezone.now()
    k = min_group_size()
    rows = list(reversed(TeamWeek.objects.filter(team=team).order_by("-week")[:WEEKS]))
    view = TeamView(team=team, week=rows[-1].week if rows else None, k=k, rows=rows)
    if not rows:
        return view
    latest = rows[-1]
    actions = common.actions(team)
    view.trend = [(week_label(r.week), r.score_rolling) for r in rows]
    pulsed = [r for r in rows if r.dimensions]  # weeks whose pulse round has closed
    # Keyed by the full label: the short ones repeat ("8" in February and March).
    view.weeks = [week_label(r.week) for r in pulsed]
    view.week_heads = [short_label(r.week, first=i == 0) for i, r in enumerate(pulsed)]
    view.heat = {
        (label, week_label(r.week)): r.dimensions.get(key)
        for r in pulsed
        for key, label in DIMENSIONS
    }
    scored = next((r for r in reversed(rows) if r.round_number and r.dimensions), latest)
    view.hidden = not latest.people_shown and all(r.score_rolling is None for r in rows)
    view.figures = _team_figures(latest, scored, k, actions)
    view.ties = _ties(team, latest, k)
    view.alert = _alert(team, viewer, now)
    return view


def _team_figures(latest: TeamWeek, scored: TeamWeek, k: int, actions: dict) -> list[Figure]:
    """The latest round's pulse figures (`scored`), then this week's behaviour
    (`latest`): what the manager reads first, the weak ones with an action."""
    return [
        *_pulse_figures(scored, actions),
        *_activity_figures(latest, k, actions),
        *_onboarding_figures(latest, k, actions),
    ]


def _pulse_figures(scored: TeamWeek, actions: dict) -> list[Figure]:
    # The latest round's score, as on the pulse results page; the trend is rolling.
    score = scored.score
    figures = [
        Figure(
            _("Connection score (latest pulse)"),
            f"{floatformat(score, 0)} / 100" if score is not None else None,
            "" if score is not None else privacy.NOT_ENOUGH,
            weak=score is not None and score < WEAK_SCORE,
            action=actions["ritual"],
        )
    ]
    # Each dimension's share; only the weakest carries an action, so the list of
    # things to do stays short enough to act on.
    shown = [(v, k, lab) for k, lab in DIMENSIONS if (v := scored.dimensions.get(k)) is not None]
    weakest = min(shown)[1] if shown else None
    for value, key, label in sorted(shown):
        if value < WEAK_DIMENSION:
            action = actions["coffee" if key in ("belonging", "learning") else "ritual"]
            figures.append(
                Figure(
                    _("%(dimension)s: favourable answers") % {"dimension": label},
                    f"{floatformat(value, 0)} %",
                    weak=True,
                    action=action if key == weakest else None,
                )
            )
    rate = scored.response_rate
    figures.append(
        Figure(
            _("Answered the pulse"),
            f"{rate} %" if rate is not None else None,
            "" if rate is not None else privacy.NOT_ENOUGH,
        )
    )
    return figures


def _activity_figures(latest: TeamWeek, k: int, actions: dict) -> list[Figure]:
    shown = latest.people_shown
    active = privacy.people_share(latest.active_members, latest.members, k, shown)
    reason = (
        ""
        if shown
        else _("Fewer than %(k)s people, or it would single out a smaller group") % {"k": k}
    )
    isolated = privacy.headcount(latest.isolated, latest.members, k, shown)
    ties = latest.ties_internal + latest.ties_external
    ei = latest.ei_index if shown and ties >= k else None
    return [
        Figure(
            _("Connected with a colleague this week"),
            f"{active} %" if active is not None else None,
            reason,
            weak=active is not None and active < WEAK_ACTIVITY,
            action=actions["together"],
        ),
        Figure(
            _("People with no one-to-one connection in 90 days"),
            isolated,
            reason,
            weak=isolated not in (None, "0"),
            action=actions["checkin"],
        ),
        Figure(
            _("Ties reaching outside the team (−1 all within it, +1 all outside)"),
            f"{ei:+.2f}".replace(".", get_format("DECIMAL_SEPARATOR")) if ei is not None else None,
            "" if ei is not None else _("Too few ties to say"),
            weak=ei is not None and ei < WEAK_EI,
            action=actions["coffee"],
        ),
    ]


def _onboarding_figures(latest: TeamWeek, k: int, actions: dict) -> list[Figure]:
    if not (latest.people_shown and latest.newcomers >= privacy.effective_k(k)):
        return [
            Figure(
                _("Onboarding"),
                None,
                _(
                    "Fewer than %(k)s people started in the last %(days)s days; "
                    "shown for bigger groups"
                )
                % {"k": k, "days": NEWCOMER_DAYS},
            )
        ]
    # A median over fewer than k people who asked would be one person's days.
    median = latest.first_ask_median_days
    enough = latest.newcomers_asked >= privacy.effective_k(k)
    without = privacy.headcount(latest.newcomers_without_ask, latest.newcomers, k)
    return [
        Figure(
            _("Newcomers: median days to their first question"),
            f"{median:.0f}" if enough and median is not None else None,
            "" if enough else _("Shown once at least %(k)s newcomers have asked") % {"k": k},
        ),
        Figure(
            _("Newcomers with no question after 14 days"),
            without,
            weak=without not in (None, "0"),
            action=actions["buddy"],
        ),
    ]


def _ties(team: Team, latest: TeamWeek, k: int) -> list[tuple[str, int | None]]:
    """The other teams most tied to this one (their people's own teams), strongest
    first; a count only where both teams are big enough to show."""
    partner_ties = {int(pk): n for pk, n in latest.partners.items()}
    # A partner without a row this week is not shown: one query for both.
    shown = dict(
        TeamWeek.objects.filter(
            week=latest.week, team__in=list(partner_ties), people_shown=True
        ).values_list("team_id", "team__name")
    )
    out = []
    k = privacy.effective_k(k)
    for pk, ties in sorted(partner_ties.items(), key=lambda item: -item[1]):
        # Fewer than k ties describe a handful of people on each side: left out.
        if latest.people_shown and pk in shown and ties >= k:
            out.append((shown[pk], ties))
    return out[:10]


def _alert(team: Team, viewer: User, now: dt.datetime) -> dict | None:
    """The team's alert still in its rest, for a manager who was told of it: with the
    message they got and whether a guide goes with it, in one query."""
    alert = (
        Alert.objects.resting(now)
        .filter(team=team, nudges__recipient=viewer)
        .annotate(
            # The viewer's own message (the filter above joins only theirs).
            told_kind=F("nudges__kind"),
            told_payload=F("nudges__payload"),
            guide_title=Subquery(
                ConversationGuide.objects.filter(situation=OuterRef("situation")).values("title")[
                    :1
                ]
            ),
        )
        .order_by("-created_at")
        .first()
    )
    if alert is None:
        return None
    return {
        "alert": alert,
        "nudge": Nudge(kind=alert.told_kind, payload=alert.told_payload),
        # Said in the reader's language now, whatever language the message went out in.
        "title": alert_title(alert.situation, team.name),
        "body": alert_body(alert.guide_title),
        "guide": ConversationGuide(situation=alert.situation) if alert.guide_title else None,
    }
