from celery import shared_task

from connection.services import record_heartbeat


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    record_heartbeat(name="beat")
