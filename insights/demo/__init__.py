"""The demo organisation, seeded by `manage.py seed_demo` on the top floor, which may
read every app.

In order: each app's reference data (question bank, ritual catalogue, values, guides)
is put back if a table was emptied; the org chart is imported (org.py); then, for the
demo-sized org, each app adds its part (pulse.py, rituals.py, mentorship.py), the
connection ledger gets 12 weeks of history and the nightly figures are computed for
them (ledger.py). Everything follows one story (story.py).
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from insights import reference as insights_reference
from insights.demo import ledger, org
from insights.demo import mentorship as mentorship_demo
from insights.demo import pulse as pulse_demo
from insights.demo import rituals as rituals_demo
from insights.demo.story import HISTORY_WEEKS
from pulse import reference as pulse_reference
from rituals import reference as rituals_reference

REFERENCE_DATA = (pulse_reference, rituals_reference, insights_reference)
APPS_IN_ORDER = (pulse_demo, rituals_demo, mentorship_demo)
LARGEST_FULL_DEMO = 500  # a larger (benchmark) org stays people and teams only


def seed(*, people: int, seed: int, bare: bool) -> tuple[int, int, list[str]]:
    """(people, teams, what else was added) for an empty org: all of it or, if a
    step fails, none of it (one transaction, which also spares SQLite a commit per
    service call of the history)."""
    with transaction.atomic():
        return _seed(people=people, seed=seed, bare=bare)


def _seed(*, people: int, seed: int, bare: bool) -> tuple[int, int, list[str]]:
    for module in REFERENCE_DATA:
        module.ensure_reference_data()
    today = timezone.now().date()
    made, teams = org.load_org(people, today, seed)
    extras = []
    if people <= LARGEST_FULL_DEMO and not bare:
        extras = [done for app in APPS_IN_ORDER if (done := app.seed(today=today))]
        added = ledger.add_signal_history(timezone.now(), random.Random(seed))
        if added:
            extras.append(f"{HISTORY_WEEKS} weeks of connection history ({added} acts)")
        ledger.compute_history(timezone.now())
    settled = ledger.settle_outbox(timezone.now())
    if settled:
        extras.append(f"{settled} messages of the past marked as delivered")
    return made, teams, extras
