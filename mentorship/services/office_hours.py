"""Office hours: hosting a weekly slot, booking one of its blocks, cancelling a booking."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from connection.i18n import speaking
from connection.models import Signal, Team, User
from connection.nudges import create_nudge
from connection.services import record_signals
from mentorship.models import Booking, OfficeHours
from mentorship.services.errors import MentorshipError


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
        raise MentorshipError(_("Choose a weekday."))
    if not 10 <= block_minutes <= minutes <= 240:
        raise MentorshipError(_("Blocks of at least 10 minutes, in a slot of up to 4 hours."))
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
        raise MentorshipError(_("That overlaps office hours you already host."))
    slot.full_clean()
    slot.save()
    return slot


def book(*, office_hours: OfficeHours, starts_at: dt.datetime, booker: User, topic: str) -> Booking:
    """Book one block; the database refuses a second booking of the same block."""
    now = timezone.now()
    if office_hours.host_id == booker.pk:
        raise MentorshipError(_("You can't book your own office hours."))
    if not office_hours.active:
        raise MentorshipError(_("These office hours have closed."))
    if starts_at <= now:
        raise MentorshipError(_("That block has already started."))
    if starts_at not in office_hours.blocks_between(starts_at, starts_at + dt.timedelta(minutes=1)):
        raise MentorshipError(_("That isn't one of the bookable blocks."))
    topic = topic.strip()
    if not 1 <= len(topic) <= 120:
        raise MentorshipError(_("Say in a few words what you'd like to talk about."))
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
                with speaking(person):
                    name = other.get_short_name()
                    confirmation = {
                        "title": _("Office hours with %(name)s") % {"name": name},
                        "body": _("%(when)s your time: %(topic)s")
                        % {
                            "when": date_format(starts_at.astimezone(person.zone), "D d M H:i"),
                            "topic": topic,
                        },
                        "url": "/mentorship/office-hours/",
                    }
                    reminder = {
                        "title": _("In 30 minutes: office hours with %(name)s") % {"name": name},
                        "url": "/mentorship/office-hours/",
                    }
                create_nudge(
                    recipient=person,
                    kind="booking",
                    dedupe_key=f"booking:{booking.pk}:{person.pk}",
                    payload=confirmation,
                )
                create_nudge(
                    recipient=person,
                    kind="booking",
                    dedupe_key=f"booking:{booking.pk}:{person.pk}:soon",
                    payload=reminder,
                    due_at=max(now, starts_at - dt.timedelta(minutes=30)),
                    expires_at=starts_at,
                )
    except IntegrityError:
        raise MentorshipError(_("Someone just booked that block. Pick another one.")) from None
    return booking


def cancel_booking(*, booking: Booking, by: User) -> None:
    if by.pk not in (booking.booker_id, booking.office_hours.host_id):
        raise MentorshipError(_("Only the two of you can cancel it."))
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)


SLOTS_SHOWN = 20  # hosts a page of office hours shows


def next_blocks(slot: OfficeHours, taken: set) -> list[dt.datetime]:
    now = timezone.now()
    return [b for b in slot.blocks_between(now, now + dt.timedelta(days=8)) if b not in taken][:6]


def offered_hours(user: User):
    """Everyone else's office hours, nearest first: the person's own team's, then their
    department's (the top team above theirs), then the rest, each by host."""
    offered = OfficeHours.objects.filter(active=True).exclude(host=user)
    near = [When(host__team_id=user.team_id, then=0)] if user.team_id else []
    if user.team_id:
        department = Team.ids_on_path(user.team.path)[:1]
        near.append(When(host__team__path__startswith=f"/{department[0]}/", then=1))
    return (
        offered.select_related("host__team")
        .annotate(nearness=Case(*near, default=2) if near else Value(2))
        .order_by("nearness", "host__display_name", "pk")
    )


def open_slots(
    user: User, now: dt.datetime, hours=None
) -> list[tuple[OfficeHours, list[dt.datetime]]]:
    """`hours` (by default the first SLOTS_SHOWN of `offered_hours`), each with its next
    blocks nobody has booked: never every host of the org at once."""
    hours = list(offered_hours(user)[:SLOTS_SHOWN] if hours is None else hours)
    taken = set(
        Booking.objects.filter(
            office_hours__in=hours, status="booked", starts_at__gte=now
        ).values_list("office_hours_id", "starts_at")
    )
    return [
        (slot, [b for b in next_blocks(slot, set()) if (slot.pk, b) not in taken]) for slot in hours
    ]


def hosting_coverage() -> dict:
    """For HR: how many people host office hours, and in how many of the teams."""
    hosting = OfficeHours.objects.filter(active=True, host__is_active=True)
    return {
        "hosts": hosting.values("host").distinct().count(),
        "teams": hosting.values("host__team").distinct().count(),
        "of": Team.objects.count(),
    }
