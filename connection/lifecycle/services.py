"""A person's own data, erasure and retention, over every registered entry.

`export_person` gathers what every app holds about a person; `erase_person` has every
app delete or anonymise it, then deletes the person, in one transaction;
`apply_retention` deletes rows past their window in batches (a table partitioned by
month on PostgreSQL loses whole months first, connection/lifecycle/partitions.py).
Figures already
published (pulse rounds, stored weekly insights) are never touched: no entry reads or
writes them.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from connection.audit import record
from connection.lifecycle.anonymise import FORMER_EMAIL, audit_maintenance, former_colleague
from connection.lifecycle.partitions import drop_past, ensure_partitions
from connection.lifecycle.registry import Retention, entries, kept_rows
from connection.models import AuditEntry, OrgSettings, User

BATCH = 5_000  # rows per DELETE: short statements, short locks

PULSE_STATEMENT = gettext_lazy(
    "Your pulse answers cannot be given back: nothing in Hearth links an answer to the "
    "person who gave it. A receipt says only that you answered a round, and those "
    "receipts are listed here."
)


def export_person(person: User, *, now: dt.datetime | None = None) -> dict:
    """Everything Hearth holds about `person`, section by section, as plain data."""
    sections = [
        {
            "key": entry.key,
            "label": str(entry.label),
            "note": str(entry.note),
            "rows": entry.export(person),
        }
        for entry in entries()
        if entry.export is not None
    ]
    return {
        "person": {"id": person.pk, "email": person.email, "name": person.display_name},
        "generated_at": (now or timezone.now()).isoformat(),
        "pulse_answers": str(PULSE_STATEMENT),
        "sections": sections,
    }


def record_export(*, person: User, actor: User) -> None:
    """HR downloaded someone's data (a GDPR request): recorded, without the data."""
    record(
        actor=actor,
        action=AuditEntry.Action.DATA_EXPORTED,
        detail={"person": f"person #{person.pk}"},
    )


class CannotErase(Exception):
    pass


def erase_person(*, person: User, actor: User) -> dict[str, int]:
    """Erase `person`: every app deletes or anonymises its rows about them, their
    sessions and tokens end, their row is deleted. Returns rows changed per entry.

    `actor` is the HR admin, or the person themselves (then the audit entry names
    "a former colleague")."""
    if person.email == FORMER_EMAIL:
        raise CannotErase(gettext("The placeholder for former colleagues is nobody to erase."))
    pk, by_themselves = person.pk, actor.pk == person.pk
    with transaction.atomic():
        counts = {entry.key: entry.erase(person) for entry in entries()}
        User.objects.filter(pk=pk).delete()
        record(
            actor=former_colleague() if by_themselves else actor,
            action=AuditEntry.Action.PERSON_ERASED,
            detail={
                "person": f"person #{pk}",
                "by": "themselves" if by_themselves else "an HR admin",
                "rows": sum(counts.values()),
            },
        )
    return counts


def apply_retention(*, now: dt.datetime) -> dict[str, int]:
    """Delete every kind of row past its window (OrgSettings), in batches; returns the
    rows deleted per entry and records them in the audit trail. A partitioned table
    gets its months ahead made, then loses whole months past the window."""
    org = OrgSettings.load()
    deleted, windows = {}, {}
    for entry in entries():
        rule = entry.retention
        if rule is None:
            continue
        days = getattr(org, rule.setting)
        windows[rule.setting] = days
        cutoff = now - dt.timedelta(days=days)
        dropped = 0
        if rule.partitioned:
            column = rule.model._meta.get_field(rule.date_field).column
            ensure_partitions(connection, table=rule.model._meta.db_table, column=column, now=now)
            dropped = drop_past(connection, rule, cutoff)
        deleted[entry.key] = dropped + delete_older(rule, cutoff)
    record(
        actor=None,
        action=AuditEntry.Action.RETENTION_APPLIED,
        detail={"deleted": deleted, "days": windows},
    )
    return deleted


def delete_older(rule: Retention, cutoff: dt.datetime) -> int:
    """Delete `rule.model` rows older than `cutoff`, BATCH rows at a time in key order,
    each batch its own transaction (a run cut short keeps what it did; the next goes
    on). A batch is the range of keys up to the BATCH-th old row: the old rows of a
    month can be spread thinly over every key of the ledger, and a range is what a
    partitioned table deletes fastest (a list of keys is looked up in every month)."""
    older = rule.model._base_manager.filter(**{f"{rule.date_field}__lt": cutoff}).filter(rule.only)
    kept = kept_rows(rule.model)
    if kept is not None:
        older = older.exclude(kept)
    label, total, after = rule.model._meta.label, 0, None
    while True:
        rest = older if after is None else older.filter(pk__gt=after)
        keys = rest.order_by("pk").values_list("pk", flat=True)
        last = next(iter(keys[BATCH - 1 : BATCH]), None)
        batch = rest if last is None else rest.filter(pk__lte=last)
        if rule.append_only:
            with audit_maintenance():
                _, by_model = batch.delete()
        else:
            with transaction.atomic():
                _, by_model = batch.delete()
        total += by_model.get(label, 0)
        if last is None:
            return total
        after = last
