"""The pulse's messages that go stale: an invitation or reminder for a round the
person has already answered is skipped when it comes due, so nobody is asked again
(settings.NUDGE_STALE_CHECKS names `answered_already` for both kinds).

The skip says only that the person answered before the message's slot; receipts
carry no time and responses a random id, so it joins no answer to anyone.
"""

from __future__ import annotations

from connection.models import Nudge
from pulse.models import Receipt

ANSWERED = "already answered"


def _round_number(nudge: Nudge) -> int | None:
    """The round a pulse message is about, from its key (pulse:<number>:<what>:<person>)."""
    parts = nudge.dedupe_key.split(":")
    return int(parts[1]) if len(parts) == 4 and parts[1].isdigit() else None


def answered_already(nudges: list[Nudge]) -> dict[int, str]:
    rounds = {nudge.pk: _round_number(nudge) for nudge in nudges}
    answered = set(
        Receipt.objects.filter(
            person_id__in={nudge.recipient_id for nudge in nudges},
            round__number__in={n for n in rounds.values() if n is not None},
        ).values_list("person_id", "round__number")
    )
    return {
        nudge.pk: ANSWERED for nudge in nudges if (nudge.recipient_id, rounds[nudge.pk]) in answered
    }
