"""Reading an org chart CSV: parsing and checking, with no database access.

Everything here is pure so a file can be checked row by row before a single
row is written, and so the checks are easy to test. `services.py` compares
the result with the database and applies it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from connection.models import Location, Team, User, known_time_zones

COLUMNS = {
    "email": "email",
    "name": "name",
    "team": "team",
    "parent team": "parent_team",
    "manager email": "manager_email",
    "start date": "start_date",
    "time zone": "time_zone",
    "location": "location",
}
REQUIRED = ("email", "name", "team", "time zone", "location")
# What the database holds: a longer value would pass the preview and fail the apply.
MAX_LENGTHS = {
    "email": User._meta.get_field("email").max_length,
    "name": User._meta.get_field("display_name").max_length,
    "team": Team._meta.get_field("name").max_length,
    "parent team": Team._meta.get_field("name").max_length,
    "manager email": User._meta.get_field("email").max_length,
}
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Problem:
    """A reason the file cannot be imported; `line` is the file's line number (header = 1)."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        if not self.line:
            return str(self.message)
        return _("Row %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Person:
    line: int
    email: str
    name: str
    team: str
    parent_team: str
    manager_email: str
    start_date: dt.date | None
    time_zone: str
    location: str


@dataclass
class OrgChart:
    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # team name -> parent team name ("" for a top-level team)
    team_parents: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def team_managers(self) -> dict[str, set[str]]:
        """Who manages each team, derived from line managers.

        A member of a team who line-manages anyone in that team or in a team
        below it manages the team (a lead sits in the team they lead). A team
        with no such member is managed by its members' line managers (a lead
        who sits in the parent team).
        """
        team_of = {p.email: p.team for p in self.people}
        ancestors: dict[str, list[str]] = {}
        for team in self.team_parents:
            chain, current, seen = [], team, set()
            while current and current not in seen:
                chain.append(current)
                seen.add(current)
                current = self.team_parents.get(current, "")
            ancestors[team] = chain
        members: dict[str, set[str]] = {team: set() for team in self.team_parents}
        for person in self.people:
            members[person.team].add(person.email)
        leads: dict[str, set[str]] = {team: set() for team in self.team_parents}
        for person in self.people:
            boss = person.manager_email
            if boss and boss in team_of and team_of[boss] in ancestors[person.team]:
                leads[team_of[boss]].add(boss)
        managers = {}
        for team, emails in members.items():
            if leads[team]:
                managers[team] = leads[team]
            else:
                by_line = {p.manager_email for p in self.people if p.team == team}
                managers[team] = {email for email in by_line if email} - emails
        return managers


def _suggest(value: str, options) -> str:
    match = difflib.get_close_matches(value, options, n=1, cutoff=0.75)
    return _(" (did you mean %(match)s?)") % {"match": match[0]} if match else ""


def _decode(data: bytes) -> tuple[str | None, Problem | None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, Problem(
            _("this row is not UTF-8 text. Save the file as “CSV UTF-8” and upload it again."),
            line,
        )
    # No text holds NUL (a UTF-16 file does), and PostgreSQL refuses to store it.
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, Problem(
            _("this row has a NUL character. Save the file as “CSV UTF-8” and upload it again."),
            line,
        )
    return text, None


def parse_org_chart(data: bytes, known_emails: frozenset[str] = frozenset()) -> OrgChart:
    """Parse and check an org chart CSV.

    `known_emails` are people already in Hearth who may be named as a
    manager without a row of their own (a CEO kept out of the file, say).
    """
    chart = OrgChart()
    text, problem = _decode(data)
    if problem:
        chart.problems.append(problem)
        return chart
    if not text.strip():
        chart.problems.append(Problem(_("The file is empty.")))
        return chart
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower().replace("_", " ") for cell in next(reader)]
    problem = _header_problem(header)
    if problem:
        chart.problems.append(problem)
        return chart
    _read_people(reader, header, chart)
    if not chart.people and not chart.problems:
        chart.problems.append(Problem(_("The file has a header but no people.")))
    _check_managers(chart, known_emails)
    _check_teams(chart)
    chart.problems.sort(key=lambda p: p.line or 0)
    return chart


def _header_problem(header: list[str]) -> Problem | None:
    """What is wrong with the header row: a column missing, unknown or repeated."""
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if not (missing or unknown or len(set(header)) != len(header)):
        return None
    parts = []
    if missing:
        columns = ", ".join(f"“{m}”" for m in missing)
        parts.append(_("missing %(columns)s") % {"columns": columns})
    if unknown:
        columns = ", ".join(f"“{u}”" for u in unknown if u)
        parts.append(_("unexpected %(columns)s") % {"columns": columns})
    if len(set(header)) != len(header):
        parts.append(_("a column is repeated"))
    expected = ", ".join(COLUMNS)
    return Problem(
        _("The header row has %(problems)s. The columns are: %(columns)s.")
        % {"problems": "; ".join(parts), "columns": expected},
        1,
    )


def _read_people(reader, header: list[str], chart: OrgChart) -> None:
    """Check each row after the header on its own; the good ones become people."""
    seen_emails: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(chart.people) >= MAX_ROWS:
            chart.problems.append(
                Problem(
                    _("The file has more than %(most)s people.") % {"most": f"{MAX_ROWS:,}"}, line
                )
            )
            break
        if len(cells) != len(header):
            chart.problems.append(
                Problem(
                    _("this row has %(cells)s cells where the header has %(columns)s.")
                    % {"cells": len(cells), "columns": len(header)},
                    line,
                )
            )
            continue
        row = {COLUMNS[name]: cell.strip() for name, cell in zip(header, cells, strict=True)}
        person = _check_row(row, line, chart.problems)
        if person is None:
            continue
        if person.email in seen_emails:
            chart.problems.append(
                Problem(
                    _("%(email)s is already on row %(row)s.")
                    % {"email": person.email, "row": seen_emails[person.email]},
                    line,
                )
            )
            continue
        seen_emails[person.email] = line
        chart.people.append(person)


def _check_row(row: dict[str, str], line: int, problems: list[Problem]) -> Person | None:
    errors = []
    for column in REQUIRED:
        if not row[COLUMNS[column]]:
            errors.append(_("“%(column)s” is empty") % {"column": column})
    for column, longest in MAX_LENGTHS.items():
        if len(row[COLUMNS[column]]) > longest:
            errors.append(
                _("“%(column)s” is longer than %(longest)s characters")
                % {"column": column, "longest": longest}
            )
    email = row["email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("“%(email)s” is not an e-mail address") % {"email": row["email"]})
    manager_email = row["manager_email"].lower()
    if manager_email:
        try:
            validate_email(manager_email)
        except ValidationError:
            errors.append(
                _("manager email “%(email)s” is not an e-mail address")
                % {"email": row["manager_email"]}
            )
        if manager_email == email:
            errors.append(_("a person cannot be their own manager"))
    start_date = None
    if row["start_date"]:
        try:
            start_date = dt.date.fromisoformat(row["start_date"])
        except ValueError:
            errors.append(
                _("start date “%(date)s” is not a date like 2026-03-31")
                % {"date": row["start_date"]}
            )
    zone = row["time_zone"]
    if zone and zone not in known_time_zones():
        errors.append(
            _("time zone “%(zone)s” is not a known IANA time zone") % {"zone": zone}
            + _suggest(zone, known_time_zones())
        )
    location = row["location"].lower()
    if location and location not in Location.values:
        errors.append(
            _("location “%(location)s” must be one of %(values)s")
            % {"location": row["location"], "values": ", ".join(Location.values)}
        )
    if row["parent_team"] and row["parent_team"] == row["team"]:
        errors.append(_("a team cannot be its own parent team"))
    if errors:
        problems.append(Problem("; ".join(errors) + ".", line))
        return None
    return Person(
        line=line,
        email=email,
        name=row["name"],
        team=row["team"],
        parent_team=row["parent_team"],
        manager_email=manager_email,
        start_date=start_date,
        time_zone=zone,
        location=location,
    )


def _check_managers(chart: OrgChart, known_emails: frozenset[str]) -> None:
    in_file = {p.email: p for p in chart.people}
    for person in chart.people:
        boss = person.manager_email
        if boss and boss not in in_file and boss not in known_emails:
            chart.problems.append(
                Problem(
                    _("manager %(email)s is neither in this file nor in Hearth.") % {"email": boss},
                    person.line,
                )
            )
    reported: set[str] = set()
    for person in chart.people:
        chain, current = [], person.email
        while current in in_file and current not in chain:
            chain.append(current)
            current = in_file[current].manager_email
        if current in chain and not reported.intersection(chain):
            cycle = chain[chain.index(current) :]
            reported.update(cycle)
            lines = ", ".join(str(in_file[e].line) for e in cycle)
            names = " → ".join([*cycle, current])
            chart.problems.append(
                Problem(
                    _("managers form a loop (%(names)s); see rows %(rows)s.")
                    % {"names": names, "rows": lines},
                    in_file[current].line,
                )
            )


def _check_teams(chart: OrgChart) -> None:
    parents: dict[str, tuple[str, int]] = {}
    for person in chart.people:
        chart.team_parents.setdefault(person.team, "")
        if person.parent_team:
            chart.team_parents.setdefault(person.parent_team, "")
            stated = parents.get(person.team)
            if stated and stated[0] != person.parent_team:
                chart.problems.append(
                    Problem(
                        _(
                            "team “%(team)s” has parent “%(parent)s” here but "
                            "“%(other)s” on row %(row)s."
                        )
                        % {
                            "team": person.team,
                            "parent": person.parent_team,
                            "other": stated[0],
                            "row": stated[1],
                        },
                        person.line,
                    )
                )
                continue
            parents[person.team] = (person.parent_team, person.line)
            chart.team_parents[person.team] = person.parent_team
    reported: set[str] = set()
    for team in chart.team_parents:
        chain, current = [], team
        while current and current not in chain:
            chain.append(current)
            current = chart.team_parents.get(current, "")
        if current and not reported.intersection(chain):
            cycle = chain[chain.index(current) :]
            reported.update(cycle)
            names = " → ".join([*cycle, current])
            chart.problems.append(
                Problem(
                    _("teams form a loop (%(names)s).") % {"names": names},
                    parents.get(current, ("", None))[1],
                )
            )


def chart_rows(*, template: bool = False) -> list[list[str]]:
    """The org chart as the importer reads it: a header, then each active person (or,
    for a `template`, one example row), so an export edited and uploaded again
    changes only what was edited."""
    header = list(COLUMNS)
    if template:
        example = ["ada@example.com", "Ada Lovelace", "Platform", "Engineering"]
        return [header, example + ["grace@example.com", "2026-01-15", "Europe/Lisbon", "remote"]]
    people = (
        User.objects.active()
        .exclude(team__isnull=True)
        .select_related("team__parent", "manager")
        .order_by("team__path", "display_name", "pk")
    )
    rows = [header]
    for person in people:
        team = person.team
        rows.append(
            [
                person.email,
                person.display_name,
                team.name,
                team.parent.name if team.parent else "",
                person.manager.email if person.manager else "",
                person.start_date.isoformat() if person.start_date else "",
                person.time_zone,
                person.location,
            ]
        )
    return rows
