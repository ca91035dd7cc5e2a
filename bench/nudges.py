"""Plan and deliver 10,000 nudges with two workers; count the duplicates.

Runs on the bench database after the page measurements, so the
10,000-person org is already there (it is seeded when it is not; `--people`
sets its size). Every
person is made reachable at one fixed instant: UTC, working all day every
day, a high weekly cap, nothing muted, no snooze, no away days. Half get
nudges in the app, half by e-mail through Django's locmem backend (the
outbox is a list in memory; nothing leaves the machine).

Duplicates are e-mails whose X-Hearth-Nudge header (the dedupe key) repeats
plus nudges that did not end up 'sent'. Both must be 0.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import traceback
from collections import Counter

from django.conf import settings
from django.core import mail
from django.db import connection

from bench.measure import Section, ensure_org, print_section
from connection.models import AwayPeriod, Nudge, OrgSettings, User
from connection.nudges import NudgeSpec, deliver_due_nudges, plan_nudges

WORKERS = 2
BATCH_SIZE = 200
TARGET_SECONDS = 60.0
# A Wednesday noon: inside everyone's hours once they are set below.
NOW = dt.datetime(2025, 6, 4, 12, 0, tzinfo=dt.UTC)
KEY_PREFIX = "bench-nudge"


def make_everyone_reachable(people: int) -> list[int]:
    """Primary keys of `people` active people, all deliverable at NOW."""
    ensure_org(people)
    ids = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    ids = ids[:people]

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


def run(people: int) -> list[str]:
    """Plan and deliver a nudge for each of `people`; print the table, return problems."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []

    ids = make_everyone_reachable(people)
    plan_seconds, created = plan(ids)
    deliver_seconds, reports, errors = deliver()
    outcome = tally()
    section = report(created, plan_seconds, deliver_seconds, reports, outcome)
    problems = errors + check(people, created, plan_seconds + deliver_seconds, outcome)
    return print_section(section) + problems


def tally() -> dict:
    """What delivery left: the nudges' statuses and the e-mails in the locmem outbox."""
    ours = Nudge.objects.filter(dedupe_key__startswith=KEY_PREFIX)
    statuses = dict(Counter(ours.values_list("status", flat=True)))
    keys = Counter(message.extra_headers.get("X-Hearth-Nudge") for message in mail.outbox)
    not_sent = sum(n for status, n in statuses.items() if status != Nudge.Status.SENT)
    return {
        "statuses": statuses,
        "sent": statuses.get(Nudge.Status.SENT, 0),
        "not_sent": not_sent,
        "reasons": dict(
            Counter(ours.exclude(status=Nudge.Status.SENT).values_list("last_error", flat=True))
        )
        if not_sent
        else {},
        "repeated": sum(n - 1 for n in keys.values() if n > 1),
        "emails": len(mail.outbox),
        "expected_emails": ours.filter(channel="email").count(),
    }


def report(created: int, plan_s: float, deliver_s: float, reports: list, outcome: dict) -> Section:
    """Headers and one row for the table, and the notes (problems come from check())."""
    duplicates = outcome["repeated"] + outcome["not_sent"]
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
        f"{plan_s:.1f}",
        f"{deliver_s:.1f}",
        f"{outcome['sent']:,}",
        f"{outcome['emails']:,}",
        str(duplicates),
        "yes" if plan_s + deliver_s < TARGET_SECONDS else "NO",
    ]
    claimed = " + ".join(str(r.claimed) if r else "?" for r in reports)
    notes = [
        f"deliver_due_nudges(batch_size={BATCH_SIZE}) in {WORKERS} threads; "
        f"claimed per worker: {claimed}; e-mail through the locmem backend",
    ]
    return headers, [row], notes, []


def check(people: int, created: int, total: float, outcome: dict) -> list[str]:
    problems = []
    if created != people:
        problems.append(f"nudges: planned {created:,} of {people:,}")
    if outcome["repeated"]:
        problems.append(f"nudges: {outcome['repeated']} e-mails repeat an X-Hearth-Nudge key")
    if outcome["not_sent"]:
        detail = ", ".join(
            f"{n} {s}" for s, n in sorted(outcome["statuses"].items()) if s != "sent"
        )
        problems.append(
            f"nudges: {outcome['not_sent']} not sent ({detail}); reasons: {outcome['reasons']}"
        )
    if outcome["emails"] != outcome["expected_emails"]:
        problems.append(
            f"nudges: {outcome['emails']:,} e-mails for {outcome['expected_emails']:,} "
            "e-mail nudges"
        )
    if total >= TARGET_SECONDS:
        problems.append(f"nudges: {total:.1f} s in all (target {TARGET_SECONDS:.0f} s)")
    return problems
