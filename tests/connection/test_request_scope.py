"""The organisation's settings row is read once per request, however many parts of a
page ask for it; outside a request (a task, a command) every read is fresh."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from connection.models import OrgSettings
from connection.models.org import one_settings_read


def _settings_reads(queries) -> int:
    return sum('FROM "connection_orgsettings"' in q["sql"] for q in queries)


def test_a_page_reads_the_settings_row_once(client_for, hana, team, alice):
    page = client_for(hana)
    page.get("/insights/org/")
    for path in ("/insights/org/", "/api/insights/org/", "/nudges/outbox/"):
        with CaptureQueriesContext(connection) as queries:
            assert page.get(path).status_code == 200
        assert _settings_reads(queries) == 1, path


def test_a_save_in_the_request_is_what_later_reads_see(db):
    with one_settings_read():
        first = OrgSettings.load()
        first.nudge_weekly_ceiling = 7
        first.save()
        assert OrgSettings.load().nudge_weekly_ceiling == 7
        assert OrgSettings.load() is first


def test_outside_a_request_each_read_is_fresh(db):
    OrgSettings.load()
    OrgSettings.objects.update(nudge_weekly_ceiling=9)  # another process changed it
    with CaptureQueriesContext(connection) as queries:
        assert OrgSettings.load().nudge_weekly_ceiling == 9
        OrgSettings.load()
    assert _settings_reads(queries) == 2
