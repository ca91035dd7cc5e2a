"""Writes of the rituals app, one module per topic: `rituals` (adopting,
scheduling, retiring), `occurrences` (occurrences and their reminders,
attendance, health and reviews, calendar feeds), `thread`, `recognition` and
`budgets`; `errors` holds the RitualError they raise. Import from those modules.
"""

# Read from here by the seed hooks in rituals/apps.py and by
# connection/insight_views.py, both moving to the insights app: when they import
# from the topic modules, these lines go.
from rituals.services.budgets import budget_status, set_budget
from rituals.services.occurrences import ritual_health
from rituals.services.recognition import recognise
from rituals.services.rituals import adopt_ritual
from rituals.services.thread import post_to_thread

__all__ = [
    "adopt_ritual",
    "budget_status",
    "post_to_thread",
    "recognise",
    "ritual_health",
    "set_budget",
]
