"""A ritual's occurrences: written ahead with their reminders, answered by
participants, summed up as the ritual's health and sent to its owner for review."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connection.i18n import speaking
from connection.models import NudgeChannel, Signal, User
from connection.nudge_channels import app_reaches
from connection.nudges import NudgeSpec, create_nudge, plan_linked_nudges
from connection.services import record_signals
from rituals.models import Attendance, CalendarFeed, Occurrence, Reminder, TeamRitual
from rituals.models.rituals import Format
from rituals.services.errors import RitualError

logger = logging.getLogger(__name__)

HORIZON = dt.timedelta(weeks=4)
REMINDER_BEFORE = dt.timedelta(hours=1)
# The micro-update prompt can be answered until the afternoon.
THREAD_PROMPT_OPEN = dt.timedelta(hours=6)


def members_of(ritual: TeamRitual):
    if ritual.participation == TeamRitual.Participation.OPT_IN:
        return ritual.participants.filter(is_active=True)
    return User.objects.active().filter(team=ritual.team)


def materialise(*, ritual: TeamRitual, now: dt.datetime | None = None, replan: bool = False) -> int:
    """Write the occurrences of the next four weeks that are missing, with their reminders.

    Idempotent, and cheap when there is nothing new: existing starts are
    skipped before any row is built. `replan` re-plans reminders for every
    upcoming occurrence (after someone joins, say); duplicates are no-ops.
    """
    now = now or timezone.now()
    if ritual.status != TeamRitual.Status.ACTIVE or not _rule_accepted(ritual):
        return 0
    starts, created = _write_occurrences(ritual, now=now)
    thread = is_thread_ritual(ritual)
    if (ritual.format == Format.SYNC or thread) and (starts or replan):
        _plan_reminders(ritual, now=now, starts=None if replan else starts)
    return created


def _rule_accepted(ritual: TeamRitual) -> bool:
    problem = ritual.rule_problem
    if problem:
        # A rule stored before today's limits (or past the validators) could take
        # seconds to expand or write thousands of rows: skip it until a manager
        # chooses a new schedule; the ritual's page says why. (A log line for
        # operators, in English: `log`, not `warning`, which reads as a page's message.)
        logger.log(
            logging.WARNING,
            "Ritual %s not materialised: its rule %r is no longer accepted (%s)",
            ritual.pk,
            ritual.rule,
            problem,
        )
    return not problem


def _write_occurrences(ritual: TeamRitual, *, now: dt.datetime) -> tuple[list[dt.datetime], int]:
    """The starts within the horizon that had no occurrence, and how many rows were written."""
    ends = dt.timedelta(minutes=ritual.duration)
    existing = set(
        Occurrence.objects.filter(
            ritual=ritual, starts_at__gte=now, starts_at__lt=now + HORIZON
        ).values_list("starts_at", flat=True)
    )
    starts = [s for s in ritual.starts_between(now, now + HORIZON) if s not in existing]
    created = Occurrence.objects.bulk_create(
        [Occurrence(ritual=ritual, starts_at=s, ends_at=s + ends) for s in starts],
        ignore_conflicts=True,
    )
    return starts, len(created)


def _plan_reminders(
    ritual: TeamRitual, *, now: dt.datetime, starts: list[dt.datetime] | None
) -> None:
    """A reminder nudge per participant for the upcoming occurrences at `starts`
    (None: every upcoming occurrence), each linked to its occurrence."""
    upcoming = Occurrence.objects.filter(
        ritual=ritual, starts_at__gte=now, starts_at__lt=now + HORIZON, cancelled=False
    )
    if starts is not None:
        upcoming = upcoming.filter(starts_at__in=starts)
    people = list(members_of(ritual))
    if is_thread_ritual(ritual):
        # The daily micro-update prompts only those Slack's app reaches, where a reply
        # to the prompt is their post (chat/); in the browser the thread is the prompt.
        people = [
            person
            for person in people
            if person.nudge_channel == NudgeChannel.SLACK
            and app_reaches(NudgeChannel.SLACK, person)
        ]
    pairs = [(occurrence, person) for occurrence in upcoming for person in people]
    _planned, nudge_ids = plan_linked_nudges(
        [_reminder(ritual, occurrence, person, now=now) for occurrence, person in pairs]
    )
    Reminder.objects.bulk_create(
        [
            Reminder(occurrence=occurrence, nudge_id=nudge_id)
            for (occurrence, _person), nudge_id in zip(pairs, nudge_ids, strict=True)
        ],
        ignore_conflicts=True,  # a replan finds the reminders it linked before
    )


def is_thread_ritual(ritual: TeamRitual) -> bool:
    """The daily micro-update: people take part by posting in the team thread."""
    return ritual.template_id is not None and ritual.template.slug == "micro-update"


def _reminder(
    ritual: TeamRitual, occurrence: Occurrence, person: User, *, now: dt.datetime
) -> NudgeSpec:
    if is_thread_ritual(ritual):
        return _thread_prompt(ritual, occurrence, person, now=now)
    said = {
        "ritual": ritual.name,
        "minutes": ritual.duration,
        "team": ritual.team.name,
        "link": ritual.video_link,
    }
    with speaking(person):
        title = _("%(ritual)s in an hour") % said
        if ritual.video_link:
            body = _("%(minutes)s minutes with %(team)s. Join: %(link)s") % said
        else:
            body = _("%(minutes)s minutes with %(team)s.") % said
    return NudgeSpec(
        recipient=person,
        kind="ritual_reminder",
        dedupe_key=f"ritual:{occurrence.pk}:{person.pk}",
        payload={"title": title, "body": body, "url": f"/rituals/{ritual.pk}/"},
        due_at=max(occurrence.starts_at - REMINDER_BEFORE, now),
        expires_at=occurrence.starts_at,
    )


def _thread_prompt(
    ritual: TeamRitual, occurrence: Occurrence, person: User, *, now: dt.datetime
) -> NudgeSpec:
    """The daily micro-update's prompt: a chat app sends it so that a reply becomes the
    person's post in the team thread (payload["chat"], read by chat/)."""
    with speaking(person):
        title = _("%(ritual)s: how's your day?") % {"ritual": ritual.name}
        body = _(
            "A line or two for %(team)s's thread; one highlight outside "
            "work is welcome, never required."
        ) % {"team": ritual.team.name}
    return NudgeSpec(
        recipient=person,
        kind="ritual_reminder",
        dedupe_key=f"ritual:{occurrence.pk}:{person.pk}",
        payload={
            "title": title,
            "body": body,
            "url": f"/rituals/thread/?team={ritual.team_id}",
            "chat": {"thread_team": ritual.team_id},
            "app_only": True,  # never to a team's webhook: one post per person a day
        },
        due_at=max(occurrence.starts_at - REMINDER_BEFORE, now),
        expires_at=occurrence.starts_at + THREAD_PROMPT_OPEN,
    )


def materialise_all(*, now: dt.datetime | None = None) -> int:
    total = 0
    for ritual in TeamRitual.objects.active().select_related("team", "template"):
        total += materialise(ritual=ritual, now=now)
    return total


def record_attendance(
    *, occurrence: Occurrence, person: User, attended: bool, worth_it: bool | None
) -> Attendance:
    """A participant's one-tap answer after an occurrence; changing it is allowed."""
    if occurrence.starts_at > timezone.now():
        raise RitualError(_("You can say how it went once it has started."))
    if not members_of(occurrence.ritual).filter(pk=person.pk).exists():
        raise RitualError(_("Only the ritual's participants can answer."))
    with transaction.atomic():
        attendance, _created = Attendance.objects.update_or_create(
            occurrence=occurrence,
            person=person,
            defaults={"attended": attended, "worth_it": worth_it if attended else None},
        )
        if attended:
            record_signals(
                [
                    Signal(
                        actor=person,
                        team=occurrence.ritual.team,
                        kind=Signal.Kind.ATTENDED,
                        occurred_at=occurrence.starts_at,
                        source=f"attended:{occurrence.pk}:{person.pk}",
                    )
                ]
            )
    return attendance


VERDICTS = {
    "keep": gettext_lazy("Keep it"),
    "adjust": gettext_lazy("Adjust it"),
    "retire": gettext_lazy("Retire it"),
    "wait": gettext_lazy("Too early to tell"),
}


@dataclass
class Health:
    occurrences: int
    attendance_rate: float | None
    worth_it_share: float | None
    ratings: int
    trend: float | None
    performative: bool
    recommendation: str
    reason: str

    @property
    def verdict(self) -> str:
        """The recommendation in words: "Keep it", "Retire it", …"""
        return str(VERDICTS[self.recommendation])

    @property
    def advice(self) -> str:
        """Verdict and reason in one sentence pair, as the review message says it."""
        return _("%(verdict)s. %(reason)s") % {"verdict": self.verdict, "reason": self.reason}


def ritual_health(ritual: TeamRitual, *, now: dt.datetime | None = None) -> Health:
    """Attendance, worth-it share, trend and a keep/adjust/retire recommendation."""
    return with_health(TeamRitual.objects.filter(pk=ritual.pk), now=now)[0][1]


def with_health(rituals, *, now: dt.datetime | None = None) -> list[tuple[TeamRitual, Health]]:
    """Each ritual of the queryset `rituals` with its `ritual_health`, in two queries
    however many: the rituals with their sizes, and their past occurrences with who
    came and rated them."""
    now = now or timezone.now()
    team_size = (
        User.objects.active()
        .filter(team=OuterRef("team"))
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    listed = list(
        rituals.annotate(
            joined=Count("participants", filter=Q(participants__is_active=True)),
            whole=Subquery(team_size),
        )
    )
    past: dict[int, list] = {ritual.pk: [] for ritual in listed}
    for occurrence in (
        Occurrence.objects.filter(ritual__in=list(past), starts_at__lt=now, cancelled=False)
        .annotate(
            came=Count("attendance", filter=Q(attendance__attended=True)),
            yes=Count("attendance", filter=Q(attendance__worth_it=True)),
            rated=Count("attendance", filter=Q(attendance__worth_it__isnull=False)),
        )
        .order_by("starts_at")
    ):
        past[occurrence.ritual_id].append(occurrence)
    opt_in = TeamRitual.Participation.OPT_IN
    return [
        (r, _health(past[r.pk], max(r.joined if r.participation == opt_in else r.whole or 0, 1)))
        for r in listed
    ]


def _health(past: list[Occurrence], size: int) -> Health:
    if not past:
        return Health(0, None, None, 0, None, False, "wait", _("No occurrence has happened yet."))
    rates = [o.came / size for o in past]
    attendance = sum(rates) / len(rates)
    ratings = sum(o.rated for o in past)
    worth = sum(o.yes for o in past) / ratings if ratings else None
    half = len(rates) // 2
    trend = (sum(rates[half:]) / len(rates[half:]) - sum(rates[:half]) / half) if half else None
    performative = attendance >= 0.7 and worth is not None and worth < 0.4 and ratings >= 5
    if ratings < 5:
        recommendation, reason = "wait", _("Too few “worth it” answers yet to tell.")
    elif performative:
        recommendation, reason = (
            "adjust",
            _(
                "People come but few find it worth their time: it may be performative. "
                "Ask the team what would make it useful, or make it opt-in."
            ),
        )
    elif worth < 0.4 or attendance < 0.3:
        recommendation, reason = "retire", _("Few people come or find it worth it.")
    elif worth >= 0.6 and attendance >= 0.5:
        recommendation, reason = "keep", _("People come and find it worth their time.")
    else:
        recommendation, reason = "adjust", _("Mixed results: try another cadence or time.")
    return Health(
        len(past),
        round(100 * attendance),
        round(100 * worth) if worth is not None else None,
        ratings,
        round(100 * trend) if trend is not None else None,
        performative,
        recommendation,
        reason,
    )


def send_due_reviews(*, now: dt.datetime | None = None) -> int:
    """On the review date, the owner gets the ritual's health and a recommendation."""
    now = now or timezone.now()
    sent = 0
    due = TeamRitual.objects.active().filter(review_on__lte=now.date(), review_sent_on__isnull=True)
    for ritual in due.select_related("team", "created_by", "host"):
        claimed = TeamRitual.objects.filter(pk=ritual.pk, review_sent_on__isnull=True).update(
            review_sent_on=now.date()
        )
        owner = ritual.created_by or ritual.host
        if not claimed or owner is None:
            continue
        with speaking(owner):
            health = ritual_health(ritual, now=now)
            title = _("Time to review %(ritual)s") % {"ritual": ritual.name}
            body = health.advice
        create_nudge(
            recipient=owner,
            kind="ritual_review",
            dedupe_key=f"ritual-review:{ritual.pk}:{ritual.review_on}",
            payload={"title": title, "body": body, "url": f"/rituals/{ritual.pk}/"},
            when="morning",
        )
        sent += 1
    return sent


def calendar_token(*, person: User, renew: bool = False) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(person=person).first()
    if feed is None or renew:
        token = secrets.token_urlsafe(32)
        feed, _created = CalendarFeed.objects.update_or_create(
            person=person, defaults={"token": token}
        )
    return feed
