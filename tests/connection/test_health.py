from unittest import mock

from connection.models import Heartbeat
from connection.tasks import heartbeat_task


def test_readyz_reports_database_and_broker(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")


def test_healthz_is_liveness_only_no_query_no_broker(client, db, django_assert_num_queries):
    with (
        mock.patch("connection.views.celery_app.connection_for_write") as connect,
        django_assert_num_queries(0),
    ):
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    connect.assert_not_called()


def test_readyz_is_503_when_the_broker_is_down(client, db):
    with mock.patch("connection.views.celery_app.connection_for_write") as connect:
        connect.return_value.__enter__.return_value.ensure_connection.side_effect = OSError(
            "refused"
        )
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error: OSError"


def test_heartbeat_task_is_idempotent_and_shows_on_readyz(client, db):
    heartbeat_task()
    heartbeat_task()
    assert Heartbeat.objects.count() == 1
    assert client.get("/readyz").json()["last_beat"] is not None


def test_beat_schedule_entries_expire_before_the_next_tick():
    from connection.celery import app

    for name, entry in app.conf.beat_schedule.items():
        schedule = entry["schedule"]
        if not isinstance(schedule, int | float):  # a crontab: once a day
            assert len(schedule.hour) == 1 and len(schedule.minute) == 1, name
            schedule = 24 * 3600
        assert entry["options"]["expires"] < schedule, name


def test_every_beat_entry_names_a_task_the_worker_has():
    from connection.celery import app

    app.loader.import_default_modules()  # what a worker does at start: each app's tasks.py
    missing = [e["task"] for e in app.conf.beat_schedule.values() if e["task"] not in app.tasks]
    assert missing == []
    assert "identity.tasks.run_org_sync_task" in app.tasks


def test_api_schema_and_docs_are_served_offline(client_for, bob):
    client = client_for(bob)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/people/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"drf_spectacular_sidecar" in docs.content  # assets from our own static files
