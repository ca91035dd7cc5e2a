import datetime as dt
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from connection.models import OrgImport, Team, User
from connection.services import ImportRejected, apply_org_import, import_org_chart
from tests.helpers import make_user, org_csv, race, shows_errors

GOOD = [
    [
        "victor@acme.test",
        "Victor Head",
        "Engineering",
        "",
        "",
        "2019-02-01",
        "Europe/London",
        "office",
    ],
    [
        "alice@acme.test",
        "Alice Lead",
        "Platform",
        "Engineering",
        "victor@acme.test",
        "2021-05-03",
        "America/New_York",
        "remote",
    ],
    [
        "bob@acme.test",
        "Bob Dev",
        "Platform",
        "Engineering",
        "alice@acme.test",
        "2023-09-11",
        "Europe/Lisbon",
        "remote",
    ],
    [
        "ravi@acme.test",
        "Ravi SRE",
        "Reliability",
        "Platform",
        "alice@acme.test",
        "2022-01-10",
        "Asia/Kolkata",
        "hybrid",
    ],
    [
        "nia@acme.test",
        "Nia New",
        "Platform",
        "Engineering",
        "alice@acme.test",
        "",
        "Europe/Berlin",
        "hybrid",
    ],
]


def upload(client, data: bytes, name: str = "org.csv"):
    return client.post("/org/import/", {"file": SimpleUploadedFile(name, data, "text/csv")})


def test_good_file_builds_teams_people_and_managers(db):
    plan = import_org_chart(data=org_csv(GOOD), filename="org.csv")
    assert plan.ok
    alice = User.objects.get(email="alice@acme.test")
    assert alice.manager.email == "victor@acme.test"
    assert alice.time_zone == "America/New_York"
    platform = Team.objects.get(name="Platform")
    assert platform.parent.name == "Engineering"
    assert set(platform.managers.values_list("email", flat=True)) == {"alice@acme.test"}
    assert set(Team.objects.get(name="Engineering").managers.values_list("email", flat=True)) == {
        "victor@acme.test"
    }
    # Reliability's only member reports to Alice, who sits in the team above.
    reliability = Team.objects.get(name="Reliability")
    assert set(reliability.managers.values_list("email", flat=True)) == {"alice@acme.test"}
    assert reliability.path == f"{platform.path}{reliability.pk}/"
    assert User.objects.get(email="nia@acme.test").start_date is None


def test_imported_manager_sees_the_sub_team(db):
    import_org_chart(data=org_csv(GOOD), filename="org.csv")
    alice = User.objects.get(email="alice@acme.test")
    assert set(Team.objects.visible_to(alice).values_list("name", flat=True)) == {
        "Platform",
        "Reliability",
    }


def test_reimporting_the_same_file_changes_nothing(db):
    import_org_chart(data=org_csv(GOOD), filename="org.csv")
    before = list(User.objects.order_by("pk").values())
    teams_before = list(Team.objects.order_by("pk").values())
    plan = import_org_chart(data=org_csv(GOOD), filename="org.csv")
    assert plan.summary()["unchanged"] == len(GOOD)
    assert not plan.has_changes
    assert list(User.objects.order_by("pk").values()) == before
    assert list(Team.objects.order_by("pk").values()) == teams_before


def test_changed_row_updates_only_that_person(db):
    import_org_chart(data=org_csv(GOOD), filename="org.csv")
    moved = [row[:] for row in GOOD]
    moved[2][6] = "Europe/Paris"
    plan = import_org_chart(data=org_csv(moved), filename="org.csv")
    assert [(p.email, fields) for p, fields in plan.updates] == [("bob@acme.test", ["time_zone"])]
    assert User.objects.get(email="bob@acme.test").time_zone == "Europe/Paris"


def test_missing_people_are_kept_unless_deactivation_is_asked(db):
    import_org_chart(data=org_csv(GOOD), filename="org.csv")
    without_nia = GOOD[:4]
    plan = import_org_chart(data=org_csv(without_nia), filename="org.csv")
    assert [u.email for u in plan.missing] == ["nia@acme.test"]
    assert User.objects.get(email="nia@acme.test").is_active
    import_org_chart(data=org_csv(without_nia), filename="org.csv", deactivate_missing=True)
    nia = User.objects.get(email="nia@acme.test")
    assert not nia.is_active  # deactivated, never deleted


def test_deactivated_person_returns_when_back_in_the_file(db):
    import_org_chart(data=org_csv(GOOD), filename="org.csv")
    import_org_chart(data=org_csv(GOOD[:4]), filename="org.csv", deactivate_missing=True)
    import_org_chart(data=org_csv(GOOD), filename="org.csv")
    assert User.objects.get(email="nia@acme.test").is_active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            org_csv(
                [["a@acme.test", "A", "T", "", "", "", "UTC", "remote"]],
                header="email,name,team,manager,start date,time zone,location",
            ),
            "The header row has missing “parent team”, “manager email”; unexpected “manager”",
        ),
        (
            org_csv([GOOD[0], [*GOOD[1][:6], "Europe/Lisbn", "remote"]]),
            "Row 3: time zone “Europe/Lisbn” is not a known IANA time zone "
            "(did you mean Europe/Lisbon?).",
        ),
        (
            org_csv([GOOD[0], GOOD[1], [GOOD[1][0].upper(), *GOOD[1][1:]]]),
            "Row 4: alice@acme.test is already on row 3.",
        ),
        (
            org_csv(
                [
                    ["a@acme.test", "A", "T", "", "b@acme.test", "", "UTC", "remote"],
                    ["b@acme.test", "B", "T", "", "c@acme.test", "", "UTC", "remote"],
                    ["c@acme.test", "C", "T", "", "a@acme.test", "", "UTC", "remote"],
                ]
            ),
            "managers form a loop (a@acme.test → b@acme.test → c@acme.test → a@acme.test)",
        ),
        (
            org_csv([["a@acme.test", "A", "T", "", "a@acme.test", "", "UTC", "remote"]]),
            "Row 2: a person cannot be their own manager.",
        ),
        (
            org_csv([["a@acme.test", "A", "T", "", "ghost@acme.test", "", "UTC", "remote"]]),
            "Row 2: manager ghost@acme.test is neither in this file nor in Hearth.",
        ),
        (
            org_csv(
                [
                    ["a@acme.test", "A", "T", "U", "", "", "UTC", "remote"],
                    ["b@acme.test", "B", "U", "T", "", "", "UTC", "remote"],
                ]
            ),
            "teams form a loop",
        ),
        (
            org_csv(
                [
                    ["a@acme.test", "A", "T", "U", "", "", "UTC", "remote"],
                    ["b@acme.test", "B", "T", "V", "", "", "UTC", "remote"],
                ]
            ),
            "Row 3: team “T” has parent “V” here but “U” on row 2.",
        ),
        (
            org_csv([["a@acme.test", "A", "T", "", "", "31/12/2024", "UTC", "moon"]]),
            "Row 2: start date “31/12/2024” is not a date like 2026-03-31; location “moon” must be",
        ),
        (
            "email,name,team,parent team,manager email,start date,time zone,location\n"
            "a@acme.test,Jos\xe9,T,,,,UTC,remote\n".encode("latin-1"),
            "Row 2: this row is not UTF-8 text",
        ),
        (org_csv([]), "The file has a header but no people."),
        (
            org_csv([["a@acme.test", "A", "T"]]),
            "Row 2: this row has 3 cells where the header has 8.",
        ),
    ],
    ids=[
        "wrong-columns",
        "unknown-zone",
        "duplicate-email",
        "manager-cycle",
        "own-manager",
        "unknown-manager",
        "team-cycle",
        "conflicting-parent",
        "bad-date-and-location",
        "not-utf8",
        "header-only",
        "short-row",
    ],
)
def test_bad_files_are_refused_with_a_row_message_and_nothing_written(
    client_for, hana, data, message
):
    users_before, teams_before = User.objects.count(), Team.objects.count()
    response = upload(client_for(hana), data)
    assert shows_errors(response)
    text = html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
    assert message in text
    assert "Nothing was imported" in text
    assert (User.objects.count(), Team.objects.count()) == (users_before, teams_before)
    assert not OrgImport.objects.exists()


def test_browser_preview_writes_nothing_until_confirmed(client_for, hana):
    client = client_for(hana)
    response = upload(client, org_csv(GOOD))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Import 5 people" in body
    assert not User.objects.filter(email="alice@acme.test").exists()
    org_import = OrgImport.objects.get()
    response = client.post(f"/org/import/{org_import.pk}/apply/")
    assert response.status_code == 302
    assert User.objects.filter(email__endswith="@acme.test").count() == 5
    follow = client.get(response.url).content.decode()
    assert "Imported 5 people: 5 new, 0 updated, 0 unchanged, 0 deactivated." in follow


def test_preview_lists_people_missing_from_the_file(client_for, hana):
    make_user(email="gone@acme.test", display_name="Gone Person")
    body = upload(client_for(hana), org_csv(GOOD)).content.decode()
    assert "Gone Person" in body
    assert "Deactivate people who are not in this file" in body


def test_the_importer_is_never_listed_as_missing(client_for, hana):
    body = upload(client_for(hana), org_csv(GOOD)).content.decode()
    assert "not in this file" not in body


def test_an_empty_upload_is_refused(client_for, hana):
    response = upload(client_for(hana), b"")
    assert shows_errors(response)
    assert "The submitted file is empty." in response.content.decode()


def test_an_empty_file_is_refused_by_the_command(tmp_path, db, capsys):
    path = tmp_path / "org.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_org", str(path))
    assert "The file is empty." in capsys.readouterr().err


def test_a_preview_can_be_applied_only_once(client_for, hana):
    client = client_for(hana)
    upload(client, org_csv(GOOD))
    org_import = OrgImport.objects.get()
    client.post(f"/org/import/{org_import.pk}/apply/")
    response = client.post(f"/org/import/{org_import.pk}/apply/", follow=True)
    assert "already been imported" in response.content.decode()
    assert User.objects.filter(email__endswith="@acme.test").count() == 5


def test_apply_checks_again_and_rolls_back_when_the_database_changed(client_for, hana):
    rows = [
        *GOOD,
        ["zed@acme.test", "Zed", "Platform", "Engineering", "boss@acme.test", "", "UTC", "remote"],
    ]
    boss = make_user(email="boss@acme.test")
    client = client_for(hana)
    assert upload(client, org_csv(rows)).status_code == 200
    boss.delete()  # the external manager vanished between preview and apply
    org_import = OrgImport.objects.get()
    with pytest.raises(ImportRejected, match="boss@acme.test"):
        apply_org_import(org_import=org_import, applied_by=hana)
    assert not User.objects.filter(email__endswith="@acme.test").exists()
    org_import.refresh_from_db()
    assert org_import.status == OrgImport.Status.PREVIEWED


def test_employees_cannot_apply_an_import(client_for, hana, bob):
    upload(client_for(hana), org_csv(GOOD))
    org_import = OrgImport.objects.get()
    response = client_for(bob).post(f"/org/import/{org_import.pk}/apply/")
    assert response.status_code == 403
    assert not User.objects.filter(email__endswith="@acme.test").exists()


def test_import_org_command(tmp_path, db):
    path = tmp_path / "org.csv"
    path.write_bytes(org_csv(GOOD))
    call_command("import_org", str(path))
    assert User.objects.filter(email__endswith="@acme.test").count() == 5


def test_import_org_command_names_the_bad_row(tmp_path, db, capsys):
    path = tmp_path / "org.csv"
    path.write_bytes(org_csv([GOOD[0], [*GOOD[1][:6], "Mars/Base", "remote"]]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_org", str(path))
    assert "Row 3: time zone “Mars/Base”" in capsys.readouterr().err
    assert not User.objects.exists()


def test_import_org_command_deactivates_on_request(tmp_path, db):
    path = tmp_path / "org.csv"
    path.write_bytes(org_csv(GOOD))
    call_command("import_org", str(path))
    path.write_bytes(org_csv(GOOD[:3]))
    call_command("import_org", str(path), "--deactivate-missing")
    assert set(User.objects.filter(is_active=False).values_list("email", flat=True)) == {
        "ravi@acme.test",
        "nia@acme.test",
    }


def test_seed_demo_builds_the_personas(db):
    call_command("seed_demo")
    assert User.objects.count() == 150
    assert Team.objects.count() == 12
    assert max(Team.objects.values_list("depth", flat=True)) == 2
    alice = User.objects.get(email="alice@hearth.example")
    assert alice.role == "manager"
    reliability = Team.objects.get(name="Reliability")
    assert reliability.members.count() == 4
    assert reliability in Team.objects.visible_to(alice)
    assert User.objects.get(email="hana@hearth.example").is_hr_admin
    nia = User.objects.get(email="nia@hearth.example")
    assert nia.tenure_days() == 2
    zones = set(User.objects.values_list("time_zone", flat=True))
    assert {"America/New_York", "Europe/Lisbon", "Europe/Berlin", "Asia/Kolkata"} <= zones


def test_seed_demo_if_empty_leaves_an_existing_org_alone(db, capsys):
    make_user()
    call_command("seed_demo", "--if-empty")
    assert User.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_racing_applies_leave_one_winner(hana):
    org_import = OrgImport.objects.create(
        uploaded_by=hana, content=org_csv(GOOD).decode(), filename="org.csv"
    )
    outcomes = race(
        lambda: apply_org_import(org_import=org_import, applied_by=hana), refused=ImportRejected
    )
    assert outcomes == ["ImportRejected", "won"]
    assert User.objects.filter(email__endswith="@acme.test").count() == 5


def test_start_dates_are_dates(db):
    import_org_chart(data=org_csv(GOOD), filename="org.csv")
    assert User.objects.get(email="bob@acme.test").start_date == dt.date(2023, 9, 11)


def test_hr_exports_the_chart_and_uploading_it_again_changes_nothing(client_for, hana):
    source = org_csv(
        [
            [
                "lead@example.com",
                "Lena Lead",
                "Platform",
                "Engineering",
                "",
                "2020-02-01",
                "Europe/Berlin",
                "hybrid",
            ],
            [
                "dev@example.com",
                "Dev Eloper",
                "Platform",
                "Engineering",
                "lead@example.com",
                "2024-05-06",
                "Asia/Kolkata",
                "remote",
            ],
        ]
    )
    client = client_for(hana)
    upload(client, source)
    client.post(f"/org/import/{OrgImport.objects.latest('pk').pk}/apply/")
    exported = client.get("/org/export.csv")
    assert exported["Content-Disposition"] == 'attachment; filename="org-chart.csv"'
    text = exported.content.decode()
    assert text.splitlines()[0] == (
        "email,name,team,parent team,manager email,start date,time zone,location"
    )
    assert "dev@example.com,Dev Eloper,Platform,Engineering,lead@example.com,2024-05-06" in text
    again = upload(client, exported.content, "org-chart.csv")
    plan = again.context["plan"]
    assert plan.ok and not plan.creates and not plan.updates
    template = client.get("/org/export.csv?template=1").content.decode().splitlines()
    assert len(template) == 2 and template[0] == text.splitlines()[0]
