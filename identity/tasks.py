import logging

from celery import shared_task
from django.utils import translation

from connection.i18n import org_language
from identity.sync import run_scheduled_sync

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def run_org_sync_task() -> None:
    """Hourly: run the scheduled org sync when its interval has passed."""
    with translation.override(org_language()):  # its message is read by HR
        run = run_scheduled_sync()
    if run is not None:
        logger.log(
            logging.INFO, "org sync: %s (%s)", run.get_status_display(), run.diff.get("summary", {})
        )
