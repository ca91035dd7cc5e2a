"""A worker's claim on rows of the nudge outbox.

A worker takes due rows with a conditional UPDATE (status PENDING to SENDING,
under a fresh token, row-locked with SKIP LOCKED where the database has it),
so two workers never take the same row. It renews its claim just before each
send and records an outcome only while it still holds the claim, so a row a
stalled worker lost to the stale-claim release is never acted on twice.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from connection.models import Nudge, Priority, User

STALE_CLAIM = dt.timedelta(minutes=30)


def release_stale_claims(now: dt.datetime) -> int:
    """Rows claimed by a worker that died before sending go back to the queue."""
    return Nudge.objects.filter(
        status=Nudge.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Nudge.Status.PENDING, claimed_at=None)


def claim_due(now: dt.datetime, batch_size: int, exclude=()) -> list[Nudge]:
    """Take up to `batch_size` due nudges for this worker alone."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = (
            Nudge.objects.filter(status=Nudge.Status.PENDING, due_at__lte=now)
            .exclude(pk__in=list(exclude))
            .order_by("due_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:batch_size])
        # The status condition makes the claim safe even without row locks.
        Nudge.objects.filter(pk__in=ids, status=Nudge.Status.PENDING).update(
            status=Nudge.Status.SENDING,
            claimed_at=timezone.now(),
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return list(
        Nudge.objects.filter(pk__in=ids, status=Nudge.Status.SENDING, claim_token=token)
        .select_related("recipient__team")
        .order_by("due_at", "pk")
    )


def claim_rest_of_day(
    person: User, claimed: list[Nudge], now: dt.datetime, token: str
) -> list[Nudge]:
    """Add the person's other low-priority nudges due before their midnight to
    this worker's claim (under the batch's token): the day's digest."""
    local_end = dt.datetime.combine(
        now.astimezone(person.zone).date() + dt.timedelta(days=1), dt.time(0), tzinfo=person.zone
    )
    with transaction.atomic():
        rest = Nudge.objects.filter(
            recipient=person,
            priority=Priority.LOW,
            status=Nudge.Status.PENDING,
            due_at__lt=local_end,
            expires_at__gt=now,
        ).exclude(pk__in=[n.pk for n in claimed])
        # Muted kinds wait for their own turn, where they are skipped with the reason.
        rest = rest.exclude(kind__in=person.muted_nudge_kinds or [])
        if connection.features.has_select_for_update_skip_locked:
            rest = rest.select_for_update(skip_locked=True)
        ids = list(rest.values_list("pk", flat=True))
        Nudge.objects.filter(pk__in=ids, status=Nudge.Status.PENDING).update(
            status=Nudge.Status.SENDING,
            claimed_at=timezone.now(),
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return list(
        Nudge.objects.filter(pk__in=ids, status=Nudge.Status.SENDING, claim_token=token).order_by(
            "due_at"
        )
    )


def still_held(group: list[Nudge]) -> bool:
    """Renew this worker's claim on a message's rows just before sending it."""
    held = Nudge.objects.filter(
        pk__in=[n.pk for n in group],
        status=Nudge.Status.SENDING,
        claim_token=group[0].claim_token,
    ).update(claimed_at=timezone.now())
    return held == len(group)


def record_outcome(nudge: Nudge, status: str, **fields) -> None:
    """Record an outcome, only while this worker still holds the claim."""
    Nudge.objects.filter(
        pk=nudge.pk, status=Nudge.Status.SENDING, claim_token=nudge.claim_token
    ).update(status=status, **fields)
    nudge.status = status
    for name, value in fields.items():
        setattr(nudge, name, value)
