"""A person's own page: who they connected with this month, and one suggestion. Only
for the person themself."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connection.models import Signal, User
from mentorship.models import MatchGroup
from rituals.models import Recognition

# What two people did together, said the same way from either side.
TOGETHER = {
    Signal.Kind.ATTENDED: gettext_lazy("a ritual"),
    Signal.Kind.POSTED: gettext_lazy("the team thread"),
    Signal.Kind.ASKED: gettext_lazy("a question"),
    Signal.Kind.REPLIED: gettext_lazy("the team thread"),
    Signal.Kind.RECOGNISED: gettext_lazy("recognition"),
    Signal.Kind.BOOKED: gettext_lazy("office hours"),
    Signal.Kind.CHECKED_IN: gettext_lazy("a programme meet-up"),
    Signal.Kind.MENTORED: gettext_lazy("mentoring"),
    Signal.Kind.SHADOWED: gettext_lazy("shadowing"),
}


def my_connection(person: User, *, now: dt.datetime | None = None) -> dict:
    """Only for the person themself: who they connected with this month, and more."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=30)
    signals = Signal.objects.filter(occurred_at__gte=since).filter(
        Q(actor=person) | Q(other=person)
    )
    people: dict = {}
    for actor_id, other_id, actor_name, other_name, kind in signals.filter(
        other__isnull=False
    ).values_list("actor_id", "other_id", "actor__display_name", "other__display_name", "kind"):
        pk, name = (other_id, other_name) if actor_id == person.pk else (actor_id, actor_name)
        if pk == person.pk:
            continue
        entry = people.setdefault(pk, {"name": name, "times": 0, "kinds": set()})
        entry["times"] += 1
        entry["kinds"].add(str(TOGETHER.get(kind, kind)))
    attended = signals.filter(actor=person, kind=Signal.Kind.ATTENDED).count()
    given = Recognition.objects.filter(giver=person, created_at__gte=since).count()
    received = Recognition.objects.filter(receivers=person, created_at__gte=since).count()
    groups = list(
        MatchGroup.objects.of(person)
        .select_related("round__programme")
        .prefetch_related("members")
        .order_by("-round__run_on")[:4]
    )
    connections = sorted(people.values(), key=lambda e: (-e["times"], e["name"]))
    for entry in connections:
        entry["kinds"] = sorted(entry["kinds"])
    groups = [
        {
            "programme": group.round.programme.name,
            "with": ", ".join(m.display_name for m in group.members.all() if m.pk != person.pk),
        }
        for group in groups
    ]
    return {
        "connections": connections,
        "attended": attended,
        "given": given,
        "received": received,
        "groups": groups,
        "suggestion": _suggestion(person, connections, attended, given),
        "since": since,
    }


def _suggestion(person: User, connections: list, attended: int, given: int) -> tuple[str, str]:
    if not connections:
        return (
            _(
                "Nobody yet this month, and that’s fine. A 20-minute coffee chat with someone "
                "from another team is an easy start."
            ),
            reverse("mentorship"),
        )
    if given == 0:
        return (
            _("Someone helped you lately? A line of recognition takes a minute and makes a week."),
            reverse("recognition"),
        )
    if attended == 0:
        return (
            _("Your team’s rituals are a low-effort way to see people: pick one that suits you."),
            reverse("rituals"),
        )
    return (
        _("You’re well connected this month. Office hours are a good way to pass it on."),
        reverse("office_hours"),
    )
