"""The mentoring log: sessions (logged, confirmed by the mentor, counted toward the
quarter's hours) and the case notes written after them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from connection.calendar import quarter_start
from connection.i18n import speaking
from connection.models import Signal, User
from connection.nudges import create_nudge
from connection.services import record_signals
from mentorship.models import MAX_SESSION_MINUTES, CaseNote, MentoringSession
from mentorship.services.errors import MentorshipError

# The kind and the status as they read inside a sentence (German keeps nouns capitalised).
KIND_IN_SENTENCE = {
    MentoringSession.Kind.MENTORING: gettext_noop("mentoring"),
    MentoringSession.Kind.SHADOWING: gettext_noop("shadowing"),
}
ALREADY = {
    MentoringSession.Status.PENDING: gettext_noop(
        "This session is already waiting for the mentor to confirm."
    ),
    MentoringSession.Status.CONFIRMED: gettext_noop("This session is already confirmed."),
    MentoringSession.Status.DECLINED: gettext_noop(
        "This session is already declined by the mentor."
    ),
}


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
        raise MentorshipError(_("A session takes two people."))
    if logged_by.pk not in (mentor.pk, mentee.pk):
        raise MentorshipError(_("Only the two people in a session log it."))
    if not 1 <= minutes <= MAX_SESSION_MINUTES:
        raise MentorshipError(_("A session lasts between 1 minute and 8 hours."))
    if held_on > logged_by.local_now().date():
        raise MentorshipError(_("Log sessions that have happened."))
    if kind not in MentoringSession.Kind.values:
        raise MentorshipError(_("Mentoring or shadowing?"))
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
            with speaking(mentor):
                payload = {
                    "title": _("Did you mentor %(name)s?") % {"name": mentee.get_short_name()},
                    "body": _(
                        "%(name)s logged %(minutes)s minutes of %(kind)s with you on %(day)s. "
                        "Confirm it to count it, or decline it."
                    )
                    % {
                        "name": mentee.display_name,
                        "minutes": minutes,
                        "kind": _(KIND_IN_SENTENCE[session.kind]),
                        "day": date_format(held_on, "D j M"),
                    },
                    "url": reverse("mentoring_session", args=[session.pk]),
                }
            create_nudge(
                recipient=mentor,
                kind="mentoring_confirm",
                dedupe_key=f"session:{session.pk}:confirm",
                payload=payload,
            )
    return session


def decide_session(*, session: MentoringSession, by: User, confirm: bool) -> MentoringSession:
    """The mentor confirms (it counts from now) or declines a session logged by the mentee.

    Repeating the same decision is a no-op, so a double click is harmless.
    """
    if by.pk != session.mentor_id:
        raise MentorshipError(_("Only the mentor named in a session confirms it."))
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
        raise MentorshipError(_(ALREADY[session.status]))
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
        raise MentorshipError(_("A case note needs a topic, what was tried and what was learned."))
    if session is not None and author.pk not in (session.mentor_id, session.mentee_id):
        raise MentorshipError(_("Only someone from that session can write its note."))
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
