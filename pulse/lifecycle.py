"""The pulse's personal data: only receipts (that a person answered a round, never
what). Answers cannot be exported or erased: nothing links them to anyone, and the
figures published from them stay as they are. Loaded by PulseConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from connection.lifecycle import PULSE_STATEMENT, PersonalData, needles, register, replace_mentions
from connection.models import User
from pulse.models import Receipt, Response


def _receipts(person: User) -> list[dict]:
    return [
        {"round": receipt.round.number, "opened": receipt.round.opens_at}
        for receipt in Receipt.objects.filter(person=person)
        .select_related("round")
        .order_by("round__number")
    ]


def _erase_receipts(person: User) -> int:
    return Receipt.objects.filter(person=person).delete()[0]


def _erase_mentions(person: User) -> int:
    # An anonymous comment may name a colleague; the answer itself is untouched.
    return replace_mentions(Response, ["comment"], needles(person))


register(
    PersonalData(
        "pulse_receipts",
        gettext_lazy("Pulse rounds you answered"),
        _receipts,
        _erase_receipts,
        covers=("pulse.Receipt.person",),
        note=PULSE_STATEMENT,
    ),
    PersonalData(
        "pulse_mentions", gettext_lazy("Pulse comments naming you"), None, _erase_mentions
    ),
)
