"""The app's Home tab: this week's pulse, your next ritual, your buddy or coffee chat,
and office hours, each with a way into Hearth."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chat.slack.blocks import actions, button, context_line, esc, section, slack_date
from connection.models import User
from mentorship.models import Booking, MatchGroup
from pulse.models import Round
from rituals.models import Occurrence, TeamRitual


def _link(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _pulse(person: User) -> list[dict]:
    round_ = Round.objects.open_for(person)
    if round_ is None:
        return [section("*This week's pulse*\nNo pulse is open for you right now.")]
    if round_.receipts.filter(person=person).exists():
        return [section("*This week's pulse*\nAnswered. Thank you!")]
    closes = slack_date(round_.closes_at, "{date_long_pretty}", f"{round_.closes_at:%d %b}")
    return [
        section(f"*This week's pulse*\n{round_.question_count} questions, open until {closes}."),
        actions(
            button("Answer here", "pulse_open", str(round_.pk), style="primary"),
            button("Open in Hearth", "open_in_hearth", url=_link("pulse_answer")),
        ),
    ]


def _ritual(person: User, now) -> list[dict]:
    occurrence = (
        Occurrence.objects.filter(
            ritual__in=TeamRitual.objects.active().for_person(person),
            starts_at__gte=now,
            cancelled=False,
        )
        .select_related("ritual")
        .order_by("starts_at")
        .first()
    )
    if occurrence is None:
        return [section("*Your next ritual*\nNothing planned. Browse the catalogue in Hearth.")]
    when = slack_date(
        occurrence.starts_at,
        "{date_short_pretty} {time}",
        f"{occurrence.starts_at:%d %b %H:%M} UTC",
    )
    return [section(f"*Your next ritual*\n{esc(occurrence.ritual.name)}, {when}.")]


def _pairing(person: User) -> list[dict]:
    group = (
        MatchGroup.objects.of(person)
        .select_related("round__programme")
        .prefetch_related("members")
        .order_by("-round__run_on", "-pk")
        .first()
    )
    if group is None:
        return [section("*Your buddy or coffee chat*\nNot paired yet: join a programme in Hearth.")]
    others = ", ".join(m.get_short_name() for m in group.members.all() if m.pk != person.pk)
    return [
        section(f"*Your buddy or coffee chat*\n{esc(group.round.programme.name)}: {esc(others)}.")
    ]


def _office_hours(person: User, now) -> list[dict]:
    booking = (
        Booking.objects.filter(booker=person, status=Booking.Status.BOOKED, starts_at__gte=now)
        .select_related("office_hours__host")
        .order_by("starts_at")
        .first()
    )
    if booking is None:
        text = "*Office hours*\nNothing booked. Colleagues host office hours in Hearth."
    else:
        when = slack_date(
            booking.starts_at, "{date_short_pretty} {time}", f"{booking.starts_at:%d %b}"
        )
        host = booking.office_hours.host.get_short_name()
        text = f"*Office hours*\nWith {esc(host)}, {when}: {esc(booking.topic)}."
    return [
        section(text),
        actions(button("Find office hours", "open_in_hearth", url=_link("mentorship"))),
    ]


def view(person: User | None, connect: str = "") -> dict:
    """The Home tab for `person`; for someone Hearth does not know, how to connect."""
    if person is None:
        return {"type": "home", "blocks": [section(f"*Welcome to Hearth*\n{connect}")]}
    now = timezone.now()
    blocks = [section(f"*Hi {esc(person.get_short_name())}*")]
    for part in (
        _pulse(person),
        _ritual(person, now),
        _pairing(person),
        _office_hours(person, now),
    ):
        blocks += [{"type": "divider"}, *part]
    blocks.append(
        context_line(f"<{_link('nudge_preferences')}|Choose what Hearth sends you in Slack>")
    )
    return {"type": "home", "blocks": blocks}
