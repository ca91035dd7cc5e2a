import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from connection import settings as hearth_settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hearth.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    env["SECRET_KEY"] = ""
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_database_url_selects_the_database(tmp_path):
    env = {"DATABASE_URL": "postgres://hearth:pw@db.internal:5433/hearthdb"}
    code = (
        "from django.conf import settings as s; import json; d = s.DATABASES['default'];"
        "print(json.dumps([d['ENGINE'], d['HOST'], d['PORT'], d['NAME']]))"
    )
    result = run_manage("shell", "-c", code, **env)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "django.db.backends.postgresql",
        "db.internal",
        5433,
        "hearthdb",
    ]


def test_redis_url_switches_the_broker_from_the_file_system():
    code = "from django.conf import settings as s; print(s.CELERY_BROKER_URL)"
    with_redis = run_manage("shell", "-c", code, REDIS_URL="redis://cache:6379/1")
    assert with_redis.stdout.strip().splitlines()[-1] == "redis://cache:6379/1"
    embedded = run_manage("shell", "-c", code, REDIS_URL="")
    assert embedded.stdout.strip().splitlines()[-1] == "filesystem://"


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("HEARTH_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="HEARTH_FLAG must be true or false"):
        hearth_settings.env_bool("HEARTH_FLAG")


def test_env_int_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("HEARTH_NUMBER", "five")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        hearth_settings.env_int("HEARTH_NUMBER", 5)


def test_time_is_utc_and_aware(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "UTC"
