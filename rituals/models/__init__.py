"""Rituals: a catalogue of team habits, adopted by teams and run as experiments.

One module per topic: `rituals` (the catalogue and the teams' rituals),
`occurrences` (sessions, reminders, attendance, calendar feeds), `thread`,
`recognition` and `budgets`. The repeat rule itself is `rituals.recurrence`.
"""

from rituals.models.budgets import Budget, Spend
from rituals.models.occurrences import Attendance, CalendarFeed, Occurrence, Reminder
from rituals.models.recognition import Recognition, Value
from rituals.models.rituals import RitualTemplate, TeamRitual, today_utc, validate_rrule
from rituals.models.thread import Reaction, ThreadPost

__all__ = [
    "Attendance",
    "Budget",
    "CalendarFeed",
    "Occurrence",
    "Reaction",
    "Recognition",
    "Reminder",
    "RitualTemplate",
    "Spend",
    "TeamRitual",
    "ThreadPost",
    "Value",
    # Migration 0001 names these two as rituals.models.today_utc and .validate_rrule.
    "today_utc",
    "validate_rrule",
]
