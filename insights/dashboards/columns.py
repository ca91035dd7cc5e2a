"""The columns of HR's team table, once for the page and its CSV: each names the
guarded figure it reads, its CSV header and, where the page's table shows it, its
heading there and how it is printed."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from insights.dashboards.common import DIMENSIONS


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # in the CSV
    label: str = ""  # on the page's figures table; "" when only the CSV has it
    unit: str = ""  # after the value on the page
    decimals: int | None = None  # rounded so on the page; None prints as stored
    dimension: bool = False  # a pulse dimension's favourable share

    def value(self, row: dict):
        return row["dimensions"].get(self.key) if self.dimension else row[self.key]


SCORE = Column("score", _("connection score"), _("Score"), decimals=0)
DIMENSION_COLUMNS = [
    Column(
        key,
        format_lazy(_("{dimension} favourable %"), dimension=label),
        label,
        unit="%",
        decimals=0,
        dimension=True,
    )
    for key, label in DIMENSIONS
]
FIGURES = [
    Column("response_rate", _("answered the pulse %"), _("Answered the pulse"), unit="%"),
    Column("activity", _("connected this week %"), _("Connected this week"), unit="%"),
    Column("isolated", _("isolated (90 days)"), _("No tie in 90 days")),
    Column("ei", _("silo index (E-I)"), _("Silo index"), decimals=2),
    Column("bridges", _("teams reached"), _("Teams reached")),
    Column(
        "first_ask",
        _("median days to first question"),
        _("Days to first question"),
        decimals=0,
    ),
    Column("without_ask", _("newcomers without a question after 14 days")),
]
# The CSV's columns after week, team and level; the page splits them over two tables
# (dimensions, then the other figures).
CSV_COLUMNS = [SCORE, *DIMENSION_COLUMNS, *FIGURES]
PAGE_FIGURES = [column for column in (SCORE, *FIGURES) if column.label]
