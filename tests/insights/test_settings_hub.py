"""HR's Settings page: one header link leads to every tool HR configures, each
card saying what is set now (pulse settings no longer hide under "Results")."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connection.models import AuditEntry, Nudge, OrgSettings
from identity.models import ScimToken, SyncRun, SyncSource
from pulse.models import PulseSettings
from rituals.services.budgets import set_budget
from tests.helpers import make_team, make_user

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _current_nav(response) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)</a>', response.content.decode())


def test_hr_reads_what_is_set_now_on_one_page(client_for, hana, team, other_team, bob):
    set_budget(team=team, quarter=NOW.date(), hours=Decimal(10), money=Decimal(100))
    Nudge.objects.create(
        recipient=bob,
        kind="pulse_invite",
        due_at=NOW,
        expires_at=NOW,
        status=Nudge.Status.FAILED,
        channel="email",
        dedupe_key="hub-failed",
    )
    pulse = PulseSettings.load()
    pulse.enabled = False
    pulse.save()

    text = _text(client_for(hana).get("/settings/"))

    assert "Paused: no rounds open" in text
    assert "Figures show for groups of 5 or more" in text
    assert "Q4 2026: 1 of " in text and "teams have a budget" in text
    assert "1 failed" in text


def test_each_tool_is_one_click_from_settings_and_settings_is_current_there(client_for, hana):
    client = client_for(hana)
    hub = client.get("/settings/").content.decode()
    for url in (
        "/pulse/settings/",
        "/org/import/",
        "/rituals/budgets/",
        "/mentorship/programmes/",
        "/nudges/outbox/",
        "/audit/",
    ):
        assert f'href="{url}"' in hub
    for url in ("/settings/", "/pulse/settings/", "/org/import/", "/nudges/outbox/", "/audit/"):
        assert set(_current_nav(client.get(url))) == {"Settings"}, url
    assert set(_current_nav(client.get("/pulse/org/"))) == {"Results"}


def test_only_hr_has_the_settings_link(client_for, hana, alice, bob):
    assert 'href="/settings/"' in client_for(hana).get("/").content.decode()
    for person in (alice, bob):
        assert 'href="/settings/"' not in client_for(person).get("/").content.decode()
        assert client_for(person).get("/settings/").status_code == 403


def test_the_page_costs_the_same_queries_for_a_bigger_org(client_for, hana, team):
    client = client_for(hana)
    client.get("/settings/")
    with CaptureQueriesContext(connection) as small:
        client.get("/settings/")
    for number in range(30):
        make_user(display_name=f"Person {number}", team=make_team(name=f"Team {number}"))
    with CaptureQueriesContext(connection) as big:
        client.get("/settings/")
    assert len(big) == len(small)


def test_hr_sees_sign_in_scim_and_the_org_sync_and_decides_on_sso_accounts(
    client_for, hana, settings
):
    settings.HEARTH_OIDC_ISSUER = "https://id.acme.example"
    settings.HEARTH_OIDC_CLIENT_ID = "hearth"
    settings.HEARTH_OIDC_NAME = "Acme ID"
    client = client_for(hana)
    text = _text(client.get("/settings/"))
    assert "Single sign-on with Acme ID (id.acme.example)" in text
    assert "No token issued." in text and "Scheduled org sync Off." in text

    ScimToken.objects.create(label="Okta", digest="d" * 64, prefix="dddd", last_used_at=NOW)
    SyncSource.objects.create(pk=1, enabled=True, location="/srv/hris/org.csv", every_hours=12)
    run = SyncRun.objects.create(started_at=NOW, status=SyncRun.Status.PAUSED)
    text = _text(client.get("/settings/"))
    assert "1 token in use, last used 0 minutes ago." in text
    assert "A run waits for your approval." in text and f"/settings/org-sync/runs/{run.pk}/" in (
        client.get("/settings/").content.decode()
    )

    saved = client.post("/settings/", {"form": "sign_in", "sso_creates_accounts": "on"})
    assert saved.status_code == 302 and OrgSettings.load().sso_creates_accounts
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SSO_SETTINGS)
    assert entry.detail == {"changed": {"sso_creates_accounts": [False, True]}}
    assert client.post("/settings/", {"form": "other"}).status_code == 400
