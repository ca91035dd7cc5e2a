"""Recognising colleagues, within a daily limit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from connection.i18n import speaking
from connection.models import Signal, User
from connection.nudges import create_nudge
from connection.services import record_signals
from rituals.models import Recognition, Value
from rituals.services.errors import RitualError

DAILY_RECOGNITION_LIMIT = 5


def recognise(
    *,
    giver: User,
    receivers: list[User],
    message: str,
    values: list[Value],
    visibility: str,
    notify_manager: bool = False,
) -> Recognition:
    message = message.strip()
    _check(giver=giver, receivers=receivers, message=message, values=values, visibility=visibility)
    with transaction.atomic():
        _claim_one_of_today(giver)
        recognition = Recognition.objects.create(
            giver=giver,
            team=giver.team,
            message=message,
            visibility=visibility,
            notify_manager=notify_manager and visibility == Recognition.Visibility.PRIVATE,
        )
        recognition.receivers.set(receivers)
        recognition.values.set(values)
        _tell_receivers(recognition, receivers)
    return recognition


def _check(
    *, giver: User, receivers: list[User], message: str, values: list[Value], visibility: str
) -> None:
    if not receivers:
        raise RitualError(_("Choose at least one colleague."))
    if any(person.pk == giver.pk for person in receivers):
        raise RitualError(_("Recognition is for others: you can’t recognise yourself."))
    if any(not person.is_active for person in receivers):
        raise RitualError(
            _("One of those people has left; recognition goes to current colleagues.")
        )
    if not 1 <= len(message) <= 280:
        raise RitualError(_("Say what they did in up to 280 characters."))
    if not values or any(not value.active for value in values):
        raise RitualError(_("Choose at least one of the organisation’s values."))
    if visibility not in Recognition.Visibility.values:
        raise RitualError(_("Choose who can see it."))


def _claim_one_of_today(giver: User) -> None:
    """Refuse past the daily limit (the giver's local day); call inside the transaction."""
    local_midnight = dt.datetime.combine(giver.local_now().date(), dt.time(0), tzinfo=giver.zone)
    # Lock the giver's row so two quick submits can't both slip under the limit.
    User.objects.select_for_update().filter(pk=giver.pk).first()
    given_today = Recognition.objects.filter(giver=giver, created_at__gte=local_midnight).count()
    if given_today >= DAILY_RECOGNITION_LIMIT:
        raise RitualError(
            _("You’ve recognised %(limit)s times today; save some for tomorrow.")
            % {"limit": DAILY_RECOGNITION_LIMIT}
        )


def _tell_receivers(recognition: Recognition, receivers: list[User]) -> None:
    """A signal and a nudge for each person recognised."""
    giver = recognition.giver
    record_signals(
        [
            Signal(
                actor=giver,
                other=person,
                team=giver.team,
                kind=Signal.Kind.RECOGNISED,
                source=f"recognition:{recognition.pk}:{person.pk}",
            )
            for person in receivers
        ]
    )
    for person in receivers:
        with speaking(person):
            title = _("%(giver)s recognised you") % {"giver": giver.get_short_name()}
        create_nudge(
            recipient=person,
            kind="recognition",
            dedupe_key=f"recognition:{recognition.pk}:{person.pk}",
            payload={
                "title": title,
                "body": recognition.message,
                "url": "/rituals/recognition/mine/",
            },
        )
