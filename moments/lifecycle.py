"""Micro-moments' personal data: the check-ins suggested to a manager, which name a
person on their team. Both are shown them in "Download my data"; erasing either
deletes the row; the rows are kept as long as messages are. Loaded by
MomentsConfig.ready()."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connection.lifecycle import PersonalData, Retention, register
from connection.models import User
from moments.models import CheckinSuggestion


def _checkins(person: User) -> list[dict]:
    rows = (
        CheckinSuggestion.objects.filter(Q(manager=person) | Q(person=person))
        .select_related("manager", "person")
        .order_by("week", "pk")
    )
    return [
        {
            "week of": row.week,
            "suggested to": row.manager.display_name,
            "a check-in with": row.person.display_name,
        }
        for row in rows
    ]


register(
    PersonalData(
        "checkin_suggestions",
        _("Check-ins without an agenda Hearth suggested to a manager"),
        _checkins,
        lambda person: CheckinSuggestion.objects.filter(
            Q(manager=person) | Q(person=person)
        ).delete()[0],
        covers=("moments.CheckinSuggestion.manager", "moments.CheckinSuggestion.person"),
        retention=Retention(CheckinSuggestion, "created_at", "nudge_retention_days"),
    ),
)
