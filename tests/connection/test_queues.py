"""Queues and workers that scale out: every task is routed to one of three queues, a
task is acknowledged only when it ends and its hard time limit is shorter than the
broker's visibility timeout (or a slow task would run twice at once), the worker
commands consume every queue, and only one beat schedules at a time."""

from pathlib import Path

import pytest
from django.conf import settings

from connection import beat_lock
from connection.celery import app

ROOT = Path(__file__).resolve().parents[2]


def _tasks() -> dict:
    app.loader.import_default_modules()  # what a worker does at start: each app's tasks.py
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def _queue(name: str) -> str:
    return app.amqp.router.route({}, name, args=(), kwargs={})["queue"].name


def test_every_task_goes_to_one_of_the_three_queues():
    queues = {name: _queue(name) for name in _tasks()}
    assert set(queues.values()) == set(settings.HEARTH_CELERY_QUEUES)
    assert queues["connection.tasks.deliver_due_nudges_task"] == "delivery"
    assert queues["connection.tasks.heartbeat_task"] == "delivery"
    assert queues["insights.tasks.nightly_insights_task"] == "compute"
    assert queues["pulse.tasks.pulse_tick_task"] == "compute"
    assert queues["identity.tasks.run_org_sync_task"] == "imports"


def test_tasks_are_acknowledged_late_and_end_before_the_visibility_timeout():
    assert settings.CELERY_TASK_TIME_LIMIT < settings.CELERY_VISIBILITY_TIMEOUT
    for name, task in _tasks().items():
        assert task.acks_late, name
        assert task.reject_on_worker_lost, name
        limit = task.time_limit or app.conf.task_time_limit
        assert limit is not None and limit < settings.CELERY_VISIBILITY_TIMEOUT, name
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = app.conf.broker_transport_options
        assert options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT


@pytest.mark.parametrize("file", ["Procfile", "docker-compose.yml"])
def test_the_shipped_worker_commands_consume_every_queue(file):
    lines = (ROOT / file).read_text().splitlines()
    workers = [line for line in lines if "celery" in line and " worker" in line]
    assert workers, f"{file} starts no worker"
    for line in workers:
        queues = line.split("-Q", 1)[1].split()[0].split(",")
        assert sorted(queues) == sorted(settings.HEARTH_CELERY_QUEUES), line


def test_a_second_beat_gets_no_lock_until_the_first_lets_go(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = beat_lock.try_acquire()
    assert first is not None
    assert beat_lock.try_acquire() is None  # a second beat, started by mistake
    first.release()
    second = beat_lock.try_acquire()
    assert second is not None
    second.release()


def test_a_waiting_beat_takes_over_when_the_first_stops(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = beat_lock.try_acquire()
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 3:
            first.release()  # the first beat stops

    lock = beat_lock.wait_for_lock(sleep=sleep)
    assert waits == [beat_lock.WAIT_SECONDS] * 3
    lock.release()
