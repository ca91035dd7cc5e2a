"""Closing the class: every relation of every model to the user model is handled by a
registered entry (export and erase), or listed as not personal data with why, so a
future model cannot be forgotten."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings

from connection.lifecycle import NOT_PERSONAL, covered_relations, entries


def relations_to_people() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # a proxy's relations are its concrete model's
        for field in model._meta.get_fields():
            if field.auto_created or not field.is_relation or field.related_model is None:
                continue
            if field.related_model._meta.label == settings.AUTH_USER_MODEL:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_relation_to_a_person_is_exported_and_erased():
    covered = {
        relation
        for entry in entries()
        if entry.export is not None and entry.erase is not None
        for relation in entry.covers
    }
    missing = relations_to_people() - covered - NOT_PERSONAL
    assert missing == set(), f"add a PersonalData entry (<app>/lifecycle.py) for {missing}"


def test_no_entry_covers_a_relation_that_does_not_exist():
    assert covered_relations() - relations_to_people() == set()
    assert relations_to_people() >= NOT_PERSONAL


def test_the_walk_sees_relations_of_every_kind():
    relations = relations_to_people()
    assert "rituals.ThreadPost.author" in relations  # ForeignKey
    assert "rituals.Recognition.receivers" in relations  # ManyToMany
    assert "rituals.CalendarFeed.person" in relations  # OneToOne
    assert "authtoken.Token.user" in relations  # a third-party app's
