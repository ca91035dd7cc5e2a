"""What the dashboards share: the dimensions, the thresholds a figure is weak below,
week labels and the actions a weak figure suggests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from connection.models import OrgSettings
from pulse.models import CORE_DIMENSIONS

WEEKS = 12
DIMENSIONS = [(d.value, d.label) for d in CORE_DIMENSIONS]
WEAK_SCORE = 65
WEAK_DIMENSION = 60
WEAK_ACTIVITY = 60
WEAK_EI = -0.6


@dataclass
class Figure:
    """One guarded number with the words around it and, when weak, one action.
    Pulse figures are rounded as the templates' `floatformat` rounds them (half
    up), so a score of 52.5 reads 53 here and on the pulse results page."""

    label: str
    value: str | None
    reason: str = ""
    weak: bool = False
    action: tuple[str, str] | None = None  # (text, url)


def week_label(week: dt.date) -> str:
    return week.strftime("%d %b").lstrip("0")


def short_label(week: dt.date, *, first: bool) -> str:
    """Calendar style: the month only on the first column and each month's first week."""
    return week_label(week) if first or week.day <= 7 else str(week.day)


def actions() -> dict[str, tuple[str, str]]:
    return {
        "ritual": ("Adopt a ritual from the catalogue", reverse("ritual_catalogue")),
        "coffee": ("Start a coffee-chat programme", reverse("programmes") + "?kind=coffee"),
        "checkin": ("Host office hours for check-ins", reverse("office_hours")),
        "buddy": ("Give newcomers a buddy", reverse("programmes") + "?kind=buddy"),
    }


def min_group_size() -> int:
    return OrgSettings.load().min_group_size
