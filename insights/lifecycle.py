"""Insights' personal data: the private quiet notes about a person. The stored weekly
figures (TeamWeek, TeamTie) and alerts are about teams and stay as they are; an
alert's nudges are kept from retention, since the alert is shown to the managers they
told. Loaded by InsightsConfig.ready()."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connection.lifecycle import PersonalData, keep_from_retention, register
from connection.models import Nudge, User
from insights.models import Pilot, QuietNote


def _quiet_notes(person: User) -> list[dict]:
    return [
        {"week": note.week, "sent": note.created_at}
        for note in QuietNote.objects.filter(person=person).order_by("week")
    ]


register(
    PersonalData(
        "quiet_notes",
        _("Notes Hearth sent you when you had been quiet"),
        _quiet_notes,
        lambda person: QuietNote.objects.filter(person=person).delete()[0],
        covers=("insights.QuietNote.person",),
    ),
)


def _pilots(person: User) -> list[dict]:
    return [
        {"pilot": pilot.name, "starts": pilot.starts_on, "ends": pilot.ends_on}
        for pilot in Pilot.objects.filter(started_by=person).order_by("starts_on")
    ]


register(
    PersonalData(
        "pilots",
        _("Pilots you started"),
        _pilots,
        # The pilot stays for the organisation; who started it is forgotten.
        lambda person: Pilot.objects.filter(started_by=person).update(started_by=None),
        covers=("insights.Pilot.started_by",),
    ),
)
keep_from_retention(Nudge, Q(alerts__isnull=False))
