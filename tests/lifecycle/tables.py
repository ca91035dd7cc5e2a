"""Reading every table: the published figures as they are stored, and every column
that could still name or point at an erased person."""

from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from insights.models import Alert, ConversationGuide, TeamTie, TeamWeek
from pulse.models import CellAnswer, Published, Round, RoundCell, RoundTeam

# What pages, CSVs and the API read as figures once a round is reported or a week
# computed: stored once, then only read.
PUBLISHED = (Round, RoundCell, CellAnswer, RoundTeam, Published, TeamWeek, TeamTie, Alert)
PUBLISHED += (ConversationGuide,)

TEXT = (models.CharField, models.TextField, models.JSONField)


def published_dump() -> str:
    """Every row of every published table, every column, as one JSON text."""
    return json.dumps(
        {
            model._meta.label: [
                [row[f.attname] for f in model._meta.concrete_fields]
                for row in model._base_manager.order_by("pk").values()
            ]
            for model in PUBLISHED
        },
        default=str,
        sort_keys=True,
    )


def mentions(words: list[str]) -> list[str]:
    """'app.Model.column' for every text, char or JSON column of every table (through
    tables too) where some row holds one of `words`, case-insensitively."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT):
                continue
            rows = model._base_manager.annotate(_text=Cast(field.name, output_field=TextField()))
            condition = Q()
            for word in words:
                condition |= Q(_text__icontains=word) | Q(_text__icontains=json.dumps(word)[1:-1])
            if rows.filter(condition).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def pointing_at(pk: int) -> list[str]:
    """'app.Model.column' for every foreign key to the user model holding `pk`."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            to_people = target is not None and target._meta.label == settings.AUTH_USER_MODEL
            if to_people and model._base_manager.filter(**{field.attname: pk}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found
