"""Messages that are no longer wanted when they come due: an app names, in
settings.NUDGE_STALE_CHECKS, a check for each of its kinds that can go stale (the
pulse: the person already answered), so the core never imports the app. Delivery
skips them with the check's reason."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.module_loading import import_string

from connection.models import Nudge


def obsolete(nudges: Iterable[Nudge]) -> dict[int, str]:
    """{nudge id: why it is no longer wanted} for a batch about to be delivered; each
    check, `check(nudges) -> {nudge id: reason}`, is called once with its kinds."""
    by_check: dict[str, list[Nudge]] = {}
    for nudge in nudges:
        path = settings.NUDGE_STALE_CHECKS.get(nudge.kind)
        if path:
            by_check.setdefault(path, []).append(nudge)
    found: dict[int, str] = {}
    for path, batch in by_check.items():
        found.update(import_string(path)(batch))
    return found
