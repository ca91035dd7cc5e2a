"""Programmes and their rounds: joining and pausing, matching a round, newcomer buddies,
check-ins and a round's counts."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from connection.calendar import NEWCOMER_DAYS
from connection.i18n import speaking
from connection.models import AwayPeriod, Signal, User, shared_working_window
from connection.nudges import NudgeSpec, create_nudge, plan_nudges
from connection.services import record_signals
from mentorship.matching.left_out import left_out, owner_summary, to_person
from mentorship.matching.participants import Group, Participant
from mentorship.matching.reasons import said
from mentorship.matching.rounds import choose_buddy, match
from mentorship.models import (
    Avoid,
    CheckIn,
    MatchGroup,
    MatchRound,
    Membership,
    Programme,
)
from mentorship.services.errors import MentorshipError

STARTERS = [
    gettext_noop("What's something you learned recently that surprised you?"),
    gettext_noop("What does a good week look like for you?"),
    gettext_noop("What's one thing about how we work that took you a while to figure out?"),
    gettext_noop("What are you curious about outside work these days?"),
]


def join_programme(*, programme: Programme, person: User) -> Membership:
    if not programme.active or not programme.eligible(person):
        raise MentorshipError(_("This programme isn't open to you."))
    membership, _created = Membership.objects.update_or_create(
        programme=programme,
        person=person,
        defaults={"status": Membership.Status.ACTIVE, "paused_until": None},
    )
    return membership


def set_membership(*, membership: Membership, status: str, until: dt.date | None = None) -> None:
    """Pause (optionally until a date), resume or leave; effective from the next round."""
    if status not in Membership.Status.values:
        raise MentorshipError(_("Unknown status."))
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
        name=person.get_short_name(),
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
    participants = [
        participant(m.person, odd_count=m.odd_count, avoid=avoid.get(m.person_id, ()))
        for m in members
    ]
    groups = match(
        participants,
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
            reasons = left_out(participants, [g.members for g in groups])
            if reasons:
                _tell_left_out(match_round, reasons, people)
    except IntegrityError:
        return None  # another tick made today's round
    return match_round


def _write_group(
    match_round: MatchRound, group: Group, people: dict[int, User], today: dt.date
) -> MatchGroup:
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
        with speaking(person):
            when = ""
            if window:
                start = window[0].astimezone(person.zone)
                end = window[1].astimezone(person.zone)
                when = " " + _("You all work %(start)s–%(end)s your time.") % {
                    "start": f"{start:%H:%M}",
                    "end": f"{end:%H:%M}",
                }
            said_starter = _(starter)
            introduction = {
                "title": _("%(programme)s: meet %(others)s")
                % {"programme": programme.name, "others": others},
                "body": _("Why you: %(reasons)s.") % {"reasons": _why(group.reasons)}
                + when
                + " "
                + _("A starter: %(starter)s") % {"starter": said_starter},
                "url": "/mentorship/",
                # For a chat app: introduce the group in one group DM (chat/), in the
                # organisation's language: the starter goes as its English, to look up.
                "chat": {"intro": row.pk, "starter": starter},
            }
            question = {
                "title": _("Did you meet %(others)s?") % {"others": others},
                "body": _("One tap: met, not yet, or rescheduled."),
                "url": "/mentorship/",
                "chat": {"checkin": row.pk, "week": 1},
            }
        create_nudge(
            recipient=person,
            kind="pairing",
            dedupe_key=f"match:{row.pk}:{person.pk}",
            payload=introduction,
            when="morning",
        )
        create_nudge(
            recipient=person,
            kind="pairing",
            dedupe_key=f"checkin:{row.pk}:{person.pk}:1",
            payload=question,
            due_at=timezone.now() + dt.timedelta(days=6),
            when="morning",
        )
    return row


def _tell_left_out(
    match_round: MatchRound, reasons: dict[int, str], people: dict[int, User]
) -> None:
    """Tell each person the hard rules kept out of the round why, and the programme's
    owners how many and why (counts, no names: a don't-pair list stays private)."""
    programme = match_round.programme
    for pk, code in reasons.items():
        with speaking(people[pk]):
            payload = {
                "title": _("%(programme)s: no match for you this round")
                % {"programme": programme.name},
                "body": to_person(code, programme.name) + " " + _("We'll try again next round."),
                "url": "/mentorship/",
            }
        create_nudge(
            recipient=people[pk],
            kind="pairing",
            dedupe_key=f"left_out:{match_round.pk}:{pk}",
            payload=payload,
            when="morning",
        )
    count = len(reasons)
    for owner in programme_owners(programme):
        with speaking(owner):
            values = {
                "programme": programme.name,
                "round": match_round.number,
                "count": count,
                "members": len(people),
                "summary": owner_summary(reasons),
            }
            payload = {
                "title": ngettext(
                    "%(programme)s, round %(round)s: %(count)s person left out",
                    "%(programme)s, round %(round)s: %(count)s people left out",
                    count,
                )
                % values,
                "body": _(
                    "The matching rules left %(count)s of %(members)s members without "
                    "a group: %(summary)s Each has been told why."
                )
                % values,
                "url": "/mentorship/",
            }
        create_nudge(
            recipient=owner,
            kind="pairing",
            dedupe_key=f"left_out_owner:{match_round.pk}:{owner.pk}",
            payload=payload,
            when="morning",
        )


def programme_owners(programme: Programme) -> list[User]:
    """Who hears about a programme's rounds: whoever created it, else the managers of its
    team, else (an org-wide programme) the HR admins."""
    creator = programme.created_by
    if creator is not None and creator.is_active:
        return [creator]
    if programme.team_id is not None:
        managers = list(programme.team.managers.filter(is_active=True))
        if managers:
            return managers
    return list(User.objects.filter(is_hr_admin=True, is_active=True))


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


def _pair_buddy(
    programme: Programme, newcomer: User, group: Group, pool: dict[int, User], today: dt.date
) -> bool:
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
                with speaking(person):
                    specs += _buddy_nudges(programme, row, group, person, other, newcomer, window)
            plan_nudges(specs)
    except IntegrityError:
        return False
    return True


def _why(reasons) -> str:
    """The first two of a group's reasons, in the language being spoken."""
    return "; ".join(said(reason) for reason in reasons[:2])


def _buddy_nudges(
    programme: Programme,
    row: MatchGroup,
    group: Group,
    person: User,
    other: User,
    newcomer: User,
    window,
) -> list[NudgeSpec]:
    """The introduction and the weekly check-ins of one of a buddy pair, in the language
    being spoken (the caller speaks `person`'s)."""
    when = ""
    if window:
        start = window[0].astimezone(person.zone)
        when = " " + _("A first check-in fits at %(time)s your time.") % {"time": f"{start:%H:%M}"}
    if person == newcomer:
        title = _("Your buddy: %(name)s") % {"name": other.display_name}
    else:
        title = _("You're %(name)s's buddy") % {"name": newcomer.get_short_name()}
    specs = [
        NudgeSpec(
            recipient=person,
            kind="buddy_checkin",
            dedupe_key=f"buddy:{row.pk}:{person.pk}",
            payload={
                "title": title,
                "body": _("Why: %(reasons)s.") % {"reasons": _why(group.reasons)} + when,
                "url": "/mentorship/",
                "chat": {"intro": row.pk},
            },
            when="morning",
        )
    ]
    for week in range(1, programme.weeks + 1):
        specs.append(
            NudgeSpec(
                recipient=person,
                kind="buddy_checkin",
                dedupe_key=f"buddy:{row.pk}:{person.pk}:week{week}",
                payload={
                    "title": _("Buddy check-in, week %(week)s") % {"week": week},
                    "url": "/mentorship/",
                    "chat": {"checkin": row.pk, "week": week},
                },
                due_at=timezone.now() + dt.timedelta(weeks=week),
                when="morning",
            )
        )
    return specs


def check_in(*, group: MatchGroup, person: User, answer: str, week: int = 1) -> CheckIn:
    if answer not in CheckIn.Answer.values:
        raise MentorshipError(_("Choose met, not yet or rescheduled."))
    if not group.members.filter(pk=person.pk).exists():
        raise MentorshipError(_("That isn't one of your groups."))
    with transaction.atomic():
        checkin, _created = CheckIn.objects.update_or_create(
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
    return rounds_stats([match_round])[match_round.pk]


def rounds_stats(rounds) -> dict[int, dict[str, int]]:
    """`round_stats` of each round by its id, counted in the database: two queries
    however many rounds and groups."""
    ids = [match_round.pk for match_round in rounds]
    stats = {pk: {"groups": 0, "people": 0, "met": 0, "not_met": 0} for pk in ids}
    met = CheckIn.objects.filter(group=OuterRef("pk"), answer=CheckIn.Answer.MET)
    for row in (
        MatchGroup.objects.filter(round__in=ids)
        .annotate(was_met=Exists(met))
        .values("round")
        .annotate(groups=Count("pk"), met=Count("pk", filter=Q(was_met=True)))
        .order_by()
    ):
        stats[row["round"]] |= {
            "groups": row["groups"],
            "met": row["met"],
            "not_met": row["groups"] - row["met"],
        }
    through = MatchGroup.members.through
    for round_id, people in (
        through.objects.filter(matchgroup__round__in=ids)
        .values_list("matchgroup__round")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        stats[round_id]["people"] = people
    return stats


PROGRAMMES_PAGE = 50


def programme_page(user: User, number: int) -> tuple[list[tuple], Page]:
    """A page of the programmes the person runs, each with its active members, latest
    round and the round's counts: five queries however many programmes and groups."""
    active = Membership.objects.filter(programme=OuterRef("pk"), status="active")
    latest = MatchRound.objects.filter(programme=OuterRef("pk")).order_by("-number")
    run = (
        Programme.objects.run_by(user)
        .select_related("team")
        .annotate(
            active_members=Coalesce(
                Subquery(active.order_by().values("programme").annotate(n=Count("pk")).values("n")),
                0,
            ),
            latest_round=Subquery(latest.values("pk")[:1]),
        )
        .order_by("name", "pk")
    )
    page = Paginator(run, PROGRAMMES_PAGE).get_page(number)
    run = list(page)
    rounds = MatchRound.objects.in_bulk([p.latest_round for p in run if p.latest_round])
    stats = rounds_stats(rounds.values())
    rows = [
        (
            programme,
            programme.active_members,
            rounds.get(programme.latest_round),
            stats.get(programme.latest_round),
        )
        for programme in run
    ]
    return rows, page
