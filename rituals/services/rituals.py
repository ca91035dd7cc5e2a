"""Adopting a ritual, suggesting its slots, changing its schedule, retiring it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from connection.models import Nudge, Team, User, shared_working_window
from rituals.models import Occurrence, RitualTemplate, TeamRitual
from rituals.models.rituals import MAX_DURATION, Format
from rituals.services.errors import RitualError
from rituals.services.occurrences import materialise


class NeedsConfirmation(RitualError):
    """The slot falls outside some members' working hours."""

    def __init__(self, outside: int, total: int):
        self.outside, self.total = outside, total
        super().__init__(
            _(
                "This time is outside the working hours of %(outside)s of %(total)s people. "
                "Confirm to schedule it anyway, or pick a suggested slot."
            )
            % {"outside": outside, "total": total}
        )


def outside_hours(people, instant: dt.datetime) -> int:
    return sum(1 for person in people if not person.is_working_at(instant))


@dataclass
class Slot:
    starts_at: dt.datetime
    working: int
    total: int


def suggest_slots(*, team: Team, duration: int, on: dt.date, count: int = 3) -> list[Slot]:
    """Start times on `on` (UTC day) inside the team's shared hours, best first."""
    people = list(User.objects.active().filter(team=team))
    window = shared_working_window(people, on)
    if window is None:
        return []
    start, end, _working, total = window
    slots, cursor = [], start
    while cursor + dt.timedelta(minutes=duration) <= end and len(slots) < count:
        finish = cursor + dt.timedelta(minutes=duration - 1)
        working = sum(1 for p in people if p.is_working_at(cursor) and p.is_working_at(finish))
        slots.append(Slot(cursor, working, total))
        cursor += dt.timedelta(minutes=30)
    return sorted(slots, key=lambda s: -s.working)


def adopt_ritual(
    *,
    team: Team,
    created_by: User,
    name: str,
    format: str,
    rule: str,
    start_time: dt.time,
    time_zone: str,
    duration: int,
    hypothesis: str,
    template: RitualTemplate | None = None,
    host: User | None = None,
    video_link: str = "",
    participation: str = TeamRitual.Participation.WHOLE_TEAM,
    review_on: dt.date | None = None,
    starts_on: dt.date | None = None,
    confirm_outside_hours: bool = False,
) -> TeamRitual:
    if not 1 <= duration <= MAX_DURATION:
        raise RitualError(_("A ritual lasts between 1 minute and 8 hours."))
    today = timezone.now().date()
    ritual = TeamRitual(
        team=team,
        template=template,
        name=name,
        format=format,
        rule=rule,
        start_time=start_time,
        time_zone=time_zone,
        duration=duration,
        host=host,
        video_link=video_link,
        participation=participation,
        hypothesis=hypothesis,
        review_on=review_on or today + dt.timedelta(weeks=4),
        starts_on=starts_on or today,
        created_by=created_by,
    )
    ritual.full_clean()
    if format == Format.SYNC and not confirm_outside_hours:
        first = ritual.next_occurrence_after(timezone.now())
        people = list(User.objects.active().filter(team=team))
        outside = outside_hours(people, first) if first else 0
        if outside:
            raise NeedsConfirmation(outside, len(people))
    with transaction.atomic():
        ritual.save()
        materialise(ritual=ritual)
    return ritual


def _drop_future(ritual: TeamRitual, *, delete: bool) -> None:
    """Future occurrences go (or are cancelled), and so do their pending reminders."""
    future = Occurrence.objects.filter(ritual=ritual, starts_at__gt=timezone.now())
    Nudge.objects.filter(
        ritual_reminder__occurrence__in=future, status=Nudge.Status.PENDING
    ).update(status=Nudge.Status.SKIPPED, last_error="the ritual changed or was retired")
    if delete:
        future.filter(attendance__isnull=True).delete()
    else:
        future.update(cancelled=True)


def change_schedule(
    *, ritual: TeamRitual, rule: str, start_time: dt.time, review_on: dt.date | None = None
) -> TeamRitual:
    """New cadence from now on; past occurrences and their answers stay."""
    ritual.rule, ritual.start_time = rule, start_time
    ritual.starts_on = timezone.now().date()
    if review_on:
        ritual.review_on, ritual.review_sent_on = review_on, None
    # The creator may have left since (SET_NULL); the rest is checked as on adoption.
    ritual.full_clean(exclude=["created_by"])
    with transaction.atomic():
        ritual.save(
            update_fields=["rule", "start_time", "starts_on", "review_on", "review_sent_on"]
        )
        _drop_future(ritual, delete=True)
        materialise(ritual=ritual)
    return ritual


def retire_ritual(*, ritual: TeamRitual) -> None:
    with transaction.atomic():
        TeamRitual.objects.filter(pk=ritual.pk).update(
            status=TeamRitual.Status.RETIRED, retired_at=timezone.now()
        )
        _drop_future(ritual, delete=False)


def adoptions() -> dict[int, list[TeamRitual]]:
    """{catalogue ritual: the teams that adopted it, each once by its first adoption,
    with the team}. Retired adoptions count: the team did run it. The one answer to
    "how many teams adopted it" that the catalogue, the evidence cards and each
    ritual's page give."""
    first: dict[tuple[int, int], TeamRitual] = {}
    rows = TeamRitual.objects.filter(template__isnull=False).select_related("team")
    for ritual in rows.order_by("starts_on", "pk"):
        first.setdefault((ritual.template_id, ritual.team_id), ritual)
    found: dict[int, list[TeamRitual]] = {}
    for (template_id, _team), ritual in first.items():
        found.setdefault(template_id, []).append(ritual)
    for rituals in found.values():
        rituals.sort(key=lambda ritual: ritual.team.path)
    return found


def adoption_counts() -> dict[int, int]:
    """{catalogue ritual: how many teams adopted it}: `len(adoptions()[template])` for
    every ritual in one grouped count, for pages that show only the counts."""
    return dict(
        TeamRitual.objects.filter(template__isnull=False)
        .values_list("template")
        .annotate(teams=Count("team", distinct=True))
        .order_by()
    )


def adopting_teams(template_id: int) -> int:
    """How many teams adopted one catalogue ritual: `len(adoptions()[template_id])`
    in one count query, for a page that shows only that ritual."""
    return TeamRitual.objects.filter(template_id=template_id).values("team").distinct().count()
