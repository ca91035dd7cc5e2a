"""Builders for test data: make_* with sensible defaults and keyword overrides."""

import datetime as dt
import io
import itertools
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.db import connection as db_connection
from django.db import transaction
from django.test import Client
from django.utils import timezone

from connection.models import Team, User
from rituals.services.rituals import adopt_ritual

_counter = itertools.count(1)


@contextmanager
def seeded_demo(django_db_blocker):
    """The demo organisation for a whole test module: seeded once inside a
    transaction that is rolled back when the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def make_team(*, name: str | None = None, parent: Team | None = None, managers=()) -> Team:
    team = Team.objects.create(name=name or f"Team {next(_counter)}", parent=parent)
    team.managers.set(managers)
    return team


def make_user(**overrides) -> User:
    n = next(_counter)
    fields = {
        "email": f"person{n}@example.com",
        "display_name": f"Person {n}",
        "time_zone": "Europe/Lisbon",
        "start_date": dt.date(2024, 1, 15),
    }
    fields.update(overrides)
    password = fields.pop("password", "correct horse battery")
    return User.objects.create_user(password=password, **fields)


def org_csv(rows: list[list[str]], header: str | None = None) -> bytes:
    """An org chart file: the standard header (or another) and the given rows."""
    header = header or "email,name,team,parent team,manager email,start date,time zone,location"
    lines = [header, *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def race(attempt, *, threads: int = 2, refused: type[Exception] = Exception) -> list[str]:
    """Run `attempt` in several threads released at the same moment (PostgreSQL tests).

    Returns, sorted, "won" for each call that returned and the name of the
    exception for each that raised `refused`.
    """
    outcomes, barrier = [], threading.Barrier(threads)

    def run():
        try:
            barrier.wait()
            attempt()
            outcomes.append("won")
        except refused as error:
            outcomes.append(type(error).__name__)
        finally:
            db_connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(outcomes)


def post_at_once(user, path: str, data: dict, *, times: int = 20) -> list[int]:
    """POST the same form `times` times at the same moment as `user`, as a
    double click (or a flaky network) would; the status codes, sorted.

    Each thread has its own client on one signed-in session (PostgreSQL tests).
    """
    signed_in = Client()
    signed_in.force_login(user)
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    statuses = []

    def attempt():
        client = Client(raise_request_exception=False)
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        statuses.append(client.post(path, data).status_code)

    race(attempt, threads=times)
    return sorted(statuses)


def make_ritual(*, team: Team, created_by: User, **overrides):
    """A synchronous weekly ritual adopted through the service (reminders and all);
    any argument of `adopt_ritual` can be overridden."""
    fields = {
        "name": "Co-working",
        "format": "sync",
        "rule": "FREQ=WEEKLY;BYDAY=TH",
        "start_time": dt.time(10, 0),
        "time_zone": "UTC",
        "duration": 15,
        "hypothesis": "People will ask more small questions.",
        "confirm_outside_hours": True,
    } | overrides
    return adopt_ritual(team=team, created_by=created_by, **fields)


def shows_errors(response) -> bool:
    """A form page shown again with what was wrong: 200 (a browser keeps the person on
    the page, with no console error), each message a role="alert"."""
    return response.status_code == 200 and b'role="alert"' in response.content


def working_around_the_clock(user: User, *, channel: str, **fields) -> None:
    """Every day, all day, counts as working time for `user`, so delivery never waits
    (browser tests, which run at the real or a pinned time of day); `fields` sets more.

    00:00-23:59 leaves the last minute of the day out; near midnight UTC the
    person lives in Tokyo instead, where it is morning.
    """
    User.objects.filter(pk=user.pk).update(
        nudge_channel=channel,
        time_zone="UTC" if 1 <= timezone.now().hour <= 22 else "Asia/Tokyo",
        work_start=dt.time(0, 0),
        work_end=dt.time(23, 59),
        working_days="1234567",
        snoozed_until=None,
        muted_nudge_kinds=[],
        **fields,
    )
    user.refresh_from_db()
