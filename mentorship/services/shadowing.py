"""Shadowing: asking to join a colleague's shadowing window."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connection.models import Signal, User
from connection.services import record_signals
from mentorship.models import ShadowWindow
from mentorship.services.errors import MentorshipError


def request_shadowing(*, window: ShadowWindow, person: User) -> None:
    if window.host_id == person.pk:
        raise MentorshipError(_("You host this window."))
    if window.starts_at <= timezone.now():
        raise MentorshipError(_("That window has passed."))
    with transaction.atomic():
        locked = ShadowWindow.objects.select_for_update().get(pk=window.pk)
        if locked.requests.count() >= locked.places:
            raise MentorshipError(_("That window is full."))
        locked.requests.add(person)
    record_signals(
        [
            Signal(
                actor=person,
                other=window.host,
                team=person.team,
                kind=Signal.Kind.SHADOWED,
                source=f"shadow:{window.pk}:{person.pk}",
            )
        ]
    )
