from celery import shared_task

from rituals.services.occurrences import materialise_all, send_due_reviews


@shared_task(ignore_result=True)
def materialise_occurrences_task() -> None:
    materialise_all()


@shared_task(ignore_result=True)
def send_ritual_reviews_task() -> None:
    send_due_reviews()
