"""The scheduled org sync: a file drop or URL read on schedule, applied unless the
safety brake pauses it for HR, every run recorded with its diff."""

import datetime as dt
import http.server
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from connection.models import AuditEntry, Nudge, OrgImport, User
from connection.services import import_org_chart
from identity.models import SyncRun, SyncSource
from identity.sync import DecisionRefused, decide, run_scheduled_sync
from tests.helpers import make_user, org_csv, race, shows_errors

NOW = dt.datetime(2026, 11, 9, 6, 0, tzinfo=dt.UTC)
TEAMS = ["North", "South"]


def rows(count: int, *, team_of=lambda i: TEAMS[i % 2]) -> list[list[str]]:
    return [
        [
            f"p{i}@acme.test",
            f"Person {i}",
            team_of(i),
            "",
            "",
            "2024-01-08",
            "Europe/Lisbon",
            "remote",
        ]
        for i in range(count)
    ]


@pytest.fixture
def org(db):
    """Nine people on two teams, imported as HR's system exports them (with Hana, HR's
    admin, ten active people)."""
    import_org_chart(data=org_csv(rows(9)), filename="org.csv")
    return User.objects.filter(email__endswith="@acme.test")


@pytest.fixture
def drop(tmp_path, org):
    """The drop folder's file, and the source reading it every 24 hours."""
    path = tmp_path / "org.csv"
    path.write_bytes(org_csv(rows(9)))
    SyncSource.objects.create(
        pk=1, enabled=True, kind=SyncSource.Kind.FILE, location=str(path), every_hours=24
    )
    return path


def sync(at=NOW) -> SyncRun | None:
    with time_machine.travel(at, tick=False):
        return run_scheduled_sync()


def test_a_run_that_would_deactivate_30_percent_pauses_until_hr_approves(drop, org, hana):
    drop.write_bytes(org_csv(rows(6)))  # three of the ten are gone from HR's system
    person = User.objects.get(email="p8@acme.test")
    token = Token.objects.create(user=person)
    run = sync()
    assert run.status == SyncRun.Status.PAUSED
    assert "deactivate 3 of 10 active people (30%, more than the 10% allowed)" in run.message
    assert sorted(run.diff["deactivated"]) == ["p6@acme.test", "p7@acme.test", "p8@acme.test"]
    assert org.filter(is_active=False).count() == 0  # nothing applied yet
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SYNC_PAUSED).count() == 1

    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        decide(run, approve=True, actor=hana)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.APPROVED and run.decided_by == hana
    assert sorted(org.filter(is_active=False).values_list("email", flat=True)) == [
        "p6@acme.test",
        "p7@acme.test",
        "p8@acme.test",
    ]
    assert not Token.objects.filter(pk=token.pk).exists()  # access ends with deactivation
    with pytest.raises(DecisionRefused):
        decide(run, approve=True, actor=hana)


def test_a_small_change_applies_on_schedule_and_records_its_diff(drop, org):
    changed = rows(9)
    changed[0][1] = "Person Zero"
    drop.write_bytes(org_csv([*changed, *rows(10)[9:]]))  # one renamed, one new
    run = sync()
    assert run.status == SyncRun.Status.APPLIED
    assert run.diff["created"] == ["p9@acme.test"]
    assert run.diff["updated"] == [{"email": "p0@acme.test", "fields": ["display_name"]}]
    assert User.objects.get(email="p0@acme.test").display_name == "Person Zero"
    assert OrgImport.objects.get(pk=run.org_import_id).status == OrgImport.Status.APPLIED


def test_moving_more_than_the_share_pauses_and_rejecting_changes_nothing(drop, org, hana):
    drop.write_bytes(org_csv(rows(9, team_of=lambda i: TEAMS[(i // 5) % 2])))  # 4 move
    run = sync()
    assert run.status == SyncRun.Status.PAUSED and run.diff["summary"]["moved_people"] == 4
    assert {"email": "p1@acme.test", "from": "South", "to": "North"} in run.diff["moved"]
    decide(run, approve=False, actor=hana)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.REJECTED
    assert User.objects.get(email="p1@acme.test").team.name == "South"
    assert run.org_import_id is None  # the rejected file is not kept for applying


def test_a_paused_run_holds_the_schedule_and_a_due_source_runs_once(drop, org, hana):
    drop.write_bytes(org_csv(rows(5)))
    first = sync()
    assert first.status == SyncRun.Status.PAUSED
    assert sync(NOW + dt.timedelta(days=2)) is None  # waits for HR, no pile of paused runs
    decide(first, approve=False, actor=hana)
    drop.write_bytes(org_csv(rows(9)))
    assert sync(NOW + dt.timedelta(days=2)).status == SyncRun.Status.UNCHANGED
    assert sync(NOW + dt.timedelta(days=2, hours=23)) is None  # not due again yet
    assert SyncRun.objects.count() == 2


def test_an_unreadable_or_broken_file_fails_and_changes_nothing(drop, org):
    drop.unlink()
    assert "Could not read" in sync().message
    drop.write_bytes(b"email,name\nnot-an-email,Someone\n")
    run = sync(NOW + dt.timedelta(days=1))
    assert run.status == SyncRun.Status.FAILED and "problems" in run.message
    assert org.filter(is_active=True).count() == 9 and User.objects.count() == 9


def test_a_url_source_is_read_like_a_file(org, settings):
    settings.HEARTH_SYNC_ALLOW_HTTP = True
    body = org_csv(rows(10))

    class Export(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Export)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/export/org.csv"
        SyncSource.objects.create(pk=1, enabled=True, kind=SyncSource.Kind.URL, location=url)
        run = sync()
    finally:
        server.shutdown()
    assert run.status == SyncRun.Status.APPLIED and run.diff["created"] == ["p9@acme.test"]


def test_deactivation_by_sync_skips_waiting_messages(drop, org, hana):
    person = User.objects.get(email="p8@acme.test")
    nudge = Nudge.objects.create(
        recipient=person,
        kind="pulse_invite",
        channel="email",
        dedupe_key="sync-test",
        due_at=NOW,
        expires_at=NOW + dt.timedelta(days=1),
    )
    drop.write_bytes(org_csv(rows(8)))
    run = sync()
    assert run.status == SyncRun.Status.APPLIED  # 1 of 10 is within the 10% brake
    nudge.refresh_from_db()
    assert (nudge.status, nudge.last_error) == (Nudge.Status.SKIPPED, "recipient deactivated")


def test_hr_configures_the_sync_and_sees_the_paused_run(client_for, drop, hana, bob):
    assert client_for(bob).get(reverse("org_sync")).status_code == 403
    page = client_for(hana)
    refused = page.post(
        reverse("org_sync"),
        {
            "action": "save",
            "enabled": "on",
            "kind": "url",
            "location": "http://hr.example/x",
            "every_hours": 24,
            "max_deactivate_share": 10,
            "max_move_share": 10,
        },
    )
    assert shows_errors(refused) and b"Use an https:// address." in refused.content
    saved = page.post(
        reverse("org_sync"),
        {
            "action": "save",
            "enabled": "on",
            "kind": "file",
            "location": str(drop),
            "every_hours": 12,
            "deactivate_missing": "on",
            "max_deactivate_share": 25,
            "max_move_share": 10,
        },
    )
    assert saved.status_code == 302
    source = SyncSource.load()
    assert (source.every_hours, source.max_deactivate_share) == (12, 0.25)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SYNC_CONFIGURED).exists()

    drop.write_bytes(org_csv(rows(6)))  # 30% > 25%
    with time_machine.travel(NOW, tick=False):
        ran = page.post(reverse("org_sync"), {"action": "run"})
    run = SyncRun.objects.get()
    assert ran.url == reverse("org_sync_run", args=[run.pk])
    assert b"A run is waiting for you" in page.get(reverse("org_sync")).content
    shown = page.get(reverse("org_sync_run", args=[run.pk])).content.decode()
    assert "p7@acme.test" in shown and "Approve and apply" in shown
    page.post(reverse("org_sync_run", args=[run.pk]), {"decision": "approve"})
    assert User.objects.filter(email__endswith="@acme.test", is_active=False).count() == 3
    assert (
        page.post(reverse("org_sync_run", args=[run.pk]), {"decision": "maybe"}).status_code == 400
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_hr_admins_deciding_at_once_leave_one_decision(tmp_path):
    import_org_chart(data=org_csv(rows(10)), filename="org.csv")
    path = tmp_path / "org.csv"
    path.write_bytes(org_csv(rows(5)))
    SyncSource.objects.create(pk=1, enabled=True, location=str(path))
    run = sync()
    admins = [make_user(is_hr_admin=True), make_user(is_hr_admin=True)]
    turns = iter(admins)
    outcomes = race(
        lambda: decide(SyncRun.objects.get(pk=run.pk), approve=True, actor=next(turns)),
        refused=DecisionRefused,
    )
    assert outcomes == ["DecisionRefused", "won"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SYNC_APPROVED).count() == 1
    assert User.objects.filter(email__endswith="@acme.test", is_active=False).count() == 5
