"""The audit trail: each HR action that changes what others see or receive is
recorded, with who and when, through the view that performs it; HR reads it at
/audit/; nobody can change it (app, admin, and on PostgreSQL the database)."""

import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from connection.audit import record
from connection.models import AuditEntry, Nudge, OrgImport, OrgSettings, User
from connection.nudges import create_nudge
from insights import reference as insights_reference
from insights.models import ConversationGuide
from mentorship.models import Programme
from pulse.models import PulseSettings, Question
from rituals.models import Budget, Recognition, Value
from rituals.services.budgets import set_budget
from rituals.services.recognition import recognise
from tests.helpers import make_user, org_csv, shows_errors

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)  # a Wednesday in Q4 2026

ORG = [
    ["vic@acme.test", "Vic Head", "Engineering", "", "", "2019-02-01", "Europe/London", "office"],
    ["ann@acme.test", "Ann Lead", "Platform", "Engineering", "vic@acme.test", "", "UTC", "remote"],
]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def only_entry(action: AuditEntry.Action) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


# ---------------------------------------------------------------- each action, through its view


def test_privacy_thresholds_are_recorded_with_old_and_new(client_for, hana):
    response = client_for(hana).post(
        "/pulse/settings/", {"action": "privacy", "min_group_size": 6, "comment_threshold": 12}
    )
    assert response.status_code == 302
    entry = only_entry(AuditEntry.Action.PRIVACY_CHANGED)
    assert (entry.actor, entry.kind) == (hana, "privacy")
    assert entry.detail == {"changed": {"min_group_size": [5, 6], "comment_threshold": [10, 12]}}
    page = client_for(hana).get("/pulse/settings/").content.decode()
    assert "min group size: 5 → 6" in page and "Hana Ito" in page


def test_a_refused_privacy_change_records_nothing(client_for, hana):
    response = client_for(hana).post(
        "/pulse/settings/", {"action": "privacy", "min_group_size": 2, "comment_threshold": 12}
    )
    assert shows_errors(response)
    assert not AuditEntry.objects.exists()


def test_pulse_settings_record_cadence_and_audience_by_name(client_for, hana, team):
    response = client_for(hana).post(
        "/pulse/settings/",
        {
            "action": "settings",
            "enabled": "on",
            "cadence": "biweekly",
            "items_per_round": 6,
            "open_days": 4,
            "audience": [team.pk],
        },
    )
    assert response.status_code == 302
    entry = only_entry(AuditEntry.Action.PULSE_SETTINGS)
    assert (entry.actor, entry.kind) == (hana, "pulse")
    assert entry.detail["changed"] == {
        "cadence": ["weekly", "biweekly"],
        "audience": [[], ["Platform"]],
    }


def test_the_change_and_its_entry_commit_together(client_for, hana):
    """A failure to record undoes the change: they share one transaction."""
    with (
        mock.patch("connection.audit.record", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        client_for(hana).post(
            "/pulse/settings/",
            {"action": "settings", "cadence": "monthly", "items_per_round": 6, "open_days": 4},
        )
    assert PulseSettings.load().cadence == "weekly"


def test_pulse_items_added_edited_retired_and_reordered_are_recorded(client_for, hana):
    client = client_for(hana)
    client.post(
        "/pulse/settings/",
        {"action": "add", "dimension": "belonging", "text": "I know who to ask."},
    )
    added = only_entry(AuditEntry.Action.QUESTION_ADDED)
    assert added.target_label == "I know who to ask."
    question = Question.objects.get(pk=added.target_id)
    client.post(
        f"/pulse/questions/{question.pk}/",
        {"dimension": "belonging", "text": "I know whom to ask."},
    )
    edited = only_entry(AuditEntry.Action.QUESTION_EDITED)
    assert edited.detail["changed"]["text"] == ["I know who to ask.", "I know whom to ask."]
    newest = Question.objects.get(pk=edited.target_id)
    client.post(f"/pulse/questions/{newest.pk}/action/", {"action": "up"})
    assert only_entry(AuditEntry.Action.QUESTIONS_REORDERED).detail == {"moved": "up"}
    client.post(f"/pulse/questions/{newest.pk}/action/", {"action": "retire"})
    retired = only_entry(AuditEntry.Action.QUESTION_RETIRED)
    assert (retired.actor, retired.target_id) == (hana, newest.pk)
    assert set(AuditEntry.objects.values_list("kind", flat=True)) == {"pulse"}


def test_csv_exports_are_recorded(client_for, hana, team):
    client = client_for(hana)
    assert client.get("/pulse/org.csv").status_code == 200
    assert client.get("/insights/org.csv?level=1").status_code == 200
    pulse_csv = only_entry(AuditEntry.Action.PULSE_CSV)
    insights_csv = only_entry(AuditEntry.Action.INSIGHTS_CSV)
    assert (pulse_csv.actor, pulse_csv.kind) == (hana, "export")
    assert (insights_csv.actor, insights_csv.detail["level"]) == (hana, 1)


def test_an_export_refused_to_a_manager_records_nothing(client_for, alice):
    assert client_for(alice).get("/pulse/org.csv").status_code == 403
    assert client_for(alice).get("/insights/org.csv").status_code == 403
    assert not AuditEntry.objects.exists()


def test_budget_set_and_spend_are_recorded(client_for, clock, hana, alice, team):
    client_for(hana).post("/rituals/budgets/", {"team": team.pk, "hours": "40", "money": "1000"})
    budget = Budget.objects.get()
    entry = only_entry(AuditEntry.Action.BUDGET_SET)
    assert (entry.actor, entry.kind, entry.target_id) == (hana, "budget", budget.pk)
    assert entry.detail["changed"]["money"] == ["", "1000"]
    client_for(hana).post("/rituals/budgets/", {"team": team.pk, "hours": "40", "money": "1200"})
    latest = AuditEntry.objects.filter(action=AuditEntry.Action.BUDGET_SET).first()
    assert latest.detail["changed"]["money"] == ["1000.00", "1200"]
    client_for(alice).post(
        f"/rituals/budgets/{budget.pk}/",
        {"category": "gathering", "amount": "250", "hours": "6", "spent_on": "2026-11-12"},
    )
    spend = only_entry(AuditEntry.Action.SPEND_LOGGED)
    assert (spend.actor, spend.target_id, spend.detail["amount"]) == (alice, budget.pk, "250")


def test_a_spend_through_the_api_is_recorded(client_for, clock, alice, team):
    budget = set_budget(team=team, quarter=NOW.date(), hours=Decimal(10), money=Decimal(100))
    response = client_for(alice).post(
        f"/api/budgets/{budget.pk}/spends/",
        {"category": "gathering", "amount": "20", "hours": "0", "spent_on": "2026-11-12"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert only_entry(AuditEntry.Action.SPEND_LOGGED).actor == alice


def test_starting_a_programme_is_recorded_with_its_settings(client_for, hana):
    response = client_for(hana).post(
        "/mentorship/programmes/",
        {
            "kind": "coffee",
            "name": "Coffee roulette",
            "cadence_weeks": 2,
            "group_size": 2,
            "max_group_size": 3,
            "cross_team": "on",
            "weeks": 12,
        },
    )
    assert response.status_code == 302
    entry = only_entry(AuditEntry.Action.PROGRAMME_STARTED)
    assert (entry.actor, entry.kind) == (hana, "programme")
    assert entry.target_id == Programme.objects.get().pk
    assert entry.detail["name"] == "Coffee roulette" and entry.detail["team"] == ""


def test_guide_edits_are_recorded(client_for, hana):
    insights_reference.ensure_reference_data()
    old_title = ConversationGuide.objects.get(situation="low").title
    fields = {
        "title": "Low connection",
        "opening": "Let's talk.",
        "questions": "One?",
        "avoid": "Blame",
        "follow_up": "Check back",
    }
    assert client_for(hana).post("/insights/guides/low/", fields).status_code == 302
    entry = only_entry(AuditEntry.Action.GUIDE_EDITED)
    assert (entry.actor, entry.kind) == (hana, "guide")
    assert entry.detail["changed"]["title"] == [old_title, "Low connection"]


def test_outbox_resends_and_the_weekly_limit_are_recorded(client_for, hana, bob):
    nudge = create_nudge(recipient=bob, kind="ritual_reminder", dedupe_key="k", payload={})
    Nudge.objects.filter(pk=nudge.pk).update(status=Nudge.Status.FAILED)
    client = client_for(hana)
    client.post("/nudges/outbox/", {"action": "resend", "nudge": [nudge.pk]})
    resent = only_entry(AuditEntry.Action.NUDGES_RESENT)
    assert (resent.actor, resent.kind, resent.detail) == (hana, "outbox", {"nudges": 1})
    client.post("/nudges/outbox/", {"action": "resend_all"})  # nothing failed: nothing to record
    assert AuditEntry.objects.filter(action=AuditEntry.Action.NUDGES_RESENT).count() == 1
    client.post("/nudges/outbox/", {"action": "ceiling", "nudge_weekly_ceiling": 3})
    ceiling = only_entry(AuditEntry.Action.NUDGE_CEILING)
    assert ceiling.detail == {"changed": {"nudge_weekly_ceiling": [10, 3]}}


def test_org_chart_import_is_recorded_with_its_summary(client_for, hana):
    client = client_for(hana)
    client.post("/org/import/", {"file": SimpleUploadedFile("org.csv", org_csv(ORG))})
    assert not AuditEntry.objects.exists()  # a preview changes nothing
    org_import = OrgImport.objects.get()
    assert client.post(f"/org/import/{org_import.pk}/apply/").status_code == 302
    entry = only_entry(AuditEntry.Action.ORG_IMPORTED)
    assert (entry.actor, entry.kind, entry.target_id) == (hana, "roles", org_import.pk)
    assert entry.detail["created"] == 2 and entry.detail["file"] == "org.csv"


def test_an_import_from_the_command_line_is_recorded_as_hearth(db, tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes(org_csv(ORG))
    call_command("import_org", str(path), stdout=io.StringIO())
    entry = only_entry(AuditEntry.Action.ORG_IMPORTED)
    assert entry.actor is None and entry.detail["people"] == 2


def test_hiding_recognition_is_recorded(client_for, hana, alice, bob):
    recognition = recognise(
        giver=alice,
        receivers=[bob],
        message="Thanks!",
        values=[Value.objects.first()],
        visibility="public",
    )
    client_for(hana).post(f"/rituals/recognition/{recognition.pk}/hide/", {"action": "hide"})
    assert Recognition.objects.get().hidden
    entry = only_entry(AuditEntry.Action.RECOGNITION_HIDDEN)
    assert (entry.actor, entry.detail) == (hana, {"recognition": recognition.pk})


# ---------------------------------------------------------------- the admin


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@example.com", "pw", display_name="Root Admin")


def _user_form(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "team": user.team_id or "",
        "manager": user.manager_id or "",
        "start_date": user.start_date.isoformat() if user.start_date else "",
        "location": user.location,
        "time_zone": user.time_zone,
        "work_start": "09:00",
        "work_end": "17:30",
        "working_days": user.working_days,
        "is_active": "on",
    }
    return data | changes


def test_admin_changes_to_roles_are_recorded(client_for, root, bob):
    response = client_for(root).post(
        f"/admin/connection/user/{bob.pk}/change/", _user_form(bob, is_hr_admin="on")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = only_entry(AuditEntry.Action.PERSON_CHANGED)
    assert (entry.actor, entry.kind, entry.target_id) == (root, "roles", bob.pk)
    assert entry.detail == {"changed": {"is_hr_admin": [False, True]}}


def test_admin_changes_to_team_managers_are_recorded(client_for, root, team, alice, charlie):
    response = client_for(root).post(
        f"/admin/connection/team/{team.pk}/change/",
        {"name": team.name, "parent": team.parent_id, "managers": [alice.pk, charlie.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = only_entry(AuditEntry.Action.TEAM_CHANGED)
    assert entry.detail == {
        "changed": {"managers": [["Alice Moreau"], ["Alice Moreau", "Charlie Brooks"]]}
    }


def test_adding_a_person_in_the_admin_never_records_the_password(client_for, root):
    client_for(root).post(
        "/admin/connection/user/add/",
        {
            "email": "new@example.com",
            "display_name": "New Person",
            "password1": "a-secret-password-41",
            "password2": "a-secret-password-41",
        },
    )
    entry = only_entry(AuditEntry.Action.PERSON_ADDED)
    assert entry.detail == {"email": "new@example.com", "display_name": "New Person"}
    assert "a-secret-password-41" not in str(AuditEntry.objects.values_list("detail"))


def test_admin_cannot_add_change_or_delete_entries(client_for, root, hana):
    entry = record(actor=hana, action=AuditEntry.Action.PULSE_CSV)
    client = client_for(root)
    base = "/admin/connection/auditentry/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{entry.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"{base}{entry.pk}/change/", {"action": "x"}).status_code == 403
    assert client.get(f"{base}{entry.pk}/delete/").status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert AuditEntry.objects.get().action == AuditEntry.Action.PULSE_CSV


# ---------------------------------------------------------------- append-only


def test_the_app_has_no_update_or_delete_path(hana):
    entry = record(actor=hana, action=AuditEntry.Action.PULSE_CSV)
    entry.action = AuditEntry.Action.GUIDE_EDITED
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.update(action="x")
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == AuditEntry.Action.PULSE_CSV


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger is PostgreSQL's; SQLite test runs flush tables with DELETE",
)
def test_postgresql_refuses_raw_update_and_delete(hana):
    record(actor=hana, action=AuditEntry.Action.PULSE_CSV)
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE connection_auditentry SET action = 'guide.edited'",
            "DELETE FROM connection_auditentry",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(sql)
    assert AuditEntry.objects.get().action == AuditEntry.Action.PULSE_CSV


def test_a_person_who_acted_cannot_be_deleted_away(hana):
    record(actor=hana, action=AuditEntry.Action.PULSE_CSV)
    with pytest.raises(ProtectedError), transaction.atomic():
        User.objects.filter(pk=hana.pk).delete()
    assert AuditEntry.objects.get().actor == hana


# ---------------------------------------------------------------- the page


def test_only_hr_reads_the_audit_trail(client, client_for, hana, alice, bob):
    assert client.get("/audit/").status_code == 302  # to the sign-in page
    assert client_for(bob).get("/audit/").status_code == 403
    assert client_for(alice).get("/audit/").status_code == 403
    assert client_for(hana).get("/audit/").status_code == 200
    for page in ("/nudges/outbox/", "/org/import/"):
        assert 'href="/audit/?kind=' in client_for(hana).get(page).content.decode()


def test_page_is_newest_first_and_filters_by_kind(client_for, hana):
    with time_machine.travel(NOW, tick=False) as traveller:
        record(actor=hana, action=AuditEntry.Action.PULSE_CSV)
        traveller.shift(dt.timedelta(hours=1))
        record(actor=None, action=AuditEntry.Action.BUDGET_SET, detail={"money": "5"})
        traveller.shift(dt.timedelta(hours=1))
        record(actor=hana, action=AuditEntry.Action.INSIGHTS_CSV)
    client = client_for(hana)
    page = client.get("/audit/").content.decode()
    assert (
        page.index("exported the insights CSV")
        < page.index("set a budget")
        < page.index("exported the pulse results CSV")
    )
    assert "Hearth (set-up or command line)" in page and "money: 5" in page
    exports = client.get("/audit/", {"kind": "export"}).content.decode()
    assert "exported the insights CSV" in exports and "set a budget" not in exports


def test_page_pages_through_a_long_trail(client_for, hana):
    for _ in range(55):
        record(actor=hana, action=AuditEntry.Action.PULSE_CSV)
    client = client_for(hana)
    first = client.get("/audit/").content.decode()
    assert "Page 1 of 2" in first and "?page=2" in first
    second = client.get("/audit/", {"page": 2}).content.decode()
    assert second.count("exported the pulse results CSV") == 5


@pytest.mark.parametrize(
    "query", [{"kind": "nope"}, {"page": "²"}, {"page": "abc"}, {"page": "0"}, {"page": "1.5"}]
)
def test_bad_filters_are_a_400_with_a_message(client_for, hana, query):
    response = client_for(hana).get("/audit/", query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_page_query_count_does_not_grow_with_entries(
    client_for, hana, django_assert_max_num_queries
):
    client = client_for(hana)
    others = [make_user() for _ in range(3)]
    record(actor=hana, action=AuditEntry.Action.PULSE_CSV)
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    for person in others * 20:
        record(actor=person, action=AuditEntry.Action.BUDGET_SET, target=OrgSettings.load())
    with django_assert_max_num_queries(len(few)):
        assert client.get("/audit/").status_code == 200
