"""Every CSV Hearth writes is safe to open in a spreadsheet (no formula injection)."""

import csv
import io
import re
from pathlib import Path

import pytest

from connection.spreadsheets import csv_writer


def written(row) -> list[str]:
    buffer = io.StringIO()
    csv_writer(buffer).writerow(row)
    return next(csv.reader(io.StringIO(buffer.getvalue())))


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Platform", "Platform"),
        ("Ops = Dev", "Ops = Dev"),
        ("", ""),
    ],
)
def test_a_cell_that_would_be_a_formula_is_written_as_text(cell, shown):
    assert written([cell]) == [shown]


def test_numbers_stay_numbers():
    assert written([-0.25, -3, 0, 12.5]) == ["-0.25", "-3", "0", "12.5"]


def test_every_csv_the_app_writes_goes_through_the_safe_writer():
    root = Path(__file__).resolve().parents[2]
    shared = root / "connection" / "spreadsheets.py"
    plain = [
        str(path.relative_to(root))
        for package in ("connection", "pulse", "rituals", "mentorship", "bench")
        for path in (root / package).rglob("*.py")
        if path != shared and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert plain == [], "write CSV with connection.spreadsheets.csv_writer"
