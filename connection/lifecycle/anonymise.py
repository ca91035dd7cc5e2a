"""What erasure leaves behind reads "a former colleague": one shared, inactive
placeholder person stands in where others' rows must keep an author (thread posts,
recognition, a mentoring session with someone who stays), and mentions of the
person's e-mail and name in free text are replaced.

The audit trail is append-only (connection/models/audit.py and, on PostgreSQL, the
trigger of migration 0015). `audit_maintenance()` is its one exception: inside it,
and only inside the lifecycle code, a transaction-local setting tells the trigger
(migration 0023) to let an UPDATE or DELETE through, and `AuditEntry._base_manager`
(a plain QuerySet) skips the model's refusal. Erasure uses it to anonymise entries
about the person, retention to delete entries past their window.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from connection.models import AuditEntry, User

FORMER_EMAIL = "former-colleague@erased.invalid"
FORMER_NAME = "a former colleague"
SHORTEST_NAME = 4  # a shorter name ("Al") would match inside ordinary words


def former_colleague() -> User:
    """The placeholder that erased people's remaining rows point at: inactive, no
    password, no team, in no list of active people."""
    person, created = User.objects.get_or_create(
        email=FORMER_EMAIL, defaults={"display_name": FORMER_NAME, "is_active": False}
    )
    if created:
        person.set_unusable_password()
        person.save(update_fields=["password"])
    return person


def needles(person: User) -> list[str]:
    """What identifies the person in free text: their e-mail, and their full name when
    it is long enough not to match inside other words."""
    found = [person.email]
    name = person.display_name.strip()
    if len(name) >= SHORTEST_NAME:
        found.append(name)
    return found


@contextmanager
def audit_maintenance() -> Iterator[models.Manager]:
    """The one way to change or delete audit entries: a transaction in which the
    PostgreSQL trigger allows it; yields a manager without the model's refusal."""
    with transaction.atomic():
        postgres = connection.vendor == "postgresql"
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL hearth.audit_maintenance = 'on'")
        try:
            yield AuditEntry._base_manager
        finally:
            if postgres and not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL hearth.audit_maintenance = 'off'")


def _pattern(words: list[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def _replaced(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(FORMER_NAME, value)
    if isinstance(value, list):
        return [_replaced(item, pattern) for item in value]
    if isinstance(value, dict):
        return {_replaced(k, pattern): _replaced(v, pattern) for k, v in value.items()}
    return value


def replace_mentions(
    model: type[models.Model],
    fields: list[str],
    words: list[str],
    *,
    manager: models.Manager | None = None,
) -> int:
    """Replace each of `words` (case-insensitive) in these text or JSON columns of every
    row of `model` with "a former colleague"; returns the rows changed."""
    manager = manager or model._base_manager
    pattern = _pattern(words)
    changed = 0
    for name in fields:
        is_json = isinstance(model._meta.get_field(name), models.JSONField)
        rows = manager.all()
        column = name
        if is_json:
            rows = rows.annotate(_as_text=Cast(name, output_field=TextField()))
            column = "_as_text"
        condition = Q()
        for word in words:
            condition |= Q(**{f"{column}__icontains": word})
            if is_json:  # JSON text may spell non-ASCII letters as \u escapes
                condition |= Q(**{f"{column}__icontains": json.dumps(word)[1:-1]})
        for pk, value in rows.filter(condition).values_list("pk", name):
            new = _replaced(value, pattern)
            if new != value:
                manager.filter(pk=pk).update(**{name: new})
                changed += 1
    return changed
