"""What the dashboards share: the dimensions, the thresholds a figure is weak below,
week labels and the actions a weak figure suggests."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from connection.models import OrgSettings, Team
from mentorship.models import Programme
from pulse.models import CORE_DIMENSIONS

WEEKS = 12
# An organisation-wide table read from a growing history (every rating, every person,
# 26 weeks of every team) is the same for every HR admin: a process computes it at most
# once in this many seconds (figures that change nightly, or when a team adopts).
ORG_WIDE_SECONDS = 300.0
T = TypeVar("T")
_org_wide: dict[str, tuple[float, object]] = {}
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
    return dateformat.format(week, pgettext("date format", "j M"))  # "7 Dec", "7. Dez"


def short_label(week: dt.date, *, first: bool) -> str:
    """Calendar style: the month only on the first column and each month's first week."""
    return week_label(week) if first or week.day <= 7 else str(week.day)


def actions(team: Team | None = None) -> dict[str, tuple[str, str]]:
    """The one action beside each weak figure. Where a coffee-chat or buddy programme
    already runs for the team (org-wide, or for it or a team above), the action is to
    bring the team into it, not to start another."""
    running = {}
    if team is not None:
        lineage = team.lineage_ids
        for programme in Programme.objects.filter(active=True).filter(
            Q(team__isnull=True) | Q(team_id__in=lineage)
        ):
            running.setdefault(programme.kind, programme)
    coffee, buddy = running.get(Programme.Kind.COFFEE), running.get(Programme.Kind.BUDDY)
    return {
        "ritual": (_("Adopt a ritual from the catalogue"), reverse("ritual_catalogue")),
        "together": (
            _("Try a 15-minute co-working window"),
            reverse("ritual_adopt", args=["coworking"]),
        ),
        "coffee": (
            _("Invite the team to %(programme)s") % {"programme": coffee.name},
            reverse("mentorship"),
        )
        if coffee
        else (_("Start a coffee-chat programme"), reverse("programmes") + "?kind=coffee"),
        "checkin": (_("Host office hours for check-ins"), reverse("office_hours")),
        "buddy": (
            _("Check newcomers are in %(programme)s") % {"programme": buddy.name},
            reverse("programmes"),
        )
        if buddy
        else (_("Give newcomers a buddy"), reverse("programmes") + "?kind=buddy"),
    }


def min_group_size() -> int:
    return OrgSettings.load().min_group_size


def org_wide(name: str, compute: Callable[[], T]) -> T:
    """`compute()`, or this process's copy of it from the last ORG_WIDE_SECONDS: an
    HR page's org-wide table costs one view in five minutes, not every view, however
    large the org. Only anonymous, guarded figures go here (they are the same for
    everyone who may see them)."""
    name = f"{name}:{translation.get_language()}"  # its labels are in the reader's language
    kept = _org_wide.get(name)
    if kept is not None and time.monotonic() - kept[0] < ORG_WIDE_SECONDS:
        return kept[1]  # type: ignore[return-value]
    value = compute()
    _org_wide[name] = (time.monotonic(), value)
    return value


def forget_org_wide() -> None:
    """Drop this process's org-wide tables (tests, and the bench's first views)."""
    _org_wide.clear()
