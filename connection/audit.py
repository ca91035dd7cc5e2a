"""The audit trail: HR actions that change what others see or receive.

Most of these are actions, not row diffs (an export changes no row), so each
place that performs one calls `record(...)` explicitly, inside the same
transaction as the change: the change and its entry commit together or not
at all. Entries are append-only (see `AuditEntry`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.db import models, transaction

from connection.models import AuditEntry, User


def record(
    *,
    actor: User | None,
    action: AuditEntry.Action,
    target: models.Model | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry. `actor` is None when Hearth itself acted (a command).

    `detail` holds settings, names and counts; never pulse answers or anything
    that identifies a respondent.
    """
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=AuditEntry.Action(action).value.partition(".")[0],
        action=action,
        target_type=str(target._meta.verbose_name) if target is not None else "",
        target_id=target.pk if target is not None else None,
        target_label=str(target)[:200] if target is not None else "",
        detail=detail or {},
    )


def save_recorded(form: forms.ModelForm, *, actor: User, action: AuditEntry.Action) -> models.Model:
    """Save a bound, valid model form and record it: what a new row was created
    with, or what an edit changed. Both commit together or not at all."""
    adding = form.instance._state.adding
    with transaction.atomic():
        saved = form.save()
        record(actor=actor, action=action, target=saved, detail=detail_of(form, added=adding))
    return saved


def detail_of(form: forms.BaseForm, *, added: bool) -> dict:
    """What to record about a saved form: its settings for a new row, else its changes."""
    return settings_of(form) if added else changes(form)


def changes(form: forms.BaseForm) -> dict:
    """{"changed": {field: [old, new]}} for the fields a bound, valid form changed,
    with related rows shown by name rather than id."""
    changed = {}
    for name in form.changed_data:
        field = form.fields[name]
        if _secret(name, field):
            continue
        old = _plain(field, form.get_initial_for_field(field, name))
        new = _plain(field, form.cleaned_data.get(name))
        # A form may call a field changed that holds the same value (the admin
        # compares against a hidden initial copy of fields with callable defaults).
        if old != new:
            changed[name] = [old, new]
    return {"changed": changed}


def settings_of(form: forms.BaseForm) -> dict:
    """{field: value} for everything a bound, valid form holds: what a new row was
    created with."""
    return {
        name: _plain(form.fields[name], value)
        for name, value in form.cleaned_data.items()
        if name in form.fields and not _secret(name, form.fields[name])
    }


def _secret(name: str, field: forms.Field) -> bool:
    # An admin's "add user" form carries the new password twice.
    return "password" in name or isinstance(field.widget, forms.PasswordInput)


def _plain(field: forms.Field, value):
    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = field.prepare_value(value) or []
        return sorted(str(row) for row in field.queryset.model._base_manager.filter(pk__in=pks))
    if isinstance(field, forms.ModelChoiceField):
        pk = field.prepare_value(value)
        if pk in (None, ""):
            return ""
        row = field.queryset.model._base_manager.filter(pk=pk).first()
        return str(row) if row is not None else str(pk)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, Decimal | dt.date | dt.time | dt.datetime):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    return str(value)
