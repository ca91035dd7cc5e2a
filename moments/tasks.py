from celery import shared_task

from moments.services import plan_moments


@shared_task(ignore_result=True)
def plan_moments_task() -> None:
    plan_moments()
