# Load the Celery app whenever Django starts, so shared_task and
# delay_on_commit bind to Hearth's configuration.
from connection.celery import app as celery_app

__all__ = ("celery_app",)
