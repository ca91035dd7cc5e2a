"""The mentorship app's part of the demo, added by `seed_demo` in order (see
insights/demo/__init__.py)."""

import datetime as dt

from connection.models import User
from mentorship.models import Programme
from mentorship.services.mentoring_log import log_session, publish_note
from mentorship.services.office_hours import host_office_hours
from mentorship.services.programmes import assign_buddies, join_programme, run_round


def seed(*, today) -> str:
    """Nia's buddy, a coffee-chat round, office hours and a case note for the demo."""
    if Programme.objects.exists():
        return ""
    people = User.objects.active()
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
    for person in list(people)[::2]:
        join_programme(programme=coffee, person=person)
    assign_buddies(today=today)
    run_round(programme=coffee, today=today)
    seniors = User.objects.filter(pk__in=[p.pk for p in veterans[:12]])
    seniors.update(is_senior=True)
    host = User.objects.filter(email="alice@hearth.example").first()
    mentee = User.objects.filter(email="bob@hearth.example").first()
    if host:
        host_office_hours(
            host=host,
            weekday=3,
            start_time=dt.time(11),
            minutes=60,
            block_minutes=20,
            about="Deploys, on-call, career questions",
        )
    if host and mentee:
        session = log_session(
            mentor=host,
            mentee=mentee,
            kind="mentoring",
            held_on=today - dt.timedelta(days=3),
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
    return "a buddy for Nia, a coffee-chat round, office hours and a case note"
