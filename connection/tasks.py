import logging

from celery import shared_task
from django.utils import timezone

from connection.lifecycle import apply_retention
from connection.nudges import deliver_due_nudges
from connection.services import record_heartbeat

logger = logging.getLogger(__name__)

# Log lines, for operators: in English.
DELIVERED = (
    "nudges: %s claimed, %s sent in %s messages, %s skipped, %s failed, %s retrying, "
    "%s moved to working hours"
)
RETAINED = "retention: %s"


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    record_heartbeat(name="beat")


@shared_task(ignore_result=True)
def deliver_due_nudges_task() -> None:
    report = deliver_due_nudges()
    if report.claimed:
        logger.info(
            DELIVERED,
            report.claimed,
            report.sent,
            report.messages,
            report.skipped,
            report.failed,
            report.retrying,
            report.rescheduled,
        )


@shared_task(ignore_result=True)
def apply_retention_task() -> None:
    """Nightly: delete what is past its retention window (docs/data-lifecycle.md)."""
    deleted = apply_retention(now=timezone.now())
    logger.info(RETAINED, ", ".join(f"{n} {key}" for key, n in deleted.items()))
