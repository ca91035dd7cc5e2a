"""Plan and deliver 10,000 nudges with two workers; count the duplicates.

Runs on the bench database after the page measurements, so the
10,000-person org is already there (it is seeded when it is not). Every
person is made reachable at one fixed instant: UTC, working all day every
day, a high weekly cap, nothing muted, no snooze, no away days. Half get
nudges in the app, half by e-mail through Django's locmem backend (the
outbox is a list in memory; nothing leaves the machine).

Duplicates are e-mails whose X-Hearth-Nudge header (the dedupe key) repeats
plus nudges that did not end up 'sent'. Both must be 0.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
import traceback
from collections import Counter

PEOPLE = 10_000
WORKERS = 2
BATCH_SIZE = 200
TARGET_SECONDS = 60.0
# A Wednesday noon: inside everyone's hours once they are set below.
NOW = dt.datetime(2025, 6, 4, 12, 0, tzinfo=dt.UTC)
KEY_PREFIX = "bench-nudge"


def make_everyone_reachable() -> list[int]:
    """Primary keys of PEOPLE active people, all deliverable at NOW."""
    from django.core.management import call_command

    from connection.models import AwayPeriod, Nudge, OrgSettings, User

    if User.objects.filter(is_active=True).count() < PEOPLE:
        call_command("flush", interactive=False, verbosity=0)
        call_command("seed_demo", people=PEOPLE, bare=True, stdout=io.StringIO())
    ids = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    ids = ids[:PEOPLE]

    Nudge.objects.all().delete()  # the bench database only: start from an empty outbox
    AwayPeriod.objects.filter(person_id__in=ids).delete()
    User.objects.filter(pk__in=ids).update(
        time_zone="UTC",
        work_start=dt.time(0, 0),
        work_end=dt.time(23, 59),
        working_days="1234567",
        weekly_nudge_cap=1000,
        muted_nudge_kinds=[],
        snoozed_until=None,
        nudge_channel="email",
    )
    User.objects.filter(pk__in=ids[::2]).update(nudge_channel="in_app")
    org = OrgSettings.load()
    org.nudge_weekly_ceiling = 1000
    org.save(update_fields=["nudge_weekly_ceiling"])
    return ids


def plan(ids: list[int]) -> tuple[float, int]:
    from connection.models import User
    from connection.nudges import NudgeSpec, plan_nudges

    started = time.perf_counter()
    people = User.objects.filter(pk__in=ids).order_by("pk")
    specs = [
        NudgeSpec(
            recipient=person,
            kind="booking",  # high priority: the weekly cap never holds it
            dedupe_key=f"{KEY_PREFIX}:{person.pk}",
            payload={"title": "Bench booking", "body": f"Nudge for person {person.pk}"},
            due_at=NOW,
        )
        for person in people
    ]
    created = plan_nudges(specs)
    return time.perf_counter() - started, created


def deliver() -> tuple[float, list, list[str]]:
    """Run WORKERS delivery loops at once; their reports and any errors."""
    from django.db import connection

    from connection.nudges import deliver_due_nudges

    start = threading.Barrier(WORKERS)
    reports: list = [None] * WORKERS
    errors: list[str] = []

    def work(index: int) -> None:
        try:
            start.wait()
            reports[index] = deliver_due_nudges(now=NOW, batch_size=BATCH_SIZE)
        except Exception as error:  # reported, never hidden
            errors.append(f"worker {index + 1}: {type(error).__name__}: {error}")
            traceback.print_exc()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(i,), name=f"nudge-worker-{i + 1}")
        for i in range(WORKERS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, reports, errors


def run() -> tuple[list[str], list[list[str]], list[str], list[str]]:
    """Headers and one row for the table, notes, and problems found."""
    from django.conf import settings
    from django.core import mail

    from connection.models import Nudge

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []

    ids = make_everyone_reachable()
    plan_seconds, created = plan(ids)
    deliver_seconds, reports, errors = deliver()

    ours = Nudge.objects.filter(dedupe_key__startswith=KEY_PREFIX)
    statuses = dict(Counter(ours.values_list("status", flat=True)))
    sent = statuses.get(Nudge.Status.SENT, 0)
    not_sent = sum(n for status, n in statuses.items() if status != Nudge.Status.SENT)
    keys = Counter(message.extra_headers.get("X-Hearth-Nudge") for message in mail.outbox)
    repeated = sum(n - 1 for n in keys.values() if n > 1)
    emails = len(mail.outbox)
    expected_emails = ours.filter(channel="email").count()
    duplicates = repeated + not_sent
    total = plan_seconds + deliver_seconds
    met = total < TARGET_SECONDS

    headers = [
        "nudges",
        "workers",
        "plan s",
        "deliver s",
        "sent",
        "e-mails",
        "duplicates",
        f"under {TARGET_SECONDS:.0f} s?",
    ]
    row = [
        f"{created:,}",
        str(WORKERS),
        f"{plan_seconds:.1f}",
        f"{deliver_seconds:.1f}",
        f"{sent:,}",
        f"{emails:,}",
        str(duplicates),
        "yes" if met else "NO",
    ]
    claimed = " + ".join(str(r.claimed) if r else "?" for r in reports)
    notes = [
        f"deliver_due_nudges(batch_size={BATCH_SIZE}) in {WORKERS} threads; "
        f"claimed per worker: {claimed}; e-mail through the locmem backend",
    ]

    problems = list(errors)
    if created != PEOPLE:
        problems.append(f"nudges: planned {created:,} of {PEOPLE:,}")
    if repeated:
        problems.append(f"nudges: {repeated} e-mails repeat an X-Hearth-Nudge key")
    if not_sent:
        detail = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()) if s != "sent")
        reasons = Counter(
            ours.exclude(status=Nudge.Status.SENT).values_list("last_error", flat=True)
        )
        problems.append(f"nudges: {not_sent} not sent ({detail}); reasons: {dict(reasons)}")
    if emails != expected_emails:
        problems.append(f"nudges: {emails:,} e-mails for {expected_emails:,} e-mail nudges")
    if not met:
        problems.append(f"nudges: {total:.1f} s in all (target {TARGET_SECONDS:.0f} s)")
    return headers, [row], notes, problems
