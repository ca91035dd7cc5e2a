"""Writes of the rituals app: adopting, scheduling, attendance, reviews."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from connection.audit import record
from connection.calendar import quarter_start
from connection.models import AuditEntry, Nudge, Signal, Team, User, shared_working_window
from connection.nudges import NudgeSpec, create_nudge, plan_linked_nudges
from connection.services import record_signals
from rituals.models import (
    Attendance,
    Budget,
    CalendarFeed,
    Occurrence,
    Reaction,
    Recognition,
    Reminder,
    RitualTemplate,
    Spend,
    TeamRitual,
    ThreadPost,
    Value,
)
from rituals.models.rituals import MAX_DURATION, Format

logger = logging.getLogger(__name__)

HORIZON = dt.timedelta(weeks=4)
REMINDER_BEFORE = dt.timedelta(hours=1)


class RitualError(Exception):
    """Something a person asked for that cannot be done; the message says why."""


class NeedsConfirmation(RitualError):
    """The slot falls outside some members' working hours."""

    def __init__(self, outside: int, total: int):
        self.outside, self.total = outside, total
        super().__init__(
            f"This time is outside the working hours of {outside} of {total} people. "
            "Confirm to schedule it anyway, or pick a suggested slot."
        )


def members_of(ritual: TeamRitual):
    if ritual.participation == TeamRitual.Participation.OPT_IN:
        return ritual.participants.filter(is_active=True)
    return User.objects.active().filter(team=ritual.team)


def outside_hours(people, instant: dt.datetime) -> int:
    return sum(1 for person in people if not person.is_working_at(instant))


@dataclass
class Slot:
    starts_at: dt.datetime
    working: int
    total: int


def suggest_slots(*, team: Team, duration: int, on: dt.date, count: int = 3) -> list[Slot]:
    """Start times on `on` (UTC day) inside the team's shared hours, best first."""
    people = list(User.objects.active().filter(team=team))
    window = shared_working_window(people, on)
    if window is None:
        return []
    start, end, _, total = window
    slots, cursor = [], start
    while cursor + dt.timedelta(minutes=duration) <= end and len(slots) < count:
        finish = cursor + dt.timedelta(minutes=duration - 1)
        working = sum(1 for p in people if p.is_working_at(cursor) and p.is_working_at(finish))
        slots.append(Slot(cursor, working, total))
        cursor += dt.timedelta(minutes=30)
    return sorted(slots, key=lambda s: -s.working)


def adopt_ritual(
    *,
    team: Team,
    created_by: User,
    name: str,
    format: str,
    rule: str,
    start_time: dt.time,
    time_zone: str,
    duration: int,
    hypothesis: str,
    template: RitualTemplate | None = None,
    host: User | None = None,
    video_link: str = "",
    participation: str = TeamRitual.Participation.WHOLE_TEAM,
    review_on: dt.date | None = None,
    starts_on: dt.date | None = None,
    confirm_outside_hours: bool = False,
) -> TeamRitual:
    if not 1 <= duration <= MAX_DURATION:
        raise RitualError("A ritual lasts between 1 minute and 8 hours.")
    today = timezone.now().date()
    ritual = TeamRitual(
        team=team,
        template=template,
        name=name,
        format=format,
        rule=rule,
        start_time=start_time,
        time_zone=time_zone,
        duration=duration,
        host=host,
        video_link=video_link,
        participation=participation,
        hypothesis=hypothesis,
        review_on=review_on or today + dt.timedelta(weeks=4),
        starts_on=starts_on or today,
        created_by=created_by,
    )
    ritual.full_clean()
    if format == Format.SYNC and not confirm_outside_hours:
        first = ritual.next_occurrence_after(timezone.now())
        people = list(User.objects.active().filter(team=team))
        outside = outside_hours(people, first) if first else 0
        if outside:
            raise NeedsConfirmation(outside, len(people))
    with transaction.atomic():
        ritual.save()
        materialise(ritual=ritual)
    return ritual


def materialise(*, ritual: TeamRitual, now: dt.datetime | None = None, replan: bool = False) -> int:
    """Write the occurrences of the next four weeks that are missing, with their reminders.

    Idempotent, and cheap when there is nothing new: existing starts are
    skipped before any row is built. `replan` re-plans reminders for every
    upcoming occurrence (after someone joins, say); duplicates are no-ops.
    """
    now = now or timezone.now()
    if ritual.status != TeamRitual.Status.ACTIVE:
        return 0
    problem = ritual.rule_problem
    if problem:
        # A rule stored before today's limits (or past the validators) could take
        # seconds to expand or write thousands of rows: skip it until a manager
        # chooses a new schedule; the ritual's page says why.
        logger.warning(
            "Ritual %s not materialised: its rule %r is no longer accepted (%s)",
            ritual.pk,
            ritual.rule,
            problem,
        )
        return 0
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
    if ritual.format != Format.SYNC or not (starts or replan):
        return len(created)
    upcoming = Occurrence.objects.filter(
        ritual=ritual, starts_at__gte=now, starts_at__lt=now + HORIZON, cancelled=False
    )
    if not replan:
        upcoming = upcoming.filter(starts_at__in=starts)
    people = list(members_of(ritual))
    pairs = [(occurrence, person) for occurrence in upcoming for person in people]
    _, nudge_ids = plan_linked_nudges(
        [
            NudgeSpec(
                recipient=person,
                kind="ritual_reminder",
                dedupe_key=f"ritual:{occurrence.pk}:{person.pk}",
                payload={
                    "title": f"{ritual.name} in an hour",
                    "body": f"{ritual.duration} minutes with {ritual.team.name}."
                    + (f" Join: {ritual.video_link}" if ritual.video_link else ""),
                    "url": f"/rituals/{ritual.pk}/",
                },
                due_at=max(occurrence.starts_at - REMINDER_BEFORE, now),
                expires_at=occurrence.starts_at,
            )
            for occurrence, person in pairs
        ]
    )
    Reminder.objects.bulk_create(
        [
            Reminder(occurrence=occurrence, nudge_id=nudge_id)
            for (occurrence, _), nudge_id in zip(pairs, nudge_ids, strict=True)
        ],
        ignore_conflicts=True,  # a replan finds the reminders it linked before
    )
    return len(created)


def materialise_all(*, now: dt.datetime | None = None) -> int:
    total = 0
    for ritual in TeamRitual.objects.active().select_related("team"):
        total += materialise(ritual=ritual, now=now)
    return total


def record_attendance(
    *, occurrence: Occurrence, person: User, attended: bool, worth_it: bool | None
) -> Attendance:
    """A participant's one-tap answer after an occurrence; changing it is allowed."""
    if occurrence.starts_at > timezone.now():
        raise RitualError("You can say how it went once it has started.")
    if not members_of(occurrence.ritual).filter(pk=person.pk).exists():
        raise RitualError("Only the ritual's participants can answer.")
    with transaction.atomic():
        attendance, _ = Attendance.objects.update_or_create(
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


def ritual_health(ritual: TeamRitual, *, now: dt.datetime | None = None) -> Health:
    """Attendance, worth-it share, trend and a keep/adjust/retire recommendation."""
    now = now or timezone.now()
    past = list(
        Occurrence.objects.filter(ritual=ritual, starts_at__lt=now, cancelled=False)
        .annotate(
            came=Count("attendance", filter=Q(attendance__attended=True)),
            yes=Count("attendance", filter=Q(attendance__worth_it=True)),
            rated=Count("attendance", filter=Q(attendance__worth_it__isnull=False)),
        )
        .order_by("starts_at")
    )
    size = max(members_of(ritual).count(), 1)
    if not past:
        return Health(0, None, None, 0, None, False, "wait", "No occurrence has happened yet.")
    rates = [o.came / size for o in past]
    attendance = sum(rates) / len(rates)
    ratings = sum(o.rated for o in past)
    worth = sum(o.yes for o in past) / ratings if ratings else None
    half = len(rates) // 2
    trend = (sum(rates[half:]) / len(rates[half:]) - sum(rates[:half]) / half) if half else None
    performative = attendance >= 0.7 and worth is not None and worth < 0.4 and ratings >= 5
    if ratings < 5:
        recommendation, reason = "wait", "Too few “worth it” answers yet to tell."
    elif performative:
        recommendation, reason = (
            "adjust",
            (
                "People come but few find it worth their time: it may be performative. "
                "Ask the team what would make it useful, or make it opt-in."
            ),
        )
    elif worth < 0.4 or attendance < 0.3:
        recommendation, reason = "retire", "Few people come or find it worth it. Retire it."
    elif worth >= 0.6 and attendance >= 0.5:
        recommendation, reason = "keep", "People come and find it worth their time. Keep it."
    else:
        recommendation, reason = "adjust", "Mixed results: try another cadence or time."
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
        health = ritual_health(ritual, now=now)
        create_nudge(
            recipient=owner,
            kind="ritual_review",
            dedupe_key=f"ritual-review:{ritual.pk}:{ritual.review_on}",
            payload={
                "title": f"Time to review {ritual.name}",
                "body": health.reason,
                "url": f"/rituals/{ritual.pk}/",
            },
            when="morning",
        )
        sent += 1
    return sent


def _drop_future(ritual: TeamRitual, *, delete: bool) -> None:
    """Future occurrences go (or are cancelled), and so do their pending reminders."""
    future = Occurrence.objects.filter(ritual=ritual, starts_at__gt=timezone.now())
    Nudge.objects.filter(
        ritual_reminder__occurrence__in=future, status=Nudge.Status.PENDING
    ).update(status=Nudge.Status.SKIPPED, last_error="the ritual changed or was retired")
    if delete:
        future.filter(attendance__isnull=True).delete()
    else:
        future.update(cancelled=True)


def change_schedule(
    *, ritual: TeamRitual, rule: str, start_time: dt.time, review_on: dt.date | None = None
) -> TeamRitual:
    """New cadence from now on; past occurrences and their answers stay."""
    ritual.rule, ritual.start_time = rule, start_time
    ritual.starts_on = timezone.now().date()
    if review_on:
        ritual.review_on, ritual.review_sent_on = review_on, None
    # The creator may have left since (SET_NULL); the rest is checked as on adoption.
    ritual.full_clean(exclude=["created_by"])
    with transaction.atomic():
        ritual.save(
            update_fields=["rule", "start_time", "starts_on", "review_on", "review_sent_on"]
        )
        _drop_future(ritual, delete=True)
        materialise(ritual=ritual)
    return ritual


def retire_ritual(*, ritual: TeamRitual) -> None:
    with transaction.atomic():
        TeamRitual.objects.filter(pk=ritual.pk).update(
            status=TeamRitual.Status.RETIRED, retired_at=timezone.now()
        )
        _drop_future(ritual, delete=False)


def calendar_token(*, person: User, renew: bool = False) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(person=person).first()
    if feed is None or renew:
        token = secrets.token_urlsafe(32)
        feed, _ = CalendarFeed.objects.update_or_create(person=person, defaults={"token": token})
    return feed


# ---------------------------------------------------------------- the team thread


def can_post(person: User, team: Team) -> bool:
    return person.team_id == team.pk or Team.objects.managed_by(person).filter(pk=team.pk).exists()


def post_to_thread(
    *,
    author: User,
    team: Team,
    status: str,
    highlight: str = "",
    is_question: bool = False,
    parent: ThreadPost | None = None,
) -> ThreadPost:
    status, highlight = status.strip(), highlight.strip()
    if not status:
        raise RitualError("Write a line or two first.")
    if len(status) > 500 or len(highlight) > 200:
        raise RitualError("Keep it short: 500 characters, and 200 for the highlight.")
    if not can_post(author, team):
        raise RitualError("Only the team's members post in its thread.")
    if parent is not None and (parent.team_id != team.pk or parent.parent_id is not None):
        raise RitualError("Replies go under a post in the same thread.")
    with transaction.atomic():
        post = ThreadPost.objects.create(
            team=team,
            author=author,
            status=status,
            highlight=highlight,
            is_question=is_question and parent is None,
            parent=parent,
        )
        signals = [
            Signal(actor=author, team=team, kind=Signal.Kind.POSTED, source=f"post:{post.pk}")
        ]
        if post.is_question:
            signals.append(
                Signal(actor=author, team=team, kind=Signal.Kind.ASKED, source=f"ask:{post.pk}")
            )
        if parent is not None and parent.author_id != author.pk:
            signals.append(
                Signal(
                    actor=author,
                    other_id=parent.author_id,
                    team=team,
                    kind=Signal.Kind.REPLIED,
                    source=f"reply:{post.pk}",
                )
            )
            create_nudge(
                recipient=parent.author,
                kind="thread_activity",
                dedupe_key=f"reply:{post.pk}",
                payload={
                    "title": f"{author.get_short_name()} replied to your post",
                    "body": status[:140],
                    "url": f"/rituals/thread/?team={team.pk}#post-{parent.pk}",
                },
            )
        record_signals(signals)
    return post


def toggle_reaction(*, person: User, post: ThreadPost, kind: str, on: bool | None = None) -> bool:
    """Put the reaction there (`on`), take it back, or with `on` None flip it;
    returns whether it is there now.

    The page says which state the tap asks for, so a double tap, or twenty
    at once, leaves the one reaction instead of flipping it or failing on
    the unique constraint.
    """
    if kind not in Reaction.Kind.values:
        raise RitualError("Unknown reaction.")
    # Reading a thread (HR reads them all) is not taking part: the same rule as posting.
    if not can_post(person, post.team):
        raise RitualError("Only the team's members react in its thread.")
    with transaction.atomic():
        mine = Reaction.objects.filter(post=post, person=person, kind=kind)
        if on is None:
            on = not mine.exists()
        if not on:
            mine.delete()
            return False
        # get_or_create takes a concurrent insert's row instead of raising.
        _, created = Reaction.objects.get_or_create(post=post, person=person, kind=kind)
        if not created:
            return True
        if post.author_id != person.pk:
            record_signals(
                [
                    Signal(
                        actor=person,
                        other_id=post.author_id,
                        team=post.team,
                        kind=Signal.Kind.REPLIED,
                        source=f"react:{post.pk}:{person.pk}:{kind}",
                    )
                ]
            )
    return True


# ---------------------------------------------------------------- recognition

DAILY_RECOGNITION_LIMIT = 5


def recognise(
    *,
    giver: User,
    receivers: list[User],
    message: str,
    values: list[Value],
    visibility: str,
    notify_manager: bool = False,
) -> Recognition:
    message = message.strip()
    if not receivers:
        raise RitualError("Choose at least one colleague.")
    if any(person.pk == giver.pk for person in receivers):
        raise RitualError("Recognition is for others: you can’t recognise yourself.")
    if any(not person.is_active for person in receivers):
        raise RitualError("One of those people has left; recognition goes to current colleagues.")
    if not 1 <= len(message) <= 280:
        raise RitualError("Say what they did in up to 280 characters.")
    if not values or any(not value.active for value in values):
        raise RitualError("Choose at least one of the organisation’s values.")
    if visibility not in Recognition.Visibility.values:
        raise RitualError("Choose who can see it.")
    local_midnight = dt.datetime.combine(giver.local_now().date(), dt.time(0), tzinfo=giver.zone)
    with transaction.atomic():
        # Lock the giver's row so two quick submits can't both slip under the limit.
        User.objects.select_for_update().filter(pk=giver.pk).first()
        given_today = Recognition.objects.filter(
            giver=giver, created_at__gte=local_midnight
        ).count()
        if given_today >= DAILY_RECOGNITION_LIMIT:
            raise RitualError(
                f"You’ve recognised {DAILY_RECOGNITION_LIMIT} times today; save some for tomorrow."
            )
        recognition = Recognition.objects.create(
            giver=giver,
            team=giver.team,
            message=message,
            visibility=visibility,
            notify_manager=notify_manager and visibility == Recognition.Visibility.PRIVATE,
        )
        recognition.receivers.set(receivers)
        recognition.values.set(values)
        record_signals(
            [
                Signal(
                    actor=giver,
                    other=person,
                    team=giver.team,
                    kind=Signal.Kind.RECOGNISED,
                    source=f"recognition:{recognition.pk}:{person.pk}",
                )
                for person in receivers
            ]
        )
        for person in receivers:
            create_nudge(
                recipient=person,
                kind="recognition",
                dedupe_key=f"recognition:{recognition.pk}:{person.pk}",
                payload={
                    "title": f"{giver.get_short_name()} recognised you",
                    "body": message,
                    "url": "/rituals/recognition/mine/",
                },
            )
    return recognition


# ---------------------------------------------------------------- budgets


def set_budget(
    *,
    team: Team,
    quarter: dt.date,
    hours: Decimal,
    money: Decimal,
    allow_overspend: bool = False,
    set_by: User | None = None,
) -> Budget:
    """Set a team's budget for a quarter; recorded in the audit trail (`set_by`
    None is Hearth itself, such as the demo set-up)."""
    if hours < 0 or money < 0:
        raise RitualError("A budget can't be negative.")
    wanted = {"hours": hours, "money": money, "allow_overspend": allow_overspend}
    with transaction.atomic():
        before = (
            Budget.objects.select_for_update()
            .filter(team=team, quarter=quarter_start(quarter))
            .values(*wanted)
            .first()
        ) or dict.fromkeys(wanted, "")
        budget, _ = Budget.objects.update_or_create(
            team=team, quarter=quarter_start(quarter), defaults=wanted
        )
        record(
            actor=set_by,
            action=AuditEntry.Action.BUDGET_SET,
            target=budget,
            detail={"changed": {k: [str(before[k]), str(v)] for k, v in wanted.items()}},
        )
    return budget


def ritual_hours(budget: Budget) -> Decimal:
    """Hours spent in the team's synchronous rituals this quarter: duration x attendees."""
    start = dt.datetime.combine(budget.quarter, dt.time(0), tzinfo=dt.UTC)
    end = dt.datetime.combine(budget.ends_on + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    minutes = (
        Attendance.objects.filter(
            attended=True,
            occurrence__ritual__team=budget.team,
            occurrence__ritual__format=Format.SYNC,
            occurrence__starts_at__gte=start,
            occurrence__starts_at__lt=end,
        ).aggregate(m=Sum("occurrence__ritual__duration"))["m"]
        or 0
    )
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@dataclass
class BudgetStatus:
    budget: Budget
    money_spent: Decimal
    hours_logged: Decimal
    hours_in_rituals: Decimal
    money_left: Decimal
    hours_left: Decimal
    money_projected: Decimal
    hours_projected: Decimal

    @property
    def hours_spent(self) -> Decimal:
        return self.hours_logged + self.hours_in_rituals


def budget_status(budget: Budget, *, today: dt.date | None = None) -> BudgetStatus:
    today = today or timezone.now().date()
    sums = budget.spends.aggregate(money=Sum("amount"), hours=Sum("hours"))
    money = sums["money"] or Decimal(0)
    logged = sums["hours"] or Decimal(0)
    in_rituals = ritual_hours(budget)
    length = (budget.ends_on - budget.quarter).days + 1
    elapsed = min(max((today - budget.quarter).days + 1, 1), length)
    factor = Decimal(length) / Decimal(elapsed)
    return BudgetStatus(
        budget=budget,
        money_spent=money,
        hours_logged=logged,
        hours_in_rituals=in_rituals,
        money_left=budget.money - money,
        hours_left=budget.hours - logged - in_rituals,
        money_projected=(money * factor).quantize(Decimal("0.01")),
        hours_projected=((logged + in_rituals) * factor).quantize(Decimal("0.1")),
    )


def log_spend(
    *,
    budget: Budget,
    category: str,
    amount: Decimal,
    hours: Decimal,
    spent_on: dt.date,
    note: str,
    logged_by: User,
) -> Spend:
    """Record a spend; the budget row is locked, so two spends can't both take the last of it."""
    if amount < 0 or hours < 0:
        raise RitualError("Amounts and hours can't be negative.")
    if amount == 0 and hours == 0:
        raise RitualError("Enter an amount, hours, or both.")
    if category not in Spend.Category.values:
        raise RitualError("Choose a category.")
    today = timezone.now().date()
    if budget.ends_on < today:
        raise RitualError(f"{budget.quarter_label} is closed; log it against this quarter.")
    if not budget.quarter <= spent_on <= budget.ends_on:
        raise RitualError(f"The date must fall in {budget.quarter_label}.")
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        status = budget_status(locked, today=today)
        if not locked.allow_overspend:
            if amount > status.money_left:
                raise RitualError(
                    f"That would go over the budget: {status.money_left} left this quarter."
                )
            if hours > status.hours_left:
                raise RitualError(
                    f"That would go over the budget: {status.hours_left} hours left this quarter."
                )
        spend = Spend.objects.create(
            budget=locked,
            category=category,
            amount=amount,
            hours=hours,
            spent_on=spent_on,
            note=note,
            logged_by=logged_by,
        )
        record(
            actor=logged_by,
            action=AuditEntry.Action.SPEND_LOGGED,
            target=locked,
            detail={"amount": str(amount), "hours": str(hours), "category": category},
        )
    return spend
