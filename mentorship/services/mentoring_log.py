"""The mentoring log: sessions (logged, confirmed by the mentor, counted toward the
quarter's hours) and the case notes written after them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from connection.calendar import quarter_start
from connection.models import Signal, User
from connection.nudges import create_nudge
from connection.services import record_signals
from mentorship.models import MAX_SESSION_MINUTES, CaseNote, MentoringSession
from mentorship.services.errors import MentorshipError


def log_session(
    *,
    mentor: User,
    mentee: User,
    kind: str,
    held_on: dt.date,
    minutes: int,
    note: str,
    logged_by: User,
) -> MentoringSession:
    if mentor.pk == mentee.pk:
        raise MentorshipError("A session takes two people.")
    if logged_by.pk not in (mentor.pk, mentee.pk):
        raise MentorshipError("Only the two people in a session log it.")
    if not 1 <= minutes <= MAX_SESSION_MINUTES:
        raise MentorshipError("A session lasts between 1 minute and 8 hours.")
    if held_on > logged_by.local_now().date():
        raise MentorshipError("Log sessions that have happened.")
    if kind not in MentoringSession.Kind.values:
        raise MentorshipError("Mentoring or shadowing?")
    # The mentor vouches for their own time, so it counts at once; the hours and
    # the signal are the mentor's, so a session the mentee logs waits for them.
    by_mentor = logged_by.pk == mentor.pk
    with transaction.atomic():
        session = MentoringSession.objects.create(
            mentor=mentor,
            mentee=mentee,
            kind=kind,
            held_on=held_on,
            minutes=minutes,
            note=note[:200],
            logged_by=logged_by,
            status=MentoringSession.Status.CONFIRMED
            if by_mentor
            else MentoringSession.Status.PENDING,
            decided_at=timezone.now() if by_mentor else None,
        )
        if by_mentor:
            _record_session_signal(session)
        else:
            create_nudge(
                recipient=mentor,
                kind="mentoring_confirm",
                dedupe_key=f"session:{session.pk}:confirm",
                payload={
                    "title": f"Did you mentor {mentee.get_short_name()}?",
                    "body": f"{mentee.display_name} logged {minutes} minutes of "
                    f"{session.get_kind_display().lower()} with you on {held_on:%a %-d %b}. "
                    "Confirm it to count it, or decline it.",
                    "url": reverse("mentoring_session", args=[session.pk]),
                },
            )
    return session


def decide_session(*, session: MentoringSession, by: User, confirm: bool) -> MentoringSession:
    """The mentor confirms (it counts from now) or declines a session logged by the mentee.

    Repeating the same decision is a no-op, so a double click is harmless.
    """
    if by.pk != session.mentor_id:
        raise MentorshipError("Only the mentor named in a session confirms it.")
    wanted = MentoringSession.Status.CONFIRMED if confirm else MentoringSession.Status.DECLINED
    with transaction.atomic():
        # A conditional update claims the decision: of two racing clicks, one acts.
        decided = MentoringSession.objects.filter(
            pk=session.pk, status=MentoringSession.Status.PENDING
        ).update(status=wanted, decided_at=timezone.now())
        session.refresh_from_db(fields=["status", "decided_at"])
        if decided and confirm:
            _record_session_signal(session)
    if session.status != wanted:
        raise MentorshipError(f"This session is already {session.get_status_display().lower()}.")
    return session


def _record_session_signal(session: MentoringSession) -> None:
    kind_signal = (
        Signal.Kind.SHADOWED
        if session.kind == MentoringSession.Kind.SHADOWING
        else Signal.Kind.MENTORED
    )
    record_signals(
        [
            Signal(
                actor=session.mentor,
                other=session.mentee,
                team=session.mentor.team,
                kind=kind_signal,
                source=f"session:{session.pk}",
            )
        ]
    )


def quarter_hours(person: User, today: dt.date | None = None) -> float:
    today = today or timezone.now().date()
    start = quarter_start(today)
    minutes = (
        MentoringSession.objects.confirmed()
        .filter(mentor=person, held_on__gte=start)
        .aggregate(m=Sum("minutes"))["m"]
        or 0
    )
    return round(minutes / 60 + 1e-9, 1)  # 75 minutes is 1.3 h, not 1.2 (banker's rounding)


def mentoring_coverage(
    viewer: User, *, expectation: int, today: dt.date | None = None
) -> list[dict] | None:
    """HR's table for the quarter so far: per team, the senior people and how many of them
    reached the expected hours. None for anyone else, whose log page shows no table."""
    if not viewer.is_hr_admin:
        return None
    start = quarter_start(today or timezone.now().date())
    hours = dict(
        MentoringSession.objects.confirmed()
        .filter(held_on__gte=start)
        .values("mentor_id")
        .annotate(m=Sum("minutes"))
        .values_list("mentor_id", "m")
    )
    rows: dict = {}
    for person in User.objects.active().filter(is_senior=True).select_related("team"):
        row = rows.setdefault(person.team, {"team": person.team, "seniors": 0, "reached": 0})
        row["seniors"] += 1
        row["reached"] += hours.get(person.pk, 0) >= expectation * 60
    return sorted(rows.values(), key=lambda r: r["team"].name if r["team"] else "")


def publish_note(
    *,
    author: User,
    topic: str,
    tried: str,
    failed: str,
    learned: str,
    visibility: str,
    session: MentoringSession | None = None,
) -> CaseNote:
    if not topic.strip() or not tried.strip() or not learned.strip():
        raise MentorshipError("A case note needs a topic, what was tried and what was learned.")
    if session is not None and author.pk not in (session.mentor_id, session.mentee_id):
        raise MentorshipError("Only someone from that session can write its note.")
    return CaseNote.objects.create(
        author=author,
        team=author.team,
        session=session,
        topic=topic.strip()[:80],
        tried=tried.strip()[:1000],
        failed=failed.strip()[:1000],
        learned=learned.strip()[:1000],
        visibility=visibility,
    )
