"""The dates CI runs the suite at (.ci/dates.py) and the HEARTH_TEST_NOW hook that pins them."""

import datetime as dt
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
_spec = importlib.util.spec_from_file_location("ci_dates", ROOT / ".ci" / "dates.py")
ci_dates = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ci_dates)

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_from_a_december_afternoon_the_next_risky_instants():
    assert ci_dates.risky_instants(utc(2026, 12, 2, 15, 20)) == [
        ("europe-spring", utc(2027, 3, 28, 1, 30)),
        ("us-autumn", utc(2027, 11, 7, 6, 30)),
        ("new-year-eve", utc(2026, 12, 31, 23, 30)),
        ("leap-day", utc(2028, 2, 29, 12)),
        ("monday", utc(2026, 12, 7, 0, 5)),
    ]


def test_once_europe_has_sprung_forward_its_autumn_and_the_us_spring_come_next():
    instants = dict(ci_dates.risky_instants(utc(2027, 3, 28, 2)))
    assert instants["europe-autumn"] == utc(2027, 10, 31, 1, 30)
    assert instants["us-spring"] == utc(2028, 3, 12, 7, 30)
    assert instants["leap-day"] == utc(2028, 2, 29, 12)
    assert instants["new-year-eve"] == utc(2027, 12, 31, 23, 30)


@pytest.mark.parametrize("month", range(1, 13))
def test_each_instant_is_ahead_of_the_clock_and_as_risky_as_named(month):
    after = utc(2027, month, 28, 1, 15)
    instants = dict(ci_dates.risky_instants(after))
    assert all(instant > after for instant in instants.values())
    europe = next(v for k, v in instants.items() if k.startswith("europe"))
    america = next(v for k, v in instants.items() if k.startswith("us"))
    # Half an hour after the local clocks moved: a minute before the switch
    # the offset was another.
    for instant, zone in ((europe, BERLIN), (america, NEW_YORK)):
        before = instant - dt.timedelta(minutes=31)
        assert instant.astimezone(zone).utcoffset() != before.astimezone(zone).utcoffset()
        assert (instant - dt.timedelta(minutes=29)).astimezone(zone).utcoffset() == (
            instant.astimezone(zone).utcoffset()
        )
    assert {k.split("-")[1] for k in instants if k.startswith(("europe", "us"))} == {
        "spring",
        "autumn",
    }
    assert (instants["leap-day"].month, instants["leap-day"].day) == (2, 29)
    assert instants["monday"].weekday() == 0 and instants["monday"].time() == dt.time(0, 5)
    assert instants["new-year-eve"].strftime("%m-%d %H:%M") == "12-31 23:30"


def run_pytest_header(value: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HEARTH_TEST_NOW": value}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-p", "no:cacheprovider"]
        + ["tests/connection/test_health.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_hearth_test_now_pins_the_session_and_the_header_says_so():
    result = run_pytest_header("2028-02-29T12:00:00+00:00")
    assert result.returncode == 0, result.stderr
    # The header's clock is read through the travel, so it shows the pinned day.
    assert "hearth now: 2028-02-29T12:00:" in result.stdout
    # In the header and again at the end, where -q (CI) still shows it.
    assert result.stdout.count("pinned by HEARTH_TEST_NOW=2028-02-29T12:00:00Z") == 2


@pytest.mark.parametrize("value", ["2028-02-30T12:00Z", "2028-02-29T12:00"])
def test_hearth_test_now_refuses_a_bad_or_naive_instant(value):
    result = run_pytest_header(value)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"HEARTH_TEST_NOW={value!r}" in result.stderr
