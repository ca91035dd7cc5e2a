"""The left out: why someone is in no group this round, in words they and the programme's
owner can act on.

`match` leaves a person out rather than break a hard rule. Their reason is told to them
and, counted, to the programme's owner (mentorship.services.programmes). Someone else's
"don't pair me with" list is private: it is never named as the reason, to either of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext, gettext_noop, ngettext

from mentorship.matching.participants import Participant

AVOIDED = "avoided"  # everyone else is on their own don't-pair list
REPORTING = "reporting"  # everyone else is their manager or reports to them
AVOIDED_OR_REPORTING = "avoided_or_reporting"
RULES = "rules"  # someone else's private list is among the causes: said no further
NO_ROOM = "no_room"  # someone allowed was there, but every group was full

# What the person reads; %(programme)s is the programme's name. Marked here, said in
# the reader's language where the message is written (`to_person`).
TO_PERSON = {
    AVOIDED: gettext_noop(
        "Everyone in %(programme)s this round is someone you asked not to be paired with."
    ),
    REPORTING: gettext_noop(
        "Everyone else in %(programme)s this round is your manager or reports to you, "
        "and nobody is matched with their own manager."
    ),
    AVOIDED_OR_REPORTING: gettext_noop(
        "Everyone else in %(programme)s this round is your manager, reports "
        "to you, or is someone you asked not to be paired with."
    ),
    RULES: gettext_noop(
        "Nobody else in %(programme)s this round could be matched with you under the "
        "programme's rules."
    ),
    NO_ROOM: gettext_noop(
        "Everyone you could be matched with in %(programme)s was already in a full group."
    ),
}


def to_person(code: str, programme: str) -> str:
    """Why the person is in no group, in the language being spoken."""
    return gettext(TO_PERSON[code]) % {"programme": programme}


def to_owner(code: str, count: int) -> str:
    """`count` people left out for the reason `code`, for the owner, in the language
    being spoken."""
    if code == AVOIDED:
        text = ngettext(
            "%(count)d person asked not to be paired with everyone else",
            "%(count)d people asked not to be paired with everyone else",
            count,
        )
    elif code == REPORTING:
        text = ngettext(
            "%(count)d person had only their manager or their reports in the round",
            "%(count)d people had only their manager or their reports in the round",
            count,
        )
    elif code == AVOIDED_OR_REPORTING:
        text = ngettext(
            "%(count)d person had only their manager, their reports or people they avoid",
            "%(count)d people had only their manager, their reports or people they avoid",
            count,
        )
    elif code == RULES:
        text = ngettext(
            "%(count)d person were ruled out by reporting lines and don't-pair lists",
            "%(count)d people were ruled out by reporting lines and don't-pair lists",
            count,
        )
    else:
        text = ngettext(
            "%(count)d person found every group they could join already full",
            "%(count)d people found every group they could join already full",
            count,
        )
    return text % {"count": count}


def left_out(
    participants: Sequence[Participant], groups: Iterable[Sequence[int]]
) -> dict[int, str]:
    """Each participant in none of `groups` (member ids), with why: one of the codes above."""
    people = {p.id: p for p in participants}
    placed = {m for members in groups for m in members}
    return {pid: _why(people[pid], people) for pid in sorted(people.keys() - placed)}


def _why(person: Participant, people: dict[int, Participant]) -> str:
    causes = set()
    for other in people.values():
        if other.id == person.id:
            continue
        if other.id in person.avoid:
            causes.add(AVOIDED)
        elif other.id == person.manager_id or other.manager_id == person.id:
            causes.add(REPORTING)
        elif person.id in other.avoid:
            causes.add(RULES)
        else:
            return NO_ROOM
    if RULES in causes:
        return RULES
    if causes == {AVOIDED}:
        return AVOIDED
    return REPORTING if causes == {REPORTING} else AVOIDED_OR_REPORTING


def owner_summary(reasons: dict[int, str]) -> str:
    """One sentence for the programme's owner: how many were left out and why, no names,
    in the language being spoken."""
    counts = Counter(reasons.values())
    parts = [
        to_owner(code, count)
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return "; ".join(parts) + "."
