"""The nudge pipeline: a transactional outbox, delivered on a beat tick.

Domain code calls `create_nudge` (or `plan_nudges` for many) inside its own
transaction: the row is the promise to send, so nothing is lost while Redis
or the worker is down. `deliver_due_nudges` claims due rows (a locked,
conditional UPDATE, so two workers never take the same row), applies the
person's rules at the moment of sending (away, snoozed, muted, working
hours, weekly cap), merges low-priority ones into a digest, and sends them
through the channel. Each row is marked sent right after its own send.

The claims live in connection.nudge_claims, the e-mail and webhook transports
in connection.nudge_channels, a person's working hours in
connection.working_hours.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from connection.audit import record
from connection.i18n import speaking
from connection.models import (
    NUDGE_KINDS,
    AuditEntry,
    AwayPeriod,
    Nudge,
    NudgeChannel,
    OrgSettings,
    Priority,
    User,
)
from connection.nudge_channels import (
    PermanentFailure,
    TransientFailure,
    send_email,
    send_through_app,
    send_webhook,
)
from connection.nudge_claims import (
    claim_due,
    claim_rest_of_day,
    record_outcome,
    release_stale_claims,
    still_held,
)
from connection.nudge_obsolete import obsolete
from connection.working_hours import is_away, next_working_start

log = logging.getLogger(__name__)

DEFAULT_LIFETIME = dt.timedelta(days=3)
MAX_ATTEMPTS = 5
CAP_WINDOW = dt.timedelta(days=7)
UNSUBSCRIBE_SALT = "hearth.nudges.unsubscribe"


# ---------------------------------------------------------------- creating


@dataclass
class NudgeSpec:
    recipient: User
    kind: str
    dedupe_key: str
    payload: dict
    due_at: dt.datetime | None = None
    when: str = "now"  # "now": as soon as in working hours; "morning": next day's start
    expires_at: dt.datetime | None = None
    channel: str | None = None


def _build(spec: NudgeSpec, now: dt.datetime) -> Nudge:
    if spec.kind not in NUDGE_KINDS:
        raise ValueError(f"Unknown nudge kind {spec.kind!r}")
    due = spec.due_at or now
    if spec.when == "morning":
        due = next_working_start(spec.recipient, due, strictly_new_day=True) or due
    elif spec.when != "now":
        raise ValueError(f"`when` is 'now' or 'morning', not {spec.when!r}")
    return Nudge(
        recipient=spec.recipient,
        kind=spec.kind,
        channel=spec.channel or spec.recipient.nudge_channel,
        priority=NUDGE_KINDS[spec.kind].priority,
        payload=spec.payload,
        dedupe_key=spec.dedupe_key[:200],
        due_at=due,
        expires_at=spec.expires_at or due + DEFAULT_LIFETIME,
        created_at=now,
    )


def create_nudge(
    *,
    recipient: User,
    kind: str,
    dedupe_key: str,
    payload: dict,
    due_at: dt.datetime | None = None,
    when: str = "now",
    expires_at: dt.datetime | None = None,
    channel: str | None = None,
) -> Nudge | None:
    """Write one nudge into the outbox; None when the same key exists already.

    Call it inside the transaction that makes the domain change: the nudge
    exists exactly when the change does.
    """
    spec = NudgeSpec(recipient, kind, dedupe_key, payload, due_at, when, expires_at, channel)
    nudge = _build(spec, timezone.now())
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the caller's work intact
            nudge.save(force_insert=True)
    except IntegrityError:
        return None
    return nudge


def plan_nudges(specs: list[NudgeSpec]) -> int:
    """Write many nudges at once (a round's invitations); returns how many were new."""
    now = timezone.now()
    nudges = [_build(spec, now) for spec in specs]
    keys = [n.dedupe_key for n in nudges]
    before = Nudge.objects.filter(dedupe_key__in=keys).count()
    Nudge.objects.bulk_create(nudges, ignore_conflicts=True, batch_size=1000)
    return Nudge.objects.filter(dedupe_key__in=keys).count() - before


def plan_linked_nudges(specs: list[NudgeSpec]) -> tuple[int, list[int]]:
    """`plan_nudges` for callers that link each nudge to what it is about (an
    alert, a ritual's occurrence): how many were new, and the id of each spec's
    row, new or written before, in the order of `specs`.

    The ids are found by the keys because a key is what makes a write
    idempotent; callers keep the link in their own rows and never read a key.
    """
    new = plan_nudges(specs)
    keys = [spec.dedupe_key[:200] for spec in specs]
    ids = dict(Nudge.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", "pk"))
    return new, [ids[key] for key in keys]


# ---------------------------------------------------------------- delivering


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    messages: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    rescheduled: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "messages", "skipped", "failed", "retrying", "rescheduled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, count in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count


def deliver_due_nudges(
    *, now: dt.datetime | None = None, batch_size: int = 200, max_batches: int | None = None
) -> DeliveryReport:
    """Deliver everything that is due; safe to run in several workers at once."""
    now = now or timezone.now()
    report = DeliveryReport()
    release_stale_claims(now)
    ceiling = OrgSettings.load().nudge_weekly_ceiling
    batches = 0
    handled: set[int] = set()  # a row is looked at once a run, whatever happens to it
    while max_batches is None or batches < max_batches:
        claimed = claim_due(now, batch_size, exclude=handled)
        if not claimed:
            break
        batches += 1
        handled.update(n.pk for n in claimed)
        report.add(_deliver_batch(claimed, now, ceiling))
    return report


def _deliver_batch(claimed: list[Nudge], now: dt.datetime, ceiling: int) -> DeliveryReport:
    report = DeliveryReport(claimed=len(claimed))
    people = {n.recipient_id: n.recipient for n in claimed}
    away = _away_periods(people, now)
    sent_this_week = _sent_this_week(people, now)
    ready = _apply_rules(claimed, people, away, now, report)
    groups = _into_messages(ready, people, now)
    mail = get_connection(fail_silently=False)
    for group in groups:
        person = people[group[0].recipient_id]
        cap = min(person.weekly_nudge_cap, ceiling)
        if group[0].priority < Priority.HIGH and sent_this_week.get(person.pk, 0) >= cap:
            for nudge in group:
                _skip(nudge, f"weekly limit of {cap} reached", report)
            continue
        if not still_held(group):
            continue  # released as stale and taken by another worker: theirs now
        if _send(group, person, mail, now, report):
            sent_this_week[person.pk] = sent_this_week.get(person.pk, 0) + 1
    return report


def _away_periods(people: dict[int, User], now: dt.datetime) -> dict[int, list]:
    away: dict[int, list] = defaultdict(list)
    for period in AwayPeriod.objects.filter(
        person_id__in=people, ends_on__gte=now.date() - dt.timedelta(days=1)
    ):
        away[period.person_id].append((period.starts_on, period.ends_on))
    return away


def _sent_this_week(people: dict[int, User], now: dt.datetime) -> dict[int, int]:
    """Messages each person was sent in the cap's window (a digest counts once)."""
    return dict(
        Nudge.objects.filter(
            recipient_id__in=people,
            status=Nudge.Status.SENT,
            digest__isnull=True,
            sent_at__gte=now - CAP_WINDOW,
        )
        .values_list("recipient_id")
        .annotate(n=Count("pk"))
    )


def _apply_rules(
    claimed: list[Nudge],
    people: dict[int, User],
    away: dict,
    now: dt.datetime,
    report: DeliveryReport,
) -> list[Nudge]:
    """The nudges the person's rules let through now; the others are skipped
    with their reason, or moved to the person's next working hours."""
    ready: list[Nudge] = []
    stale = obsolete(claimed)
    for nudge in claimed:
        person = people[nudge.recipient_id]
        reason = stale.get(nudge.pk) or _hold_reason(nudge, person, now, away[person.pk])
        if reason == "outside working hours":
            if _reschedule(nudge, person, now, away[person.pk]):
                report.rescheduled += 1
                continue
            reason = "no working hours before it expired"
        if reason:
            _skip(nudge, reason, report)
            continue
        ready.append(nudge)
    return ready


def _reschedule(nudge: Nudge, person: User, now: dt.datetime, away: list) -> bool:
    """Move a nudge to the person's next working hours, if they come before it expires."""
    later = next_working_start(person, now, away=away)
    if later is not None and later <= now:
        later = next_working_start(person, now, away=away, strictly_new_day=True)
    if not later or later > nudge.expires_at:
        return False
    record_outcome(nudge, Nudge.Status.PENDING, due_at=later, claimed_at=None)
    return True


def _into_messages(
    ready: list[Nudge], people: dict[int, User], now: dt.datetime
) -> list[list[Nudge]]:
    """Low-priority nudges for one person that day become one message."""
    groups: list[list[Nudge]] = []
    lows: dict[int, list[Nudge]] = defaultdict(list)
    for nudge in ready:
        if nudge.priority == Priority.LOW:
            lows[nudge.recipient_id].append(nudge)
        else:
            groups.append([nudge])
    for recipient_id, items in lows.items():
        items.extend(claim_rest_of_day(people[recipient_id], items, now, items[0].claim_token))
        groups.append(items)
    return groups


def _send(group: list[Nudge], person: User, mail, now: dt.datetime, report: DeliveryReport) -> bool:
    """Send one message and record the outcome on each of its rows; True when it went."""
    try:
        send_message(group, person, mail)
    except PermanentFailure as error:
        for nudge in group:
            record_outcome(nudge, Nudge.Status.FAILED, last_error=str(error))
            report.failed += 1
        return False
    except TransientFailure as error:
        _retry_later(group, error, now, report)
        return False
    sent_at = timezone.now()
    leader = group[0]
    record_outcome(leader, Nudge.Status.SENT, sent_at=sent_at, last_error="")
    for nudge in group[1:]:
        record_outcome(nudge, Nudge.Status.SENT, sent_at=sent_at, last_error="", digest=leader)
    report.sent += len(group)
    report.messages += 1
    return True


def _retry_later(
    group: list[Nudge], error: Exception, now: dt.datetime, report: DeliveryReport
) -> None:
    """Back off exponentially, and give up after MAX_ATTEMPTS."""
    for nudge in group:
        if nudge.attempts >= MAX_ATTEMPTS:
            record_outcome(nudge, Nudge.Status.FAILED, last_error=f"gave up: {error}")
            report.failed += 1
        else:
            backoff = dt.timedelta(minutes=2**nudge.attempts)
            record_outcome(
                nudge,
                Nudge.Status.PENDING,
                last_error=str(error),
                due_at=now + backoff,
                claimed_at=None,
            )
            report.retrying += 1


def _hold_reason(nudge: Nudge, person: User, now: dt.datetime, away: list) -> str:
    if not person.is_active:
        return "recipient deactivated"
    if nudge.kind in (person.muted_nudge_kinds or []):
        with translation.override(None):  # stored for HR's outbox: kept in English
            label = str(NUDGE_KINDS[nudge.kind].label).lower()
        return f"{label} turned off by the person"
    if nudge.expires_at <= now:
        return "expired before it could be delivered"
    if person.snoozed_until and person.snoozed_until > now:
        return "snoozed"
    if is_away(now.astimezone(person.zone).date(), away):
        return "away"
    if not person.is_working_at(now):
        return "outside working hours"
    return ""


def _skip(nudge: Nudge, reason: str, report: DeliveryReport) -> None:
    record_outcome(nudge, Nudge.Status.SKIPPED, last_error=reason)
    report.skipped += 1
    report.reasons[reason] = report.reasons.get(reason, 0) + 1


# ---------------------------------------------------------------- channels


def send_message(group: list[Nudge], person: User, mail_connection=None) -> None:
    """Send one message (a nudge, or a digest of several) through its channel, in
    the recipient's language."""
    with speaking(person):
        _send_in_channel(group, person, mail_connection)


def _send_in_channel(group: list[Nudge], person: User, mail_connection=None) -> None:
    channel = group[0].channel
    if channel == NudgeChannel.IN_APP:
        return  # the notification list shows every sent nudge
    if channel == NudgeChannel.EMAIL:
        send_email(group, person, message_context(group, person), mail_connection)
    elif channel in (NudgeChannel.SLACK, NudgeChannel.TEAMS):
        context = message_context(group, person)
        if send_through_app(channel, group, person, context):
            return  # a direct message from the chat app, to the person alone
        if any(n.payload.get("app_only") for n in group):
            return  # meant for the chat app only (a prompt to reply to): the in-app list keeps it
        personal = getattr(person, f"{channel}_webhook_url")
        if not personal and any(NUDGE_KINDS[n.kind].private for n in group):
            # A team webhook posts in a shared channel: a private nudge stays
            # in the person's own notification list instead.
            return
        send_webhook(group, person, channel, context)
    else:
        problem = f"unknown channel “{channel}”"  # stored for HR's outbox: kept in English
        raise PermanentFailure(problem)


def message_context(group: list[Nudge], person: User) -> dict:
    """What a message's templates show, in the recipient's language."""
    with speaking(person):
        return _message_context(group, person)


def _message_context(group: list[Nudge], person: User) -> dict:
    site = settings.SITE_URL
    kinds = sorted({n.kind for n in group})
    return {
        "person": person,
        "items": [
            {
                "title": str(n.title),
                "body": n.body,
                "url": f"{site}{n.url}" if n.url else "",
                "reason": str(n.reason),
                "turn_off_url": site
                + reverse("nudge_unsubscribe", args=[unsubscribe_token(person, n.kind)]),
                "kind_label": str(NUDGE_KINDS[n.kind].label),
                "action": str(NUDGE_KINDS[n.kind].action),
            }
            for n in group
        ],
        "is_digest": len(group) > 1,
        "subject": str(group[0].title)
        if len(group) == 1
        else ngettext(
            "%(count)s small thing from Hearth today",
            "%(count)s small things from Hearth today",
            len(group),
        )
        % {"count": len(group)},
        "preferences_url": site + reverse("nudge_preferences"),
        "unsubscribe_url": site
        + reverse(
            "nudge_unsubscribe",
            args=[unsubscribe_token(person, kinds[0] if len(kinds) == 1 else "all")],
        ),
    }


# ---------------------------------------------------------------- people's controls


def unsubscribe_token(person: User, kind: str) -> str:
    return signing.dumps({"p": person.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The person and kind ("all" for everything low priority) a token names."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=dt.timedelta(days=180))
    person = User.objects.get(pk=data["p"])
    kind = data["k"]
    if kind != "all" and kind not in NUDGE_KINDS:
        problem = "unknown kind"  # for the developer: the page says the link is broken
        raise signing.BadSignature(problem)
    return person, kind


def mute_kinds(*, person: User, kinds: list[str]) -> None:
    muted = sorted(set(person.muted_nudge_kinds or []) | set(kinds))
    person.muted_nudge_kinds = muted
    person.save(update_fields=["muted_nudge_kinds"])


def unmute_kinds(*, person: User, kinds: list[str]) -> None:
    person.muted_nudge_kinds = sorted(set(person.muted_nudge_kinds or []) - set(kinds))
    person.save(update_fields=["muted_nudge_kinds"])


def resend_nudges(*, ids: list[int], by: User | None = None) -> int:
    """Put failed nudges back in the queue, due now, with fresh attempts."""
    now = timezone.now()
    with transaction.atomic():
        count = Nudge.objects.filter(pk__in=ids, status=Nudge.Status.FAILED).update(
            status=Nudge.Status.PENDING,
            attempts=0,
            due_at=now,
            expires_at=now + DEFAULT_LIFETIME,
            claimed_at=None,
        )
        if count:
            record(actor=by, action=AuditEntry.Action.NUDGES_RESENT, detail={"nudges": count})
    return count


def mark_read(*, person: User, ids: list[int] | None = None) -> int:
    nudges = Nudge.objects.inbox(person).unread()
    if ids is not None:
        nudges = nudges.filter(pk__in=ids)
    return Nudge.objects.filter(pk__in=nudges.values("pk")).update(read_at=timezone.now())


@dataclass
class OutboxSummary:
    """What HR's outbox page counts: each message once, by what happened to it."""

    sent: int  # delivered in the window
    waiting: int  # not due yet, or due and waiting for the person's working hours
    failed: int  # last tried in the window and gave up
    skipped: list[tuple[str, int]]  # (the reason, how many) last tried in the window

    @property
    def skipped_total(self) -> int:
        return sum(n for _, n in self.skipped)


def outbox_summary(*, since: dt.datetime) -> OutboxSummary:
    """Counts by status, and the skipped ones by their real reason (a weekly limit
    counts as one reason whatever each person's limit is)."""
    tried = Nudge.objects.filter(claimed_at__gte=since)
    reasons: dict[str, int] = defaultdict(int)
    for reason, n in (
        tried.filter(status=Nudge.Status.SKIPPED)
        .values_list("last_error")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        reasons["weekly limit reached" if reason.startswith("weekly limit") else reason] += n
    counts = Nudge.objects.aggregate(  # the three counts in one pass over the outbox
        sent=Count("pk", filter=Q(status=Nudge.Status.SENT, sent_at__gte=since)),
        waiting=Count("pk", filter=Q(status__in=[Nudge.Status.PENDING, Nudge.Status.SENDING])),
        failed=Count("pk", filter=Q(status=Nudge.Status.FAILED, claimed_at__gte=since)),
    )
    return OutboxSummary(
        **counts, skipped=sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    )
