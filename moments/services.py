"""Micro-moments: small moments, each chosen by the person it is about, that make a
distributed team feel like one.

- **Work anniversaries.** Someone who turns on `User.share_anniversary` gets a line in
  their team's thread on the day (their own calendar day), and their manager a note
  up to ANNIVERSARY_LEAD_DAYS before. Only the years at the company: never a birthday,
  never anything the person did not choose. A start date of 29 February is marked on
  28 February in other years.
- **Wins.** A thread post its author marks as a win carries the mark, and the
  author's manager hears of it (rituals/services/thread.py writes that note, as the
  thread is the rituals app's; this module only checks it when it comes due).
- **Check-ins without an agenda.** A manager who turns on `User.checkin_suggestions`
  gets, at most once a week (one outbox key a week), the name of someone they manage
  with whom they have had no one-to-one moment (a signal between the two of them) for
  CHECKIN_AFTER, the longest first, not the same person twice within SUGGEST_AGAIN
  (`CheckinSuggestion` rows remember whom).
  Nobody is scored and the person never hears of it.
- **Thank-you reminders.** Someone who turns on `User.thanks_prompts` is reminded,
  after an office-hours booking has ended or a mentoring session was confirmed, to
  thank the person who helped, unless they already did in Hearth.

HR turns each off for the organisation (`OrgSettings.moments_*`). Every message goes
through the outbox (connection/nudges.py), so the recipient's channel, weekly cap,
working hours and days away apply; `no_longer_wanted` drops, when it comes due, a
message whose moment HR or the person has turned off since.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from connection.i18n import speaking
from connection.models import AwayPeriod, Nudge, OrgSettings, Signal, Team, User
from connection.nudges import NudgeSpec, plan_nudges
from mentorship.models import Booking, MentoringSession
from moments.models import CheckinSuggestion
from rituals.models import Recognition, ThreadPost

ANNIVERSARY_LEAD_DAYS = 3
CHECKIN_AFTER = dt.timedelta(days=21)
CHECKIN_LOOKBACK = dt.timedelta(days=120)
SUGGEST_AGAIN = dt.timedelta(weeks=4)
THANKS_WITHIN = dt.timedelta(days=2)
NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass
class MomentsReport:
    anniversary_posts: int = 0
    manager_notes: int = 0
    checkins: int = 0
    thanks: int = 0


def plan_moments(now: dt.datetime | None = None) -> MomentsReport:
    """Everything due now; each part writes through unique keys, so running it every
    hour (or twice at once) writes each moment once."""
    now = now or timezone.now()
    org = OrgSettings.load()
    report = MomentsReport()
    if org.moments_anniversaries:
        report.anniversary_posts, report.manager_notes = plan_anniversaries(now)
    if org.moments_checkins:
        report.checkins = suggest_checkins(now)
    if org.moments_thanks:
        report.thanks = prompt_thanks(now)
    return report


# ---------------------------------------------------------------- anniversaries


def anniversary_in(start: dt.date, year: int) -> dt.date:
    """The date `start` comes round in `year` (28 February for 29 February)."""
    try:
        return start.replace(year=year)
    except ValueError:
        return start.replace(year=year, day=28)


def next_anniversary(start: dt.date, today: dt.date) -> dt.date | None:
    """The first anniversary of `start` on or after `today`, one year in at least."""
    for year in (today.year, today.year + 1):
        day = anniversary_in(start, year)
        if day >= today and year > start.year:
            return day
    return None


def _ordinals() -> list[str]:
    """The first ten anniversaries, in the language spoken now."""
    return [
        _("first work anniversary"),
        _("second work anniversary"),
        _("third work anniversary"),
        _("fourth work anniversary"),
        _("fifth work anniversary"),
        _("sixth work anniversary"),
        _("seventh work anniversary"),
        _("eighth work anniversary"),
        _("ninth work anniversary"),
        _("tenth work anniversary"),
    ]


def years_label(years: int) -> str:
    """“third work anniversary”, in the language spoken now."""
    ordinals = _ordinals()
    if years <= len(ordinals):
        return ordinals[years - 1]
    if years % 100 not in (11, 12, 13) and years % 10 == 1:
        return _("%(years)sst work anniversary") % {"years": years}
    if years % 100 not in (11, 12, 13) and years % 10 == 2:
        return _("%(years)snd work anniversary") % {"years": years}
    if years % 100 not in (11, 12, 13) and years % 10 == 3:
        return _("%(years)srd work anniversary") % {"years": years}
    return _("%(years)sth work anniversary") % {"years": years}


def _anniversary_title(name: str, years: int, day: dt.date, today: dt.date) -> str:
    """“Bob’s third work anniversary is tomorrow”, in the language spoken now."""
    values = {"name": name, "anniversary": years_label(years)}
    if day == today:
        return _("%(name)s’s %(anniversary)s is today") % values
    if day == today + dt.timedelta(days=1):
        return _("%(name)s’s %(anniversary)s is tomorrow") % values
    values["weekday"] = formats.date_format(day, "l")
    return _("%(name)s’s %(anniversary)s is on %(weekday)s") % values


def _month_days(today: dt.date) -> Q:
    """Start dates whose anniversary falls from yesterday (time zones behind UTC) to
    the lead days ahead; 29 February for a 28 February."""
    query = Q(pk__in=[])
    for offset in range(-1, ANNIVERSARY_LEAD_DAYS + 2):
        day = today + dt.timedelta(days=offset)
        query |= Q(start_date__month=day.month, start_date__day=day.day)
        if (day.month, day.day) == (2, 28):
            query |= Q(start_date__month=2, start_date__day=29)
    return query


def plan_anniversaries(now: dt.datetime) -> tuple[int, int]:
    """Thread posts for anniversaries that are today where the person is, and notes to
    their managers for those within the lead days; (posts, notes) written anew."""
    people = (
        User.objects.active()
        .filter(share_anniversary=True, start_date__isnull=False, team__isnull=False)
        .filter(_month_days(now.date()))
        .select_related("team", "manager")
    )
    posts, specs = [], []
    for person in people:
        today = person.local_now(now).date()
        day = next_anniversary(person.start_date, today)
        if day is None or (day - today).days > ANNIVERSARY_LEAD_DAYS:
            continue
        years = day.year - person.start_date.year
        if day == today:
            with speaking(person):  # their own post, in their words
                status = _("My %(anniversary)s today.") % {"anniversary": years_label(years)}
            posts.append(
                ThreadPost(
                    team=person.team,
                    author=person,
                    status=status,
                    moment=ThreadPost.Moment.ANNIVERSARY,
                    moment_key=f"anniversary:{person.pk}:{day.year}",
                    created_at=now,
                )
            )
        for manager in person.moment_managers():
            with speaking(manager):
                title = _anniversary_title(person.display_name, years, day, today)
                body = _(
                    "%(name)s chose to share it with the team. A word from you on the day, "
                    "in the thread or in person, goes a long way."
                ) % {"name": person.get_short_name()}
            specs.append(
                NudgeSpec(
                    recipient=manager,
                    kind="moment",
                    dedupe_key=f"moment:anniversary:{person.pk}:{day.year}:{manager.pk}",
                    payload={
                        "title": title,
                        "body": body,
                        "url": f"{reverse('ritual_thread')}?team={person.team_id}",
                        "moment": "anniversary",
                        "about": person.pk,
                    },
                    due_at=now,
                    expires_at=now + dt.timedelta(days=(day - today).days + 1),
                )
            )
    before = ThreadPost.objects.filter(moment_key__in=[p.moment_key for p in posts]).count()
    ThreadPost.objects.bulk_create(posts, ignore_conflicts=True)
    after = ThreadPost.objects.filter(moment_key__in=[p.moment_key for p in posts]).count()
    return after - before, plan_nudges(specs)


# ---------------------------------------------------------------- check-ins


def _week_of(manager: User, now: dt.datetime) -> dt.date:
    """Monday of the manager's own week."""
    today = manager.local_now(now).date()
    return today - dt.timedelta(days=today.weekday())


def suggest_checkins(now: dt.datetime) -> int:
    """This week's suggestion for each manager who asked for one and has none yet."""
    managers = list(User.objects.active().filter(checkin_suggestions=True))
    weeks = {m.pk: _week_of(m, now) for m in managers}
    done = set(
        CheckinSuggestion.objects.filter(
            manager__in=managers, week__in=set(weeks.values())
        ).values_list("manager_id", "week")
    )
    rows, specs = [], []
    for manager in managers:
        week = weeks[manager.pk]
        if (manager.pk, week) in done:
            continue
        person = checkin_candidate(manager, now)
        if person is None:
            continue
        rows.append(CheckinSuggestion(manager=manager, person=person, week=week, created_at=now))
        with speaking(manager):
            title = _("A check-in with %(name)s?") % {"name": person.display_name}
            body = _(
                "You and %(name)s have not had a one-to-one moment in Hearth for a few weeks. "
                "Ten minutes without an agenda (how are you, what is on your mind) goes a long "
                "way. Only you see this."
            ) % {"name": person.get_short_name()}
        specs.append(
            NudgeSpec(
                recipient=manager,
                kind="checkin_suggestion",
                dedupe_key=f"checkin:{manager.pk}:{week.isoformat()}",
                payload={
                    "title": title,
                    "body": body,
                    "url": reverse("people") + "?" + urlencode({"q": person.email}),
                },
                due_at=now,
                expires_at=now + dt.timedelta(days=5),
            )
        )
    with transaction.atomic():
        # One a week per manager: a run racing this one writes the same week's row and key.
        CheckinSuggestion.objects.bulk_create(rows, ignore_conflicts=True)
        return plan_nudges(specs)


def _managed_people(manager: User):
    teams = Team.objects.filter(managers=manager).values("pk")
    return (
        User.objects.active()
        .filter(Q(manager=manager) | Q(team__in=teams))
        .exclude(pk=manager.pk)
        .distinct()
    )


def checkin_candidate(manager: User, now: dt.datetime) -> User | None:
    """Whom `manager` has gone longest without a one-to-one moment with, past
    CHECKIN_AFTER; not someone suggested within SUGGEST_AGAIN, nor someone away."""
    people = {p.pk: p for p in _managed_people(manager)}
    if not people:
        return None
    recent = Signal.objects.filter(occurred_at__gte=now - CHECKIN_LOOKBACK)
    last: dict[int, dt.datetime] = {}
    for other, when in (
        recent.filter(actor=manager, other_id__in=people)
        .values_list("other_id")
        .annotate(last=Max("occurred_at"))
    ):
        last[other] = when
    for actor, when in (
        recent.filter(other=manager, actor_id__in=people)
        .values_list("actor_id")
        .annotate(last=Max("occurred_at"))
    ):
        last[actor] = max(when, last.get(actor, when))
    suggested = set(
        CheckinSuggestion.objects.filter(
            manager=manager, created_at__gte=now - SUGGEST_AGAIN
        ).values_list("person_id", flat=True)
    )
    away = set(
        AwayPeriod.objects.filter(
            person_id__in=people, starts_on__lte=now.date(), ends_on__gte=now.date()
        ).values_list("person_id", flat=True)
    )
    oldest = now - CHECKIN_AFTER
    waiting = [
        p
        for pk, p in people.items()
        if pk not in suggested and pk not in away and last.get(pk, NEVER) < oldest
    ]
    if not waiting:
        return None
    return min(waiting, key=lambda p: (last.get(p.pk, NEVER), p.display_name, p.pk))


# ---------------------------------------------------------------- thanks


def prompt_thanks(now: dt.datetime) -> int:
    """Reminders to thank an office-hours host after a booking ended, or a mentor
    after a session they confirmed, for people who asked for them."""
    specs = []
    bookings = Booking.objects.filter(
        status=Booking.Status.BOOKED,
        starts_at__gte=now - THANKS_WITHIN,
        starts_at__lte=now,
        booker__thanks_prompts=True,
        booker__is_active=True,
    ).select_related("booker", "office_hours__host")
    for booking in bookings:
        host = booking.office_hours.host
        ends = booking.starts_at + dt.timedelta(minutes=booking.office_hours.block_minutes)
        if ends > now or host.pk == booking.booker_id:
            continue
        with speaking(booking.booker):
            what = _("You talked with %(name)s about “%(topic)s”.") % {
                "name": host.get_short_name(),
                "topic": booking.topic,
            }
        specs.append(
            _thanks_spec(
                booking.booker, host, f"thanks:booking:{booking.pk}", what, booking.starts_at, now
            )
        )
    sessions = (
        MentoringSession.objects.confirmed()
        .filter(
            held_on__gte=(now - THANKS_WITHIN).date(),
            held_on__lte=now.date(),
            mentee__thanks_prompts=True,
            mentee__is_active=True,
        )
        .select_related("mentee", "mentor")
    )
    for session in sessions:
        with speaking(session.mentee):
            values = {
                "name": session.mentor.get_short_name(),
                "weekday": formats.date_format(session.held_on, "l"),
            }
            if session.kind == MentoringSession.Kind.MENTORING:
                what = _("You had a session with %(name)s on %(weekday)s.") % values
            else:
                what = _("You had a shadowing with %(name)s on %(weekday)s.") % values
        specs.append(
            _thanks_spec(
                session.mentee,
                session.mentor,
                f"thanks:session:{session.pk}",
                what,
                dt.datetime.combine(session.held_on, dt.time.min, tzinfo=dt.UTC),
                now,
            )
        )
    thanked = _already_thanked(specs)
    return plan_nudges([spec for index, spec in enumerate(specs) if index not in thanked])


def _thanks_spec(
    person: User, helper: User, key: str, what: str, since: dt.datetime, now: dt.datetime
) -> NudgeSpec:
    with speaking(person):
        title = _("Say thank you to %(name)s?") % {"name": helper.display_name}
        body = _("%(what)s A short thank-you, here or in person, tells them it helped.") % {
            "what": what
        }
    return NudgeSpec(
        recipient=person,
        kind="thanks_prompt",
        dedupe_key=key,
        payload={
            "title": title,
            "body": body,
            "url": reverse("recognition") + f"?to={helper.pk}",
            "about": helper.pk,
            "since": since.isoformat(),
        },
        due_at=now,
        expires_at=now + dt.timedelta(days=3),
    )


def _already_thanked(specs: list[NudgeSpec]) -> set[int]:
    """The places in `specs` of reminders whose person has recognised the helper
    since the help."""
    if not specs:
        return set()
    given: dict[tuple[int, int], list[dt.datetime]] = {}
    for giver, receiver, at in Recognition.objects.filter(
        giver_id__in={spec.recipient.pk for spec in specs},
        receivers__in={spec.payload["about"] for spec in specs},
        created_at__gte=min(dt.datetime.fromisoformat(spec.payload["since"]) for spec in specs),
    ).values_list("giver_id", "receivers", "created_at"):
        given.setdefault((giver, receiver), []).append(at)
    return {
        index
        for index, spec in enumerate(specs)
        if any(
            at >= dt.datetime.fromisoformat(spec.payload["since"])
            for at in given.get((spec.recipient.pk, spec.payload["about"]), [])
        )
    }


# ---------------------------------------------------------------- when a message comes due

KIND_SWITCH = {"checkin_suggestion": "moments_checkins", "thanks_prompt": "moments_thanks"}
MOMENT_SWITCH = {"anniversary": "moments_anniversaries", "win": "moments_wins"}


def no_longer_wanted(nudges: list[Nudge]) -> dict[int, str]:
    """{nudge id: reason} for moments turned off since they were planned: by HR for
    the organisation, by the recipient, or (an anniversary) by the person it is about."""
    org = OrgSettings.load()
    about = {n.payload.get("about") for n in nudges if n.payload.get("moment") == "anniversary"}
    people = User.objects.filter(pk__in={n.recipient_id for n in nudges} | about)
    flags = {
        pk: (share, suggestions, thanks)
        for pk, share, suggestions, thanks in people.values_list(
            "pk", "share_anniversary", "checkin_suggestions", "thanks_prompts"
        )
    }
    found = {}  # reasons are stored for HR's outbox: kept in English
    for nudge in nudges:
        moment = nudge.payload.get("moment")
        switch = KIND_SWITCH.get(nudge.kind) or MOMENT_SWITCH.get(moment)
        _share, suggestions, thanks = flags.get(nudge.recipient_id, (False, False, False))
        if switch and not getattr(org, switch):
            found[nudge.pk] = "turned off for the organisation"
        elif (nudge.kind == "checkin_suggestion" and not suggestions) or (
            nudge.kind == "thanks_prompt" and not thanks
        ):
            found[nudge.pk] = "turned off by the person"
        elif moment == "anniversary" and not flags.get(nudge.payload.get("about"), (False,))[0]:
            found[nudge.pk] = "no longer shared by the person"
    return found
