from celery import shared_task

from pulse.services import pulse_tick


@shared_task(ignore_result=True)
def pulse_tick_task() -> None:
    pulse_tick()
