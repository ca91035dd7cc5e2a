"""What goes into the engine (a `Participant`) and what comes out (a `Group`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from connection.calendar import NEWCOMER_DAYS

EXPERIENCED_DAYS = 365


@dataclass(frozen=True)
class Participant:
    id: int
    team_id: int | None
    manager_id: int | None  # line manager's id
    time_zone: str  # IANA
    work_start: dt.time
    work_end: dt.time  # may be < work_start (overnight shift)
    working_days: str  # ISO weekday digits, e.g. "12345"
    skills: frozenset[str] = frozenset()  # what they can offer / teach
    interests: frozenset[str] = frozenset()  # what they want to learn
    tenure_days: int | None = None
    avoid: frozenset[int] = frozenset()  # private "don't pair me with" ids
    odd_count: int = 0  # times this person was the extra member of a group of 3
    name: str = ""  # what the others call them, for reasons only ("Ana and Ben met before")


@dataclass(frozen=True)
class Group:
    members: tuple[int, ...]  # participant ids, sorted
    score: float  # the mean fit of the pairs in the group (no jitter, no repeat penalty)
    reasons: tuple[str, ...]  # short sentences for the members, most telling first


def is_newcomer(p: Participant) -> bool:
    return p.tenure_days is not None and p.tenure_days < NEWCOMER_DAYS


def is_experienced(p: Participant) -> bool:
    return p.tenure_days is not None and p.tenure_days >= EXPERIENCED_DAYS
