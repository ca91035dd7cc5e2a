"""Writes of mentorship: programmes and their rounds, check-ins, office hours,
the mentoring log, shadowing and case notes."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from connection.calendar import NEWCOMER_DAYS, quarter_start
from connection.models import AwayPeriod, Signal, User, shared_working_window
from connection.nudges import NudgeSpec, create_nudge, plan_nudges
from connection.services import record_signals
from mentorship.matching.participants import Participant
from mentorship.matching.rounds import choose_buddy, match
from mentorship.models import (
    MAX_SESSION_MINUTES,
    Avoid,
    Booking,
    CaseNote,
    CheckIn,
    MatchGroup,
    MatchRound,
    Membership,
    MentoringSession,
    OfficeHours,
    Programme,
    ShadowWindow,
)

STARTERS = [
    "What's something you learned recently that surprised you?",
    "What does a good week look like for you?",
    "What's one thing about how we work that took you a while to figure out?",
    "What are you curious about outside work these days?",
]


class MentorshipError(Exception):
    """A request that can't be done; the message says why."""


# ---------------------------------------------------------------- programmes


def join_programme(*, programme: Programme, person: User) -> Membership:
    if not programme.active or not programme.eligible(person):
        raise MentorshipError("This programme isn't open to you.")
    membership, _ = Membership.objects.update_or_create(
        programme=programme,
        person=person,
        defaults={"status": Membership.Status.ACTIVE, "paused_until": None},
    )
    return membership


def set_membership(*, membership: Membership, status: str, until: dt.date | None = None) -> None:
    """Pause (optionally until a date), resume or leave; effective from the next round."""
    if status not in Membership.Status.values:
        raise MentorshipError("Unknown status.")
    membership.status = status
    membership.paused_until = until if status == Membership.Status.PAUSED else None
    membership.save(update_fields=["status", "paused_until"])


def participant(person: User, *, odd_count: int = 0, avoid=frozenset()) -> Participant:
    return Participant(
        id=person.pk,
        team_id=person.team_id,
        manager_id=person.manager_id,
        time_zone=person.time_zone,
        work_start=person.work_start,
        work_end=person.work_end,
        working_days=person.working_days,
        skills=frozenset(s.lower() for s in person.skills or []),
        interests=frozenset(s.lower() for s in person.interests or []),
        tenure_days=person.tenure_days(),
        avoid=frozenset(avoid),
        odd_count=odd_count,
    )


def pair_history(programme: Programme) -> dict[frozenset[int], int]:
    """Last round number each pair met in, across the programme's rounds."""
    history: dict[frozenset[int], int] = {}
    through = MatchGroup.members.through
    rows = through.objects.filter(matchgroup__round__programme=programme).values_list(
        "matchgroup_id", "user_id", "matchgroup__round__number"
    )
    groups: dict[int, tuple[int, list[int]]] = {}
    for group_id, user_id, number in rows:
        groups.setdefault(group_id, (number, []))[1].append(user_id)
    for number, members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                key = frozenset((a, b))
                history[key] = max(history.get(key, 0), number)
    return history


def _available(programme: Programme, today: dt.date) -> list[Membership]:
    away_today = AwayPeriod.objects.filter(starts_on__lte=today, ends_on__gte=today).values(
        "person_id"
    )
    return list(
        Membership.objects.filter(programme=programme, person__is_active=True)
        .filter(
            Q(status=Membership.Status.ACTIVE)
            | Q(status=Membership.Status.PAUSED, paused_until__lt=today)
        )
        .exclude(person_id__in=away_today)
        .select_related("person__team")
    )


def run_round(*, programme: Programme, today: dt.date | None = None) -> MatchRound | None:
    """Match the programme's available members; one round per programme a day, idempotent."""
    today = today or timezone.now().date()
    if not programme.active or programme.kind == Programme.Kind.BUDDY:
        return None
    last = programme.rounds.first()
    if last and (today - last.run_on).days < 7 * programme.cadence_weeks:
        return None
    members = _available(programme, today)
    if len(members) < 2:
        return None
    ids = [m.person_id for m in members]
    avoid: dict[int, set[int]] = {}
    for person_id, avoided_id in Avoid.objects.filter(person_id__in=ids).values_list(
        "person_id", "avoided_id"
    ):
        avoid.setdefault(person_id, set()).add(avoided_id)
    number = (last.number if last else 0) + 1
    groups = match(
        [
            participant(m.person, odd_count=m.odd_count, avoid=avoid.get(m.person_id, ()))
            for m in members
        ],
        history=pair_history(programme),
        round_number=number,
        size=programme.group_size,
        max_size=programme.max_group_size,
        learning=programme.kind == Programme.Kind.MENTORING,
        cross_team=programme.cross_team,
        seed=programme.pk * 1000 + number,
    )
    people = {m.person_id: m.person for m in members}
    try:
        with transaction.atomic():
            match_round = MatchRound.objects.create(
                programme=programme, number=number, run_on=today
            )
            for group in groups:
                _write_group(match_round, group, people, today)
            if programme.group_size == 2:
                # Everyone in this round's group of three counts it, so the engine,
                # preferring the lowest count, makes someone else the odd one next time.
                odd = [pk for g in groups if len(g.members) > 2 for pk in g.members]
                Membership.objects.filter(programme=programme, person_id__in=odd).update(
                    odd_count=F("odd_count") + 1
                )
    except IntegrityError:
        return None  # another tick made today's round
    return match_round


def _write_group(match_round: MatchRound, group, people: dict, today: dt.date) -> MatchGroup:
    programme = match_round.programme
    row = MatchGroup.objects.create(
        round=match_round, reasons=list(group.reasons), score=group.score
    )
    members = [people[pk] for pk in group.members]
    row.members.set(members)
    window = shared_working_window(members, today + dt.timedelta(days=1))
    starter = STARTERS[(match_round.number + row.pk) % len(STARTERS)]
    for person in members:
        others = ", ".join(p.get_short_name() for p in members if p.pk != person.pk)
        when = ""
        if window:
            start = window[0].astimezone(person.zone)
            end = window[1].astimezone(person.zone)
            when = f" You all work {start:%H:%M}–{end:%H:%M} your time."
        create_nudge(
            recipient=person,
            kind="pairing",
            dedupe_key=f"match:{row.pk}:{person.pk}",
            payload={
                "title": f"{programme.name}: meet {others}",
                "body": f"Why you: {'; '.join(group.reasons[:2])}.{when} A starter: {starter}",
                "url": "/mentorship/",
            },
            when="morning",
        )
        create_nudge(
            recipient=person,
            kind="pairing",
            dedupe_key=f"checkin:{row.pk}:{person.pk}:1",
            payload={
                "title": f"Did you meet {others}?",
                "body": "One tap: met, not yet, or rescheduled.",
                "url": "/mentorship/",
            },
            due_at=timezone.now() + dt.timedelta(days=6),
            when="morning",
        )
    return row


def assign_buddies(*, today: dt.date | None = None) -> int:
    """Every new hire whose start date has come gets a buddy from a buddy programme."""
    today = today or timezone.now().date()
    assigned = 0
    for programme in Programme.objects.filter(kind=Programme.Kind.BUDDY, active=True):
        has_buddy = MatchGroup.objects.filter(round__programme=programme).values("newcomer_id")
        newcomers = (
            User.objects.active()
            .filter(start_date__lte=today, start_date__gte=today - dt.timedelta(days=14))
            .exclude(pk__in=has_buddy)
            .select_related("team")
        )
        candidates = [
            m.person
            for m in _available(programme, today)
            if (m.person.tenure_days(today) or 0) >= NEWCOMER_DAYS
        ]
        history = pair_history(programme)
        for newcomer in newcomers:
            if not programme.eligible(newcomer):
                continue
            pool = [c for c in candidates if c.pk != newcomer.pk and c.pk != newcomer.manager_id]
            group = choose_buddy(
                participant(newcomer),
                [participant(c) for c in pool],
                history=history,
                round_number=1,
                seed=newcomer.pk,
            )
            if group is None:
                continue
            if _pair_buddy(programme, newcomer, group, {c.pk: c for c in pool}, today):
                assigned += 1
    return assigned


def _pair_buddy(programme, newcomer, group, pool, today) -> bool:
    buddy_id = next(pk for pk in group.members if pk != newcomer.pk)
    buddy = pool[buddy_id]
    try:
        with transaction.atomic():
            match_round, _ = MatchRound.objects.get_or_create(
                programme=programme,
                run_on=today,
                defaults={"number": (programme.rounds.aggregate(n=Max("number"))["n"] or 0) + 1},
            )
            row = MatchGroup.objects.create(
                round=match_round,
                reasons=list(group.reasons),
                score=group.score,
                newcomer=newcomer,
            )
            row.members.set([newcomer, buddy])
            window = shared_working_window([newcomer, buddy], today + dt.timedelta(days=1))
            specs = []
            for person, other in ((newcomer, buddy), (buddy, newcomer)):
                when = ""
                if window:
                    start = window[0].astimezone(person.zone)
                    when = f" A first check-in fits at {start:%H:%M} your time."
                specs.append(
                    NudgeSpec(
                        recipient=person,
                        kind="buddy_checkin",
                        dedupe_key=f"buddy:{row.pk}:{person.pk}",
                        payload={
                            "title": f"Your buddy: {other.display_name}"
                            if person == newcomer
                            else f"You're {newcomer.get_short_name()}'s buddy",
                            "body": f"Why: {'; '.join(group.reasons[:2])}.{when}",
                            "url": "/mentorship/",
                        },
                        when="morning",
                    )
                )
                for week in range(1, programme.weeks + 1):
                    specs.append(
                        NudgeSpec(
                            recipient=person,
                            kind="buddy_checkin",
                            dedupe_key=f"buddy:{row.pk}:{person.pk}:week{week}",
                            payload={
                                "title": f"Buddy check-in, week {week}",
                                "url": "/mentorship/",
                            },
                            due_at=timezone.now() + dt.timedelta(weeks=week),
                            when="morning",
                        )
                    )
            plan_nudges(specs)
    except IntegrityError:
        return False
    return True


def check_in(*, group: MatchGroup, person: User, answer: str, week: int = 1) -> CheckIn:
    if answer not in CheckIn.Answer.values:
        raise MentorshipError("Choose met, not yet or rescheduled.")
    if not group.members.filter(pk=person.pk).exists():
        raise MentorshipError("That isn't one of your groups.")
    with transaction.atomic():
        checkin, _ = CheckIn.objects.update_or_create(
            group=group, person=person, week=week, defaults={"answer": answer}
        )
        if answer == CheckIn.Answer.MET:
            record_signals(
                [
                    Signal(
                        actor=person,
                        other=other,
                        team=person.team,
                        kind=Signal.Kind.CHECKED_IN,
                        source=f"checkin:{group.pk}:{week}:{person.pk}:{other.pk}",
                    )
                    for other in group.members.exclude(pk=person.pk)
                ]
            )
    return checkin


def round_stats(match_round: MatchRound) -> dict[str, int]:
    """Counts only: matched, met, not met or no answer. Never who."""
    groups = list(match_round.groups.prefetch_related("checkins", "members"))
    met = sum(1 for g in groups if any(c.answer == CheckIn.Answer.MET for c in g.checkins.all()))
    matched = sum(len(g.members.all()) for g in groups)
    return {"groups": len(groups), "people": matched, "met": met, "not_met": len(groups) - met}


# ---------------------------------------------------------------- office hours


def host_office_hours(
    *,
    host: User,
    weekday: int,
    start_time: dt.time,
    minutes: int,
    block_minutes: int,
    about: str = "",
) -> OfficeHours:
    if not 1 <= weekday <= 7:
        raise MentorshipError("Choose a weekday.")
    if not 10 <= block_minutes <= minutes <= 240:
        raise MentorshipError("Blocks of at least 10 minutes, in a slot of up to 4 hours.")
    slot = OfficeHours(
        host=host,
        weekday=weekday,
        start_time=start_time,
        minutes=minutes,
        block_minutes=block_minutes,
        time_zone=host.time_zone,
        about=about,
    )
    if any(slot.overlaps(other) for other in host.office_hours.filter(active=True)):
        raise MentorshipError("That overlaps office hours you already host.")
    slot.full_clean()
    slot.save()
    return slot


def book(*, office_hours: OfficeHours, starts_at: dt.datetime, booker: User, topic: str) -> Booking:
    """Book one block; the database refuses a second booking of the same block."""
    now = timezone.now()
    if office_hours.host_id == booker.pk:
        raise MentorshipError("You can't book your own office hours.")
    if not office_hours.active:
        raise MentorshipError("These office hours have closed.")
    if starts_at <= now:
        raise MentorshipError("That block has already started.")
    if starts_at not in office_hours.blocks_between(starts_at, starts_at + dt.timedelta(minutes=1)):
        raise MentorshipError("That isn't one of the bookable blocks.")
    topic = topic.strip()
    if not 1 <= len(topic) <= 120:
        raise MentorshipError("Say in a few words what you'd like to talk about.")
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                office_hours=office_hours, starts_at=starts_at, booker=booker, topic=topic
            )
            host = office_hours.host
            record_signals(
                [
                    Signal(
                        actor=booker,
                        other=host,
                        team=booker.team,
                        kind=Signal.Kind.BOOKED,
                        source=f"booking:{booking.pk}",
                    )
                ]
            )
            for person, other in ((host, booker), (booker, host)):
                create_nudge(
                    recipient=person,
                    kind="booking",
                    dedupe_key=f"booking:{booking.pk}:{person.pk}",
                    payload={
                        "title": f"Office hours with {other.get_short_name()}",
                        "body": f"{starts_at.astimezone(person.zone):%a %d %b %H:%M} "
                        f"your time: {topic}",
                        "url": "/mentorship/office-hours/",
                    },
                )
                create_nudge(
                    recipient=person,
                    kind="booking",
                    dedupe_key=f"booking:{booking.pk}:{person.pk}:soon",
                    payload={
                        "title": f"In 30 minutes: office hours with {other.get_short_name()}",
                        "url": "/mentorship/office-hours/",
                    },
                    due_at=max(now, starts_at - dt.timedelta(minutes=30)),
                    expires_at=starts_at,
                )
    except IntegrityError:
        raise MentorshipError("Someone just booked that block. Pick another one.") from None
    return booking


def cancel_booking(*, booking: Booking, by: User) -> None:
    if by.pk not in (booking.booker_id, booking.office_hours.host_id):
        raise MentorshipError("Only the two of you can cancel it.")
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)


# ---------------------------------------------------------------- mentoring log and notes


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


def request_shadowing(*, window: ShadowWindow, person: User) -> None:
    if window.host_id == person.pk:
        raise MentorshipError("You host this window.")
    if window.starts_at <= timezone.now():
        raise MentorshipError("That window has passed.")
    with transaction.atomic():
        locked = ShadowWindow.objects.select_for_update().get(pk=window.pk)
        if locked.requests.count() >= locked.places:
            raise MentorshipError("That window is full.")
        locked.requests.add(person)
    record_signals(
        [
            Signal(
                actor=person,
                other=window.host,
                team=person.team,
                kind=Signal.Kind.SHADOWED,
                source=f"shadow:{window.pk}:{person.pk}",
            )
        ]
    )
