"""Ritual catalogue, team rituals, the async thread, recognition and budgets
(the rituals issue)."""
