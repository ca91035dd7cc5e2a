"""The app's Home tab: this week's pulse, your next ritual, your buddy or coffee chat,
and office hours, each with a way into Hearth."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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
        return [section(_("*This week's pulse*\nNo pulse is open for you right now."))]
    if round_.receipts.filter(person=person).exists():
        return [section(_("*This week's pulse*\nAnswered. Thank you!"))]
    closes = slack_date(round_.closes_at, "{date_long_pretty}", f"{round_.closes_at:%d %b}")
    return [
        section(
            _("*This week's pulse*\n%(count)s questions, open until %(closes)s.")
            % {"count": round_.question_count, "closes": closes}
        ),
        actions(
            button(_("Answer here"), "pulse_open", str(round_.pk), style="primary"),
            button(_("Open in Hearth"), "open_in_hearth", url=_link("pulse_answer")),
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
        return [section(_("*Your next ritual*\nNothing planned. Browse the catalogue in Hearth."))]
    when = slack_date(
        occurrence.starts_at,
        "{date_short_pretty} {time}",
        f"{occurrence.starts_at:%d %b %H:%M} UTC",
    )
    return [
        section(
            _("*Your next ritual*\n%(name)s, %(when)s.")
            % {"name": esc(occurrence.ritual.name), "when": when}
        )
    ]


def _pairing(person: User) -> list[dict]:
    group = (
        MatchGroup.objects.of(person)
        .select_related("round__programme")
        .prefetch_related("members")
        .order_by("-round__run_on", "-pk")
        .first()
    )
    if group is None:
        return [
            section(_("*Your buddy or coffee chat*\nNot paired yet: join a programme in Hearth."))
        ]
    others = ", ".join(m.get_short_name() for m in group.members.all() if m.pk != person.pk)
    return [
        section(
            _("*Your buddy or coffee chat*\n%(programme)s: %(others)s.")
            % {"programme": esc(group.round.programme.name), "others": esc(others)}
        )
    ]


def _office_hours(person: User, now) -> list[dict]:
    booking = (
        Booking.objects.filter(booker=person, status=Booking.Status.BOOKED, starts_at__gte=now)
        .select_related("office_hours__host")
        .order_by("starts_at")
        .first()
    )
    if booking is None:
        text = _("*Office hours*\nNothing booked. Colleagues host office hours in Hearth.")
    else:
        when = slack_date(
            booking.starts_at, "{date_short_pretty} {time}", f"{booking.starts_at:%d %b}"
        )
        host = booking.office_hours.host.get_short_name()
        text = _("*Office hours*\nWith %(host)s, %(when)s: %(topic)s.") % {
            "host": esc(host),
            "when": when,
            "topic": esc(booking.topic),
        }
    return [
        section(text),
        actions(button(_("Find office hours"), "open_in_hearth", url=_link("mentorship"))),
    ]


def view(person: User | None, connect: str = "") -> dict:
    """The Home tab for `person`, in their language; for someone Hearth does not know,
    how to connect."""
    if person is None:
        welcome = _("*Welcome to Hearth*\n%(connect)s") % {"connect": connect}
        return {"type": "home", "blocks": [section(welcome)]}
    now = timezone.now()
    blocks = [section(_("*Hi %(name)s*") % {"name": esc(person.get_short_name())})]
    for part in (
        _pulse(person),
        _ritual(person, now),
        _pairing(person),
        _office_hours(person, now),
    ):
        blocks += [{"type": "divider"}, *part]
    choose = _("Choose what Hearth sends you in Slack")
    blocks.append(context_line(f"<{_link('nudge_preferences')}|{choose}>"))
    return {"type": "home", "blocks": blocks}
