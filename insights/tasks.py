import logging

from celery import shared_task

from insights.alerts import send_alerts, send_quiet_notes
from insights.nightly import nightly

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def nightly_insights_task() -> None:
    """Recompute this week and last week, then send last week's alerts and quiet notes.
    Weeks are replaced whole and nudges have unique keys, so a rerun changes nothing."""
    last_week, _ = nightly()
    alerts = send_alerts(last_week)
    notes = send_quiet_notes(last_week)
    logger.info("insights: weeks recomputed, %s team alerts, %s quiet notes", alerts, notes)
