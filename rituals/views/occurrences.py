"""Sessions from a participant's side: saying how one went, and the calendar feed."""

import datetime as dt

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connection.i18n import speaking
from connection.models import User
from connection.redirects import safe_next
from connection.responses import bad_request
from rituals.forms import SayForm
from rituals.models import CalendarFeed, Occurrence, TeamRitual
from rituals.services.errors import RitualError
from rituals.services.occurrences import calendar_token, record_attendance


@login_required
@require_POST
def occurrence_say(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = get_object_or_404(
        Occurrence.objects.filter(ritual__in=TeamRitual.objects.visible_to(request.user)), pk=pk
    )
    form = SayForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("rituals"))
    try:
        record_attendance(occurrence=occurrence, person=request.user, **form.cleaned_data)
    except RitualError as error:
        messages.error(request, str(error))
        return redirect("rituals")
    messages.success(request, _("Thanks. That helps your team decide what to keep."))
    return redirect(safe_next(request, "rituals"))


@login_required
@require_POST
def feed_renew(request: HttpRequest) -> HttpResponse:
    calendar_token(person=request.user, renew=True)
    messages.success(request, _("Your calendar link is ready. Any older link has stopped working."))
    return redirect("rituals")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.filter(token=token).select_related("person").first()
    if feed is None or not feed.person.is_active:
        raise Http404(_("No such calendar."))
    with speaking(feed.person):
        calendar = _calendar(request, person=feed.person)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _calendar(request: HttpRequest, *, person: User) -> icalendar.Calendar:
    """The person's sessions from two weeks back to eight weeks ahead."""
    now = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Hearth//rituals//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Hearth rituals"))
    occurrences = (
        Occurrence.objects.filter(
            ritual__in=TeamRitual.objects.for_person(person),
            starts_at__gte=now - dt.timedelta(days=14),
            starts_at__lt=now + dt.timedelta(weeks=8),
        )
        .select_related("ritual__team")
        .order_by("starts_at")
    )
    for occurrence in occurrences:
        calendar.add_component(_event(request, occurrence, now=now))
    return calendar


def _event(request: HttpRequest, occurrence: Occurrence, *, now: dt.datetime) -> icalendar.Event:
    ritual = occurrence.ritual
    event = icalendar.Event()
    event.add("uid", f"hearth-occurrence-{occurrence.pk}@{request.get_host()}")
    event.add("summary", f"{ritual.name} ({ritual.team.name})")
    event.add("dtstart", occurrence.starts_at)
    event.add("dtend", occurrence.ends_at)
    event.add("dtstamp", now)
    event.add("status", "CANCELLED" if occurrence.cancelled else "CONFIRMED")
    if ritual.video_link:
        event.add("location", ritual.video_link)
    event.add("url", request.build_absolute_uri(reverse("ritual_detail", args=[ritual.pk])))
    event.add("description", ritual.hypothesis)
    return event
