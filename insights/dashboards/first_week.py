"""A newcomer's first weeks on their home page: their buddy, when the two of them
can meet, and a short list that ticks itself off as they do each thing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Exists, Prefetch
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from connection.models import Signal, User, next_shared_slot
from mentorship.models import Booking, CheckIn, MatchGroup
from rituals.models import Attendance, TeamRitual, ThreadPost
from rituals.models.rituals import Format

FIRST_WEEKS_DAYS = 28  # how long the card stays, unless every step is done sooner


@dataclass
class Step:
    label: str
    done: bool
    url: str


@dataclass
class FirstWeeks:
    buddy: User | None
    buddy_now: str  # the buddy's local time now, "14:05"
    meet: tuple[dt.datetime, dt.datetime] | None  # a slot both work, UTC
    email_link: str
    steps: list[Step]

    @property
    def all_done(self) -> bool:
        return all(step.done for step in self.steps)


def first_weeks(person: User, now: dt.datetime) -> FirstWeeks | None:
    """The card for someone in their first four weeks, or None."""
    today = person.local_now(now).date()
    if person.start_date is None or not 0 <= (today - person.start_date).days < FIRST_WEEKS_DAYS:
        return None
    group = (
        MatchGroup.objects.filter(newcomer=person)
        .prefetch_related(Prefetch("members", queryset=User.objects.select_related("team")))
        .order_by("-pk")
    ).first()
    buddy = next((m for m in group.members.all() if m.pk != person.pk), None) if group else None
    meet = next_shared_slot([person, buddy], now) if buddy else None
    found = FirstWeeks(
        buddy=buddy,
        buddy_now=f"{buddy.local_now(now):%H:%M}" if buddy else "",
        meet=meet,
        email_link=_email(person, buddy, meet) if buddy else "",
        steps=_steps(person, group),
    )
    return None if found.all_done else found


def _email(person: User, buddy: User, meet) -> str:
    when = ""
    if meet:
        theirs = meet[0].astimezone(buddy.zone)
        # Translators: a date format, as in Django's date filter ("l, j. F").
        date = dateformat.format(theirs, pgettext("date format", "l j F"))
        when = " " + _("Would %(date)s at %(time)s your time work for a first half hour?") % {
            "date": date,
            "time": f"{theirs:%H:%M}",
        }
    body = _("Hi %(buddy)s, I'm %(me)s, new here.") % {
        "buddy": buddy.get_short_name(),
        "me": person.get_short_name(),
    }
    query = urlencode({"subject": _("Our first buddy check-in"), "body": body + when})
    return f"mailto:{buddy.email}?{query.replace('+', '%20')}"


def _steps(person: User, group: MatchGroup | None) -> list[Step]:
    """Which of the four steps the person has done: one query, each step a subquery."""
    active = TeamRitual.objects.active()
    done = (
        User.objects.filter(pk=person.pk)
        .annotate(
            met=Exists(
                CheckIn.objects.filter(group=group, answer=CheckIn.Answer.MET)
                if group is not None
                else CheckIn.objects.none()
            ),
            booked=Exists(Booking.objects.filter(booker=person, status=Booking.Status.BOOKED)),
            attended=Exists(Attendance.objects.filter(person=person, attended=True)),
            joined=Exists(active.filter(participants=person)),
            # Posting in the team's thread is taking part in its asynchronous ritual.
            posted=Exists(ThreadPost.objects.filter(author=person, team_id=person.team_id)),
            async_ritual=Exists(active.filter(team_id=person.team_id, format=Format.ASYNC)),
            asked=Exists(Signal.objects.filter(actor=person, kind=Signal.Kind.ASKED)),
        )
        .values("met", "booked", "attended", "joined", "posted", "async_ritual", "asked")
        .get()
    )
    met, booked, asked = done["met"], done["booked"], done["asked"]
    joined = done["attended"] or done["joined"] or (done["posted"] and done["async_ritual"])
    return [
        Step(_("Meet your buddy"), met, reverse("mentorship")),
        Step(_("Book office hours"), booked, reverse("office_hours")),
        Step(_("Join a ritual"), joined, reverse("rituals")),
        Step(_("Ask a first question in the thread"), asked, reverse("ritual_thread")),
    ]
