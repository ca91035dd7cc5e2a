from celery import shared_task

from pulse.conversations import announce_replies
from pulse.services import pulse_tick


@shared_task(ignore_result=True)
def pulse_tick_task() -> None:
    pulse_tick()


@shared_task(ignore_result=True)
def announce_replies_task() -> None:
    announce_replies()
