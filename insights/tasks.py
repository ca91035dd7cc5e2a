import logging

from celery import shared_task

from insights.alerts import send_alerts, send_quiet_notes
from insights.nightly import nightly
from insights.pilots import send_pilot_reports

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def nightly_insights_task() -> None:
    """Recompute this week and last week, then send last week's alerts and quiet notes.
    Weeks are replaced whole and nudges have unique keys, so a rerun changes nothing."""
    last_week, _ = nightly()
    alerts = send_alerts(last_week)
    notes = send_quiet_notes(last_week)
    # Logs stay in English: logger.log, not a page's message.
    logger.log(
        logging.INFO, "insights: weeks recomputed, %s team alerts, %s quiet notes", alerts, notes
    )


@shared_task(ignore_result=True)
def pilot_reports_task() -> None:
    """Tell whoever started a pilot that ended that its report is ready (once a pilot)."""
    logger.log(logging.INFO, "insights: %s pilot reports announced", send_pilot_reports())
