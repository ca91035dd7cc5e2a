"""The Celery app and Hearth's beat schedule.

The schedule is code and runs in UTC. What HR configures (pulse cadence,
ritual and programme cadences) lives in tables; these ticks read it. Each
entry expires before the next tick is due so a backlog never piles up.
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init

from connection.beat_lock import wait_for_lock

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connection.settings")

app = Celery("hearth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One beat at a time (connection/beat_lock.py): a second one waits, sending nothing.
_BEAT_LOCK = []


@beat_init.connect
def _hold_the_beat_lock(sender=None, **kwargs) -> None:
    _BEAT_LOCK.append(wait_for_lock())


app.conf.beat_schedule = {
    # Proves beat and worker are alive; /healthz reports the last beat.
    "heartbeat": {
        "task": "connection.tasks.heartbeat_task",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # The nudge outbox: claim what is due and deliver it. Rows are claimed
    # with a conditional UPDATE, so overlapping ticks never send twice.
    "deliver-nudges": {
        "task": "connection.tasks.deliver_due_nudges_task",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Pulse rounds: open on HR's cadence, plan the one reminder, close, and
    # compute the snapshot of a closed round. Each step claims its work with
    # a conditional UPDATE, so a repeated tick does nothing twice.
    "pulse": {
        "task": "pulse.tasks.pulse_tick_task",
        "schedule": 600.0,
        "options": {"expires": 540},
    },
    # Rituals: keep four weeks of occurrences (and their reminders) written
    # ahead; unique (ritual, start) makes a repeat tick a no-op.
    "materialise-rituals": {
        "task": "rituals.tasks.materialise_occurrences_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Owners hear about rituals whose review date came (claimed once each).
    "ritual-reviews": {
        "task": "rituals.tasks.send_ritual_reviews_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Mentorship: match each programme when its cadence says so (one round a
    # programme a day, unique in the database), and give new hires a buddy.
    "programme-rounds": {
        "task": "mentorship.tasks.run_programme_rounds_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Insights: per-team weekly figures from the pulse snapshots and the
    # signal ledger, then alerts. Nightly at 02:30 UTC; weeks are rewritten
    # whole and alerts have unique keys, so a second run changes nothing.
    "nightly-insights": {
        "task": "insights.tasks.nightly_insights_task",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # Retention: delete signals, messages, thread posts and audit entries older than
    # HR's windows (OrgSettings), in batches; published figures are never touched.
    # Nightly at 03:15 UTC, after the insights; a second run finds nothing to delete.
    "retention": {
        "task": "connection.tasks.apply_retention_task",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 6 * 3600},
    },
    # The scheduled org sync (identity/sync.py): runs when HR's interval has passed; the
    # run claims its slot under a row lock, so overlapping ticks run it once.
    "org-sync": {
        "task": "identity.tasks.run_org_sync_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "assign-buddies": {
        "task": "mentorship.tasks.assign_buddies_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Replies to pulse comments reach everyone who answered, at each batch
    # (pulse/conversations.py); unique keys make a repeat tick a no-op.
    "pulse-conversations": {
        "task": "pulse.tasks.announce_replies_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Micro-moments (moments/services.py): anniversaries on each person's own day,
    # check-in suggestions and thank-you reminders; unique outbox keys and thread
    # keys make each hour's run write a moment once.
    "pilot-reports": {
        "task": "insights.tasks.pilot_reports_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "micro-moments": {
        "task": "moments.tasks.plan_moments_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}
