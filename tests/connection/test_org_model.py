import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError

from connection.models import Team, User, shared_working_window
from tests.helpers import make_team, make_user, shows_errors


def test_team_paths_follow_the_hierarchy(department, team, subteam):
    subteam.refresh_from_db()
    assert subteam.path == f"/{department.pk}/{team.pk}/{subteam.pk}/"
    assert subteam.depth == 2


def test_moving_a_team_moves_its_sub_teams(department, team, subteam, other_team):
    team.parent = other_team
    team.save()
    subteam.refresh_from_db()
    assert subteam.path.startswith(f"/{other_team.pk}/{team.pk}/")


def test_a_team_cannot_sit_below_itself(team, subteam):
    team.parent = subteam
    with pytest.raises(ValidationError):
        team.full_clean()


def test_roles(alice, bob, hana):
    assert (alice.role, bob.role, hana.role) == ("manager", "employee", "hr")


def test_email_login_is_case_insensitive(client, db):
    make_user(email="nia@example.com", password="s3cret-enough-pass")
    response = client.post(
        "/login/", {"username": "NIA@Example.com", "password": "s3cret-enough-pass"}
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_unknown_time_zone_is_refused(db):
    person = make_user()
    person.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError):
        person.full_clean()


def test_working_hours_cannot_be_empty(db):
    with pytest.raises(IntegrityError):
        make_user(work_start=dt.time(9), work_end=dt.time(9))


@pytest.mark.parametrize(
    ("zone", "utc_hour", "working"),
    [
        ("Europe/Lisbon", 9, True),  # 09:00 local on a Wednesday
        ("Asia/Kolkata", 9, True),  # 14:30 local
        ("America/New_York", 9, False),  # 04:00 local
        ("America/New_York", 14, True),  # 09:00 local
    ],
)
def test_is_working_at_uses_the_persons_zone(db, zone, utc_hour, working):
    person = make_user(time_zone=zone)
    wednesday = dt.datetime(2026, 11, 25, utc_hour, 0, tzinfo=dt.UTC)
    assert person.is_working_at(wednesday) is working


def test_nobody_works_on_their_day_off(db):
    person = make_user(working_days="12345")
    saturday_noon = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    assert not person.is_working_at(saturday_noon)


def test_night_shift_crosses_midnight(db):
    person = make_user(time_zone="UTC", work_start=dt.time(22), work_end=dt.time(6))
    assert person.is_working_at(dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC))  # Thu 02:00
    assert not person.is_working_at(dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC))


def test_shared_window_of_new_york_lisbon_and_berlin(db):
    people = [
        make_user(time_zone="America/New_York"),
        make_user(time_zone="Europe/Lisbon"),
        make_user(time_zone="Europe/Berlin"),
    ]
    start, end, working, total = shared_working_window(people, dt.date(2026, 11, 25))
    # New York starts 14:00 UTC, Berlin ends 16:30 UTC.
    assert (start.time(), end.time()) == (dt.time(14, 0), dt.time(16, 30))
    assert working == total == 3


def test_shared_window_without_an_hour_for_everyone(db):
    people = [make_user(time_zone="America/New_York"), make_user(time_zone="Asia/Kolkata")]
    _, _, working, total = shared_working_window(people, dt.date(2026, 11, 25))
    assert (working, total) == (1, 2)


def hours_form(**overrides) -> dict:
    form = {
        "display_name": "Bob F.",
        "time_zone": "Europe/Berlin",
        "work_start": "08:00",
        "work_end": "16:00",
        "working_days": ["1", "2", "3", "4"],
    }
    return form | overrides


def test_profile_saves_hours_and_zone(client_for, bob):
    response = client_for(bob).post("/profile/", hours_form())
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.time_zone, bob.work_start, bob.working_days) == (
        "Europe/Berlin",
        dt.time(8),
        "1234",
    )


def test_profile_refuses_bad_input_and_keeps_the_old_values(client_for, bob):
    response = client_for(bob).post(
        "/profile/",
        hours_form(time_zone="Nowhere/City", work_start="09:00", work_end="09:00", working_days=[]),
    )
    assert shows_errors(response)
    body = response.content.decode()
    assert "must end at a different time" in body
    bob.refresh_from_db()
    assert bob.time_zone == "Europe/Lisbon"


def test_deleting_a_manager_keeps_their_reports(alice, bob):
    alice.delete()
    bob.refresh_from_db()
    assert bob.manager is None
    assert User.objects.filter(pk=bob.pk).exists()


def test_a_team_with_people_below_cannot_lose_its_parent_silently(department, team):
    with pytest.raises(ProtectedError):
        department.delete()
    assert Team.objects.filter(pk=team.pk).exists()


def test_make_team_builder_sets_managers(db, alice):
    extra = make_team(managers=[alice])
    assert alice in extra.managers.all()


def test_profile_keeps_skills_and_interests_for_mentoring(client_for, bob):
    client_for(bob).post(
        "/profile/", hours_form(skills_text="SQL, on-call, sql", interests_text="Design reviews")
    )
    bob.refresh_from_db()
    assert (bob.skills, bob.interests) == (["SQL", "on-call"], ["Design reviews"])


def test_a_root_team_s_lineage_is_itself(department):
    assert department.lineage_ids == [department.pk]


def test_a_team_s_lineage_runs_from_the_root_down(department, team, subteam):
    assert subteam.lineage_ids == [department.pk, team.pk, subteam.pk]


def test_a_moved_team_s_lineage_follows_it(department, team, subteam, other_team):
    team.parent = other_team
    team.save()
    subteam.refresh_from_db()
    assert subteam.lineage_ids == [other_team.pk, team.pk, subteam.pk]


@pytest.mark.parametrize(
    ("path", "ids"),
    [("/3/7/12/", [3, 7, 12]), ("/3/", [3]), ("", []), (None, [])],
)
def test_ids_on_a_frozen_path(path, ids):
    assert Team.ids_on_path(path) == ids


@pytest.mark.parametrize(
    ("start_date", "newcomer"),
    [
        (dt.date(2026, 11, 16), True),  # starts today
        (dt.date(2026, 12, 1), True),  # not started yet
        (dt.date(2026, 8, 19), True),  # day 89
        (dt.date(2026, 8, 18), False),  # day 90: settled
        (None, False),  # no start date on record
    ],
)
def test_a_person_is_a_newcomer_for_their_first_90_days(db, start_date, newcomer):
    person = make_user(start_date=start_date)
    assert person.is_newcomer(dt.date(2026, 11, 16)) is newcomer
