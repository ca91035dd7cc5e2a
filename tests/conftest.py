"""Personas from STYLE.md: alice manages `team`, bob is on it, charlie is an
outsider on another team, hana is an HR admin.

HEARTH_TEST_NOW=<ISO instant with offset> runs the whole session at that
"today" (time-machine, ticking); tests that travel themselves nest inside it.
"""

import datetime as dt
import os

import pytest
import time_machine
from django.conf import settings as django_settings

from connection.models.org import remember_language
from insights.dashboards.common import forget_org_wide
from pulse.answering import forget as forget_open_round
from tests.helpers import make_team, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests check behaviour, not bcrypt cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_open_round():
    # The API keeps the open round for a few seconds per process (pulse/answering.py);
    # each test starts without the one an earlier test opened.
    forget_open_round()
    yield
    forget_open_round()


@pytest.fixture(autouse=True)
def org_language_known():
    # Pages read the organisation's language once a minute per process (connection/i18n.py),
    # costing a query once in five minutes; each test starts with it known, as a
    # running server mostly has it, so query counts do not depend on test order.
    remember_language(django_settings.LANGUAGE_CODE)
    yield
    remember_language(None)


@pytest.fixture(autouse=True)
def fresh_org_wide_tables():
    # HR pages keep org-wide tables per process for a few minutes
    # (insights.dashboards.common.org_wide); each test computes its own.
    forget_org_wide()
    yield
    forget_org_wide()


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


PINNED_NOW = pytest.StashKey[dt.datetime]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    value = os.environ.get("HEARTH_TEST_NOW", "").strip()
    if not value:
        return
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise pytest.UsageError(f"HEARTH_TEST_NOW={value!r}: {error}") from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"HEARTH_TEST_NOW={value!r} needs an offset, e.g. Z or +00:00")
    # A timestamp, not the datetime: time-machine would otherwise set TZ for the
    # process and the Chromium it starts. Ticking, so timeouts and "later" work.
    traveller = time_machine.travel(instant.timestamp(), tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)
    config.stash[PINNED_NOW] = instant.astimezone(dt.UTC)


def pytest_report_header(config):
    # The clock as the tests see it, so a CI log says which "today" failed.
    now = f"hearth now: {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"
    if PINNED_NOW in config.stash:
        return f"{now}, pinned by HEARTH_TEST_NOW={config.stash[PINNED_NOW]:%Y-%m-%dT%H:%M:%SZ}"
    return f"{now}, the real clock (HEARTH_TEST_NOW=<ISO instant> pins another)"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # -q hides the header; a failing CI log still says at which "today" it failed.
    if PINNED_NOW in config.stash:
        pinned = f"{config.stash[PINNED_NOW]:%Y-%m-%dT%H:%M:%SZ}"
        terminalreporter.write_line(f"hearth now: pinned by HEARTH_TEST_NOW={pinned}")
