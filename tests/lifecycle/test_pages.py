"""The pages: My data (page and file), HR's copy of someone's data (audited), the
erasure confirmations, and the retention form on the Settings hub."""

from __future__ import annotations

import json

from connection.models import AuditEntry, OrgSettings, User
from tests.helpers import shows_errors
from tests.lifecycle.conftest import DANA_EMAIL, DANA_NAME


def test_profile_links_to_my_data(client_for, bob):
    assert b"/profile/data/" in client_for(bob).get("/profile/").content


def test_my_data_page_and_file_show_my_rows(client_for, world):
    client = client_for(world.dana)
    page = client.get("/profile/data/")
    assert page.status_code == 200
    for marker in ("Thread Thyme", "Kudos Cumin", "Session Sorrel", "cannot be given back"):
        assert marker in page.content.decode()
    download = client.get("/profile/data.json")
    assert download["Content-Disposition"].startswith("attachment")
    assert json.loads(download.content)["person"]["email"] == DANA_EMAIL
    # Your own copy is not an HR action.
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DATA_EXPORTED).exists()


def test_hr_downloads_someones_data_and_it_is_recorded_without_it(client_for, world, hana):
    response = client_for(hana).get(f"/people/{world.dana.pk}/data.json")
    assert json.loads(response.content)["person"]["name"] == DANA_NAME
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_EXPORTED)
    assert entry.actor == hana and entry.detail == {"person": f"person #{world.dana.pk}"}
    assert DANA_NAME not in entry.target_label


def test_only_hr_reads_or_erases_someone_else(client_for, bob, alice):
    client = client_for(alice)
    for path in (f"/people/{bob.pk}/data/", f"/people/{bob.pk}/data.json"):
        assert client.get(path).status_code == 403
    assert client.post(f"/people/{bob.pk}/erase/", {"email": bob.email}).status_code == 403
    assert User.objects.filter(pk=bob.pk).exists()


def test_hr_erases_after_typing_the_email(client_for, world, hana):
    client = client_for(hana)
    path = f"/people/{world.dana.pk}/erase/"
    assert DANA_EMAIL in client.get(path).content.decode()
    wrong = client.post(path, {"email": "someone@example.com"})
    assert shows_errors(wrong)
    assert User.objects.filter(pk=world.dana.pk).exists()
    done = client.post(path, {"email": DANA_EMAIL.upper()})
    assert done.status_code == 200 and b"erased" in done.content
    assert not User.objects.filter(pk=world.dana.pk).exists()


def test_hr_cannot_erase_themselves_from_the_hr_page(client_for, hana):
    assert client_for(hana).get(f"/people/{hana.pk}/erase/").status_code == 403


def test_people_erase_themselves_only_when_hr_allows_it(client_for, bob):
    client = client_for(bob)
    assert client.get("/profile/erase/").status_code == 403
    assert b"/profile/erase/" not in client.get("/profile/data/").content
    OrgSettings.load()
    OrgSettings.objects.update(people_may_erase_themselves=True)
    assert b"/profile/erase/" in client.get("/profile/data/").content
    assert shows_errors(client.post("/profile/erase/", {"email": ""}))
    done = client.post("/profile/erase/", {"email": bob.email})
    assert done.status_code == 200
    assert not User.objects.filter(pk=bob.pk).exists()
    assert client.get("/profile/").status_code == 302  # signed out


def test_hr_sets_the_retention_windows_and_it_is_audited(client_for, hana):
    OrgSettings.load()
    client = client_for(hana)
    page = client.get("/settings/")
    for link in ("/settings/org-sync/", "/settings/scim/", 'name="signal_retention_days"'):
        assert link in page.content.decode()
    data = {
        "form": "retention",
        "signal_retention_days": 200,
        "nudge_retention_days": 90,
        "thread_retention_days": 365,
        "audit_retention_days": 3650,
        "people_may_erase_themselves": "on",
    }
    assert client.post("/settings/", data).status_code == 302
    org = OrgSettings.load()
    assert (org.signal_retention_days, org.people_may_erase_themselves) == (200, True)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RETENTION_CHANGED)
    assert entry.detail["changed"]["signal_retention_days"] == [396, 200]


def test_windows_too_short_or_too_long_are_refused(client_for, hana):
    client = client_for(hana)
    for days in (29, 3651, "abc"):
        data = {
            "form": "retention",
            "signal_retention_days": days,
            "nudge_retention_days": 180,
            "thread_retention_days": 730,
            "audit_retention_days": 2555,
        }
        assert shows_errors(client.post("/settings/", data))
    assert OrgSettings.load().signal_retention_days == 396
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_CHANGED).exists()


def test_others_cannot_change_retention(client_for, alice):
    assert (
        client_for(alice)
        .post("/settings/", {"form": "retention", "signal_retention_days": 30})
        .status_code
        == 403
    )
