"""Which language Hearth speaks to whom (docs/i18n.md).

A person's own choice (`User.language`), else the organisation's default
(`OrgSettings.default_language`, kept per process for a minute so a page that never
reads the settings row costs no query for it). Pages are rendered in the signed-in person's
language (`connection.middleware.UserLanguageMiddleware`); what is written for someone
else (a nudge's title, an e-mail) is written inside `speaking(recipient)`, in theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from connection.models.org import OrgSettings, remember_language, remembered_language

KNOWN = {code for code, _ in settings.LANGUAGES}


def org_language() -> str:
    language = remembered_language()
    if language is None:
        language = OrgSettings.load().default_language
        remember_language(language)
    return language if language in KNOWN else settings.LANGUAGE_CODE


def language_of(person) -> str:
    """The language `person` reads Hearth in."""
    chosen = getattr(person, "language", "")
    return chosen if chosen in KNOWN else org_language()


@contextmanager
def speaking(person) -> Iterator[str]:
    """Translate what is written inside into `person`'s language."""
    language = language_of(person)
    with translation.override(language):
        yield language
