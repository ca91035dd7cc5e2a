from celery import shared_task

from mentorship.models import Programme
from mentorship.services.programmes import assign_buddies, run_round


@shared_task(ignore_result=True)
def run_programme_rounds_task() -> None:
    for programme in Programme.objects.filter(active=True).exclude(kind=Programme.Kind.BUDDY):
        run_round(programme=programme)


@shared_task(ignore_result=True)
def assign_buddies_task() -> None:
    assign_buddies()
