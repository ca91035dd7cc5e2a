"""How an app declares the personal data it holds (docs/data-lifecycle.md).

Each app lists its kinds of rows about a person in its own `<app>/lifecycle.py`,
loaded from its AppConfig.ready(): a `PersonalData` entry says how to export a
person's rows, how to erase them, which relations to the user model it covers, and
how long the rows are kept. The core walks the entries; it never names an app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from connection.models import User

Row = dict[str, object]


@dataclass(frozen=True)
class Retention:
    """Rows of `model` whose `date_field` is older than the days in OrgSettings'
    `setting` (and that match `only`) are deleted each night. `append_only` marks the
    audit trail, which only the lifecycle's maintenance exception may delete from.
    `partitioned` marks a table partitioned by month on `date_field` on PostgreSQL
    (connection/lifecycle/partitions.py): months wholly past the window are dropped."""

    model: type[models.Model]
    date_field: str
    setting: str
    only: Q = field(default_factory=Q)
    append_only: bool = False
    partitioned: bool = False


@dataclass(frozen=True)
class PersonalData:
    """One kind of row about a person.

    `export(person)` gives the rows as plain dicts (what "Download my data" shows;
    None for an entry that only cleans up others' rows, such as mentions of the person);
    `erase(person)` deletes or anonymises them and returns how many rows it changed;
    `covers` names the relations to the user model it handles ("app.Model.field"),
    which tests/lifecycle/test_coverage.py checks against every model.
    """

    key: str
    label: str
    export: Callable[[User], list[Row]] | None
    erase: Callable[[User], int]
    covers: tuple[str, ...] = ()
    note: str = ""
    retention: Retention | None = None


_ENTRIES: dict[str, PersonalData] = {}
_KEEP: dict[type[models.Model], list[Q]] = {}


def register(*entries: PersonalData) -> None:
    """Add entries; registering a key again replaces it (a reloaded module)."""
    for entry in entries:
        _ENTRIES[entry.key] = entry


def keep_from_retention(model: type[models.Model], condition: Q) -> None:
    """Rows of `model` matching `condition` are never deleted by retention: an app
    upstairs protects what its stored figures read (an alert's nudges)."""
    kept = _KEEP.setdefault(model, [])
    if condition not in kept:
        kept.append(condition)


def kept_rows(model: type[models.Model]) -> Q | None:
    conditions = _KEEP.get(model, [])
    if not conditions:
        return None
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


def entries() -> list[PersonalData]:
    """Every registered entry, in registration order (the core's first)."""
    return list(_ENTRIES.values())


def covered_relations() -> set[str]:
    return {relation for entry in entries() for relation in entry.covers}


# Relations to the user model that are deliberately not personal data, each with why
# ("app.Model.field"). None today: every relation is exported and erased by an entry.
NOT_PERSONAL: frozenset[str] = frozenset()
