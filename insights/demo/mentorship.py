"""The mentorship app's part of the demo, added by `seed_demo` in order (see
insights/demo/__init__.py), each step through the app's services at the time it
happened (clock.py).

- Coffee chats every two weeks across teams since the history began, with the
  check-ins people gave after each round (the programmes page's "met").
- The newcomer buddy programme: each new hire got a buddy on their start date (Nia
  two days ago) and the pair checked in each week since.
- Alice's office hours, and her mentoring session and case note with Bob.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from connection.calendar import monday
from connection.models import User
from insights.demo.clock import at
from insights.demo.ledger import isolated_people, silent_newcomers, story_weeks, takes_part
from insights.demo.story import DOMAIN, HISTORY_WEEKS, PERSONAS
from mentorship.models import CheckIn, MatchGroup, Programme
from mentorship.services.mentoring_log import log_session, publish_note
from mentorship.services.office_hours import host_office_hours
from mentorship.services.programmes import assign_buddies, check_in, join_programme, run_round

MET = 0.75  # the share of coffee-chat groups and buddy weeks that met


def seed(*, today: dt.date) -> str:
    """Programmes with their rounds and check-ins, office hours and a case note."""
    if Programme.objects.exists():
        return ""
    rng = random.Random(13)
    began = monday(today) - dt.timedelta(weeks=HISTORY_WEEKS)
    with at(dt.datetime.combine(began, dt.time(8), tzinfo=dt.UTC)):
        buddies, coffee = _programmes(today)
    rounds = _coffee_rounds(coffee, today, rng)
    newcomers = _buddies(today, rng)
    _office_hours_and_notes(today)
    return (
        f"{rounds} coffee-chat rounds with their check-ins, buddies for {newcomers} "
        "new hires, office hours and a case note"
    )


def _programmes(today: dt.date) -> tuple[Programme, Programme]:
    isolated = isolated_people(today)
    people = [p for p in User.objects.active().order_by("pk") if p.pk not in isolated]
    buddies = Programme.objects.create(
        kind="buddy",
        name="Newcomer buddies",
        weeks=12,
        description="Every new hire gets a buddy from another team for their first 12 weeks.",
    )
    coffee = Programme.objects.create(
        kind="coffee",
        name="Coffee chats",
        cadence_weeks=2,
        description="Every two weeks, 30 minutes with someone from another team.",
    )
    veterans = [p for p in people if (p.tenure_days(today) or 0) > 365]
    for person in veterans[::3]:
        join_programme(programme=buddies, person=person)
    began = timezone.now().date()
    # About a third of the people who were here when it began opted in.
    for person in [p for p in people if p.start_date is None or p.start_date <= began][::3]:
        join_programme(programme=coffee, person=person)
    User.objects.filter(pk__in=[p.pk for p in veterans[:12]]).update(is_senior=True)
    return buddies, coffee


def _coffee_rounds(coffee: Programme, today: dt.date, rng) -> int:
    """A round every other Monday, the last one a week or so ago (the next is due
    after it); each group said on the Thursday after whether it met."""
    rounds = 0
    weeks = story_weeks(timezone.now())
    for weeks_ago in range(HISTORY_WEEKS - 1, 0, -2):
        day = monday(today) - dt.timedelta(weeks=weeks_ago)
        with at(dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)):
            match_round = run_round(programme=coffee, today=day)
        if match_round is None:
            continue
        rounds += 1
        thursday = dt.datetime.combine(day + dt.timedelta(days=3), dt.time(16), tzinfo=dt.UTC)
        with at(thursday):
            for group in match_round.groups.prefetch_related("members"):
                can_meet = all(takes_part(weeks, p, thursday) for p in group.members.all())
                _say_whether_met(group, week=1, rng=rng, can_meet=can_meet)
    return rounds


def _say_whether_met(group: MatchGroup, *, week: int, rng, can_meet: bool) -> None:
    """Everyone says "met", or one of them says "not yet" or "rescheduled"."""
    members = list(group.members.all())
    if can_meet and rng.random() < MET:
        for person in members:
            check_in(group=group, person=person, answer=CheckIn.Answer.MET, week=week)
    else:
        answer = rng.choice([CheckIn.Answer.NOT_YET, CheckIn.Answer.RESCHEDULED])
        check_in(group=group, person=members[0], answer=answer, week=week)


def _buddies(today: dt.date, rng) -> int:
    """Each new hire's buddy, assigned the morning they started, and the weekly
    check-ins of the weeks gone by since."""
    starts = sorted(
        {
            p.start_date
            for p in User.objects.active().filter(
                start_date__gte=monday(today) - dt.timedelta(weeks=HISTORY_WEEKS),
                start_date__lte=today,
            )
        }
    )
    for day in starts:
        with at(dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)):
            assign_buddies(today=day)
    silent = silent_newcomers(today)
    weeks = story_weeks(timezone.now())
    groups = MatchGroup.objects.filter(round__programme__kind="buddy").select_related("round")
    for group in groups.prefetch_related("members"):
        started = group.round.run_on
        for week in range(1, (today - started).days // 7 + 1):
            day = started + dt.timedelta(weeks=week)
            moment = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
            if moment > timezone.now():
                break
            members = list(group.members.all())
            can_meet = all(p.pk not in silent and takes_part(weeks, p, moment) for p in members)
            with at(moment):
                _say_whether_met(group, week=week, rng=rng, can_meet=can_meet)
    return groups.count()


# What a senior in each team offers to talk about: their own team's craft.
HOST_TOPICS = {
    "Platform": "Deploys, CI and the release pipeline",
    "Payments": "Payments, refunds and the ledger",
    "Mobile": "Mobile releases and the app stores",
    "Data": "Data pipelines and dashboards",
    "Customer Success": "Talking to customers",
    "Design": "Design critique and the component library",
}


def _more_hosts(today: dt.date) -> None:
    """Someone with a year or more here in each of several teams (not the journeys'
    people) hosts office hours, on different days, each in their own time zone; they
    count as seniors."""
    personas = [f"{local}@{DOMAIN}" for local in PERSONAS]
    teams_seen: set[int] = set()
    hosts = []
    people = User.objects.active().filter(team__name__in=HOST_TOPICS).exclude(email__in=personas)
    for person in people.select_related("team").order_by("pk"):
        if person.team_id in teams_seen:
            continue
        if (person.tenure_days(today) or 0) > 365:
            teams_seen.add(person.team_id)
            hosts.append(person)
    User.objects.filter(pk__in=[host.pk for host in hosts]).update(is_senior=True)
    opened = dt.datetime.combine(today - dt.timedelta(weeks=2), dt.time(14), tzinfo=dt.UTC)
    with at(opened):
        for number, host in enumerate(hosts):
            host_office_hours(
                host=host,
                weekday=1 + number % 5,
                start_time=dt.time(14 if number % 2 else 10),
                minutes=60,
                block_minutes=20,
                about=HOST_TOPICS[host.team.name],
            )


def _office_hours_and_notes(today: dt.date) -> None:
    host = User.objects.filter(email=f"alice@{DOMAIN}").first()
    mentee = User.objects.filter(email=f"bob@{DOMAIN}").first()
    if host is None:
        return
    with at(dt.datetime.combine(today - dt.timedelta(weeks=3), dt.time(14), tzinfo=dt.UTC)):
        host_office_hours(
            host=host,
            weekday=3,
            start_time=dt.time(11),
            minutes=60,
            block_minutes=20,
            about="Deploys, on-call, career questions",
        )
    _more_hosts(today)
    if mentee is None:
        return
    held_on = today - dt.timedelta(days=3)
    with at(dt.datetime.combine(held_on, dt.time(19), tzinfo=dt.UTC)):
        session = log_session(
            mentor=host,
            mentee=mentee,
            kind="mentoring",
            held_on=held_on,
            minutes=45,
            note="First on-call shadow debrief",
            logged_by=host,
        )
        publish_note(
            author=host,
            topic="Onboarding to on-call",
            session=session,
            tried="Bob shadowed two incidents before taking the pager.",
            failed="Reading the runbook alone didn't stick.",
            learned="Shadow first, then swap roles with the mentor watching.",
            visibility="org",
        )
