"""The pulse's messages that go stale: an invitation or reminder for a round the
person has already answered is skipped when it comes due, so nobody is asked again
(settings.NUDGE_STALE_CHECKS names `answered_already` for both kinds). Which round a
message is about is kept in its Invitation row.

The skip says only that the person answered before the message's slot; receipts
carry no time and responses a random id, so it joins no answer to anyone.
"""

from __future__ import annotations

from connection.models import Nudge
from pulse.models import Invitation, Receipt

ANSWERED = "already answered"


def answered_already(nudges: list[Nudge]) -> dict[int, str]:
    about = dict(Invitation.objects.filter(nudge__in=nudges).values_list("nudge_id", "round_id"))
    answered = set(
        Receipt.objects.filter(
            person_id__in={nudge.recipient_id for nudge in nudges},
            round_id__in=set(about.values()),
        ).values_list("person_id", "round_id")
    )
    return {
        nudge.pk: ANSWERED
        for nudge in nudges
        if (nudge.recipient_id, about.get(nudge.pk)) in answered
    }
