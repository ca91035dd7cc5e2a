"""CSV files Hearth writes: every one goes through `csv_writer`.

HR opens exports in a spreadsheet, and a cell that starts with = + - @ (or a
tab or carriage return) is read there as a formula: a team or person named
`=HYPERLINK(...)` would run in HR's spreadsheet (CSV injection). Such text
cells get a leading apostrophe, which spreadsheets show as plain text.
Numbers stay numbers: a negative silo index is written as is.
"""

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCSVWriter:
    """csv.writer's writerow and writerows, with every cell made spreadsheet-safe."""

    def __init__(self, file, **kwargs) -> None:
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file, **kwargs) -> SafeCSVWriter:
    return SafeCSVWriter(file, **kwargs)
