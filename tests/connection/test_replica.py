"""The read replica (connection/db_router.py): with a second database under the alias
"replica", holding rows default does not, the dashboards show the replica's and every
other read shows default's; a read after a write, inside the view's own transaction, or
of the settings rows goes to default.

The replica is a real second test database, made for this module only (a few seconds
of migrations), not a TEST MIRROR: a mirror would show the same rows either way."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.test import override_settings

from connection.db_router import REPLICA, reads_replica
from connection.models import OrgSettings, Team, User
from insights.models import TeamWeek

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(databases=["default", REPLICA])


class _Migrating:
    def db_for_read(self, model, **hints) -> str:
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return REPLICA


@pytest.fixture(scope="module", autouse=True)
def replica_database(django_db_setup, django_db_blocker):
    """Add the "replica" alias and make its test database; both go after the module.
    (pytest-django makes only the databases configured at start, which has none.)"""
    default = connections["default"].settings_dict
    replica = copy.deepcopy(default)
    # PostgreSQL: a database of its own beside the test one; SQLite: one in memory.
    replica["TEST"] = replica["TEST"] | {
        "MIRROR": None,
        "NAME": f"{default['NAME']}_replica" if connection.vendor == "postgresql" else None,
    }
    django_settings.DATABASES[REPLICA] = connections.settings[REPLICA] = replica
    original = replica["NAME"]
    # Data migrations use the default manager: while the replica's schema is made,
    # every query goes to it, as `migrate --database` on a database of its own would.
    with django_db_blocker.unblock(), override_settings(DATABASE_ROUTERS=[_Migrating()]):
        connections[REPLICA].creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    yield
    with django_db_blocker.unblock():
        connections[REPLICA].creation.destroy_test_db(original, verbosity=0)
    connections[REPLICA].close()
    del connections[REPLICA]
    django_settings.DATABASES.pop(REPLICA, None)
    connections.settings.pop(REPLICA, None)


@pytest.fixture(autouse=True)
def routed(settings):
    settings.DATABASE_ROUTERS = ["connection.db_router.ReplicaRouter"]


def _replicate(*models) -> None:
    """What replication would bring over: default's rows as they are now."""
    for model in models:
        rows = list(model._base_manager.using("default").all())
        model._base_manager.using(REPLICA).bulk_create(rows)


def _rename_on_replica(team: Team, name: str) -> None:
    Team.objects.using(REPLICA).filter(pk=team.pk).update(name=name)


def test_the_team_dashboards_read_the_replica_and_other_pages_default(client, alice, team):
    _replicate(Team, User, Team.managers.through)
    _rename_on_replica(team, "Platform as the replica has it")
    client.force_login(alice)

    for path in ("/insights/", "/pulse/results/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Platform as the replica has it" in page.content.decode(), path
    # The home page is not a dashboard: it reads default.
    home = client.get("/").content.decode()
    assert "Platform" in home and "Platform as the replica has it" not in home


def test_the_org_api_and_page_read_the_replicas_figures(client, hana, team):
    _replicate(Team, User)
    week = dt.date(2026, 11, 16)
    TeamWeek.objects.using(REPLICA).create(team=None, week=week, members=40, score_rolling=71)
    client.force_login(hana)

    assert client.get("/api/insights/org/").json()["week"] == week.isoformat()
    assert not TeamWeek.objects.exists()  # default has no week: it was the replica's
    assert "Organisation connection score by week" in client.get("/insights/org/").content.decode()


def test_reads_after_a_write_or_in_a_transaction_go_to_default(team):
    _replicate(Team)
    _rename_on_replica(team, "Replica")

    @reads_replica
    def names() -> list[str]:
        seen = [Team.objects.get(pk=team.pk).name]
        with transaction.atomic():
            seen.append(Team.objects.get(pk=team.pk).name)
        seen.append(Team.objects.get(pk=team.pk).name)
        Team.objects.filter(pk=team.pk).update(members_adopt_rituals=True)
        seen.append(Team.objects.get(pk=team.pk).name)
        return seen

    assert names() == ["Replica", "Platform", "Replica", "Platform"]
    assert Team.objects.get(pk=team.pk).name == "Platform"  # outside a marked view


def test_the_privacy_settings_come_from_default(team):
    OrgSettings.load()
    _replicate(Team, OrgSettings)
    OrgSettings.objects.using(REPLICA).update(min_group_size=9)
    _rename_on_replica(team, "Replica")

    @reads_replica
    def read() -> tuple[int, str]:
        # load() is a get_or_create: it must not count as a write that ends the replica.
        return OrgSettings.load().min_group_size, Team.objects.get(pk=team.pk).name

    assert read() == (OrgSettings.objects.get().min_group_size, "Replica")
    assert OrgSettings.objects.get().min_group_size != 9


def _databases_with(env: dict[str, str]) -> dict:
    code = (
        "from django.conf import settings as s; import json; print(json.dumps({'routers': "
        "s.DATABASE_ROUTERS, 'databases': {k: [v['HOST'], v.get('DISABLE_SERVER_SIDE_CURSORS', "
        "False)] for k, v in s.DATABASES.items()}}))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment | {"DATABASE_URL": "postgres://hearth@primary.internal/hearth"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_settings_add_the_replica_and_the_pooler_setting_only_when_asked():
    plain = _databases_with({})
    assert plain == {"routers": [], "databases": {"default": ["primary.internal", False]}}
    both = _databases_with(
        {
            "DATABASE_REPLICA_URL": "postgres://hearth@replica.internal/hearth",
            "DATABASE_POOLER": "pgbouncer",
        }
    )
    assert both == {
        "routers": ["connection.db_router.ReplicaRouter"],
        "databases": {"default": ["primary.internal", True], "replica": ["replica.internal", True]},
    }
