"""Personas from STYLE.md: alice manages `team`, bob is on it, charlie is an
outsider on another team, hana is an HR admin."""

import pytest

from tests.helpers import make_team, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests check behaviour, not bcrypt cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department(db):
    return make_team(name="Engineering")


@pytest.fixture
def team(department):
    return make_team(name="Platform", parent=department)


@pytest.fixture
def subteam(team):
    return make_team(name="Reliability", parent=team)


@pytest.fixture
def other_team(db):
    return make_team(name="Sales")


@pytest.fixture
def alice(team):
    user = make_user(
        email="alice@example.com",
        display_name="Alice Moreau",
        time_zone="America/New_York",
        team=team,
    )
    team.managers.add(user)
    return user


@pytest.fixture
def bob(team, alice):
    return make_user(
        email="bob@example.com",
        display_name="Bob Ferreira",
        time_zone="Europe/Lisbon",
        team=team,
        manager=alice,
    )


@pytest.fixture
def charlie(other_team):
    return make_user(
        email="charlie@example.com",
        display_name="Charlie Brooks",
        time_zone="Asia/Kolkata",
        team=other_team,
    )


@pytest.fixture
def hana(db):
    return make_user(
        email="hana@example.com",
        display_name="Hana Ito",
        time_zone="Europe/London",
        is_hr_admin=True,
    )


@pytest.fixture
def client_for(client):
    """Log the test client in as a persona: `client_for(bob).get(...)`."""

    def login(user):
        client.force_login(user)
        return client

    return login
