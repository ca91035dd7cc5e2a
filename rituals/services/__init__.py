"""Writes of the rituals app, one module per topic: `rituals` (adopting,
scheduling, retiring), `occurrences` (occurrences and their reminders,
attendance, health and reviews, calendar feeds), `thread`, `recognition` and
`budgets`; `errors` holds the RitualError they raise. Import from those modules.
"""
