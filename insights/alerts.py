"""Alerts from the weekly figures, through the nudge outbox.

Team alerts go to a team's managers when its connection score is low or has
fallen against its 4-week average *and* its activity fell too. They carry a
conversation guide and never name, count or hint at a person: the payload
holds the team, the week and the situation, nothing else.

A person whose own activity dropped to zero for three weeks hears about it
privately, with suggestions; their buddy or manager hears only if the person
chose that on their profile (`User.quiet_alerts_to`).

Each alert is an `Alert` row (team, week, situation) and each private note a
`QuietNote` row, written in the transaction that writes their nudges; the
28-day rest and the manager's dashboard read those rows. Nudge keys only keep
a rerun from sending twice.
"""

from __future__ import annotations

import datetime as dt
import statistics
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from connection import privacy
from connection.calendar import monday, week_bounds
from connection.i18n import speaking
from connection.models import AwayPeriod, OrgSettings, Signal, Team, User
from connection.nudges import NudgeSpec, plan_linked_nudges, plan_nudges
from insights.models import Alert, ConversationGuide, QuietNote, TeamWeek
from mentorship.models import MatchGroup, Programme

HISTORY_WEEKS = 4
ACTIVITY_DROP = 0.05  # a fall of 5 points in the share of members who connected
QUIET_WEEKS = 3
QUIET_BEFORE_WEEKS = 4


def team_situation(
    score: float | None,
    earlier_scores: list[float],
    share: float | None,
    earlier_shares: list[float],
    *,
    low: float,
    drop: float,
) -> str | None:
    """LOW, FALLING or None. Needs a shown score, a shown activity share and at
    least two earlier weeks of each to compare with."""
    if score is None or share is None or len(earlier_scores) < 2 or len(earlier_shares) < 2:
        return None
    if share > statistics.mean(earlier_shares) - ACTIVITY_DROP:
        return None  # people still connect as much as usual
    if statistics.mean(earlier_scores) - score >= drop:
        return ConversationGuide.Situation.FALLING
    if score < low:
        return ConversationGuide.Situation.LOW
    return None


def send_alerts(week: dt.date, *, now: dt.datetime | None = None) -> int:
    """Alert the managers of each team whose figures for `week` call for it: an
    `Alert` row per team and its nudges, written together. Returns the new nudges."""
    now = now or timezone.now()
    week = monday(week)
    settings_row = OrgSettings.load()
    k = privacy.effective_k(settings_row.min_group_size)
    rows = list(
        TeamWeek.objects.filter(week=week, team__isnull=False, score__isnull=False)
        .filter(people_shown=True)
        .select_related("team")
        .prefetch_related("team__managers")
    )
    earlier: dict = {}
    for row in TeamWeek.objects.filter(
        team__in=[r.team_id for r in rows],
        week__gte=week - dt.timedelta(weeks=HISTORY_WEEKS),
        week__lt=week,
    ):
        earlier.setdefault(row.team_id, []).append(row)
    resting = set(Alert.objects.resting(now).values_list("team_id", flat=True))
    guides = {g.situation: g for g in ConversationGuide.objects.all()}
    alerted = []
    for row in rows:
        before = earlier.get(row.team_id, [])
        situation = team_situation(
            row.score,
            [r.score for r in before if r.score is not None],
            row.activity_share,
            # The baseline only decides whether to alert and is never shown, so
            # weeks hidden to protect a neighbouring team still count; tiny ones don't.
            [r.activity_share for r in before if r.members >= k],
            low=settings_row.alert_low_score,
            drop=settings_row.alert_drop,
        )
        if situation is None or row.team_id in resting:
            continue
        specs = _manager_specs(row.team, week, situation, guides.get(situation), now)
        # A team with nobody to tell gets no row, so it does not rest either:
        # a manager named next week still hears.
        if specs:
            alerted.append((row.team, situation, specs))
    sent = 0
    with transaction.atomic():
        for team, situation, specs in alerted:
            alert = Alert.objects.get_or_create(
                team=team, week=week, defaults={"situation": situation, "created_at": now}
            )[0]
            new, nudge_ids = plan_linked_nudges(specs)
            alert.nudges.add(*nudge_ids)
            sent += new
    return sent


def _manager_specs(
    team: Team, week: dt.date, situation: str, guide: ConversationGuide | None, now: dt.datetime
) -> list[NudgeSpec]:
    specs = []
    for manager in team.managers.all():
        if not manager.is_active:
            continue
        with speaking(manager):
            payload = {
                "title": alert_title(situation, team.name),
                "body": alert_body(guide.title if guide else None),
                "url": reverse("insights_team") + f"?team={team.pk}#alert",
                "team": team.pk,
                "week": week.isoformat(),
                "situation": situation,
            }
        specs.append(
            NudgeSpec(
                recipient=manager,
                kind="manager_alert",
                dedupe_key=f"alert:team:{team.pk}:{week.isoformat()}:{manager.pk}",
                payload=payload,
                when="morning",
                due_at=now,
            )
        )
    return specs


def alert_body(guide_title: str | None) -> str:
    """What an alert says, in the active language; the guide's title when there is one."""
    if guide_title:
        return _(
            "Fewer people connected with colleagues than in recent weeks, too. "
            "This is about the team as a whole, never about one person. "
            "The guide “%(guide)s” has an opening line and questions for your next "
            "team meeting."
        ) % {"guide": guide_title}
    return _(
        "Fewer people connected with colleagues than in recent weeks, too. "
        "This is about the team as a whole, never about one person. "
        "A short guide has an opening line and questions for your next team meeting."
    )


def alert_title(situation: str, team_name: str) -> str:
    if situation == ConversationGuide.Situation.FALLING:
        return _("Connection in %(team)s dipped this week") % {"team": team_name}
    return _("Connection in %(team)s is lower than it could be") % {"team": team_name}


def quiet_people(week: dt.date):
    """People who connected in the four weeks before, and with nobody in the last
    three weeks up to the end of `week` (time away excluded)."""
    _, end = week_bounds(week)
    quiet_from = end - dt.timedelta(weeks=QUIET_WEEKS)
    active_from = quiet_from - dt.timedelta(weeks=QUIET_BEFORE_WEEKS)

    def involved(start, stop) -> Q:
        window = Signal.objects.filter(occurred_at__gte=start, occurred_at__lt=stop)
        return Q(pk__in=window.values("actor_id")) | Q(
            pk__in=window.filter(other__isnull=False).values("other_id")
        )

    away = AwayPeriod.objects.filter(
        starts_on__lt=end.date(), ends_on__gte=quiet_from.date()
    ).values("person_id")
    return (
        User.objects.active()
        .filter(involved(active_from, quiet_from))
        .exclude(involved(quiet_from, end))
        .exclude(pk__in=away)
    )


def send_quiet_notes(week: dt.date, *, now: dt.datetime | None = None) -> int:
    """A private note to each person who went quiet, and, only where they chose it,
    to their buddy or manager."""
    now = now or timezone.now()
    week = monday(week)
    resting = QuietNote.objects.resting(now).values("person_id")
    people = list(quiet_people(week).exclude(pk__in=resting).select_related("manager"))
    buddies = _buddies([p for p in people if p.quiet_alerts_to in ("buddy", "both")])
    specs = []
    for person in people:
        with speaking(person):
            payload = {
                "title": _("It’s been a quiet few weeks"),
                "body": _(
                    "Only you see this. If you’d like more company at work: join a coffee "
                    "chat, drop into someone’s office hours, or say hello in your team’s "
                    "thread. If you’re simply heads-down, ignore this."
                ),
                "url": reverse("my_connection"),
            }
        specs.append(
            NudgeSpec(
                recipient=person,
                kind="personal_tip",
                dedupe_key=f"quiet:person:{person.pk}:{week.isoformat()}",
                payload=payload,
                when="morning",
                due_at=now,
            )
        )
        told = []
        if person.quiet_alerts_to in ("manager", "both") and person.manager_id:
            told.append(person.manager)
        if person.quiet_alerts_to in ("buddy", "both"):
            told.extend(buddies.get(person.pk, []))
        for other in {o.pk: o for o in told if o.is_active and o.pk != person.pk}.values():
            with speaking(other):
                payload = {
                    "title": _("%(name)s asked us to tell you") % {"name": person.display_name},
                    "body": _(
                        "%(name)s chose to let you know when they’ve had a quiet few weeks. "
                        "A short, friendly hello is all it takes; there’s no need to mention "
                        "this note."
                    )
                    % {"name": person.display_name},
                    "url": reverse("people") + "?" + urlencode({"q": person.email}),
                }
            specs.append(
                NudgeSpec(
                    recipient=other,
                    kind="colleague_quiet",
                    dedupe_key=f"quiet:person:{person.pk}:{week.isoformat()}:{other.pk}",
                    payload=payload,
                    when="morning",
                    due_at=now,
                )
            )
    with transaction.atomic():
        QuietNote.objects.bulk_create(
            [QuietNote(person=p, week=week, created_at=now) for p in people],
            ignore_conflicts=True,
        )
        return plan_nudges(specs)


def _buddies(people: list[User]) -> dict[int, list[User]]:
    """Each person's buddies: the others in their newest buddy-programme group."""
    if not people:
        return {}
    groups = (
        MatchGroup.objects.filter(members__in=people, round__programme__kind=Programme.Kind.BUDDY)
        .order_by("-round__run_on", "-pk")
        .prefetch_related("members")
        .distinct()
    )
    found: dict[int, list[User]] = {}
    wanted = {p.pk for p in people}
    for group in groups:
        members = list(group.members.all())
        for member in members:
            if member.pk in wanted and member.pk not in found:
                found[member.pk] = [m for m in members if m.pk != member.pk]
    return found
