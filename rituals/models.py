"""Ritual catalogue, team rituals, the async thread, recognition and budgets arrive with the rituals issue."""
