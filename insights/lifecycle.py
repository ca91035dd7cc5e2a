"""Insights' personal data: the private quiet notes about a person. The stored weekly
figures (TeamWeek, TeamTie) and alerts are about teams and stay as they are; an
alert's nudges are kept from retention, since the alert is shown to the managers they
told. Loaded by InsightsConfig.ready()."""

from __future__ import annotations

from django.db.models import Q

from connection.lifecycle import PersonalData, keep_from_retention, register
from connection.models import Nudge, User
from insights.models import QuietNote


def _quiet_notes(person: User) -> list[dict]:
    return [
        {"week": note.week, "sent": note.created_at}
        for note in QuietNote.objects.filter(person=person).order_by("week")
    ]


register(
    PersonalData(
        "quiet_notes",
        "Notes Hearth sent you when you had been quiet",
        _quiet_notes,
        lambda person: QuietNote.objects.filter(person=person).delete()[0],
        covers=("insights.QuietNote.person",),
    ),
)
keep_from_retention(Nudge, Q(alerts__isnull=False))
