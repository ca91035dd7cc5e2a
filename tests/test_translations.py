"""Hearth speaks English and German (docs/i18n.md): every string a person reads is
marked for translation, the German catalogue translates all of them, and each person
reads Hearth in their own language or the organisation's."""

import gettext

import pytest
from django.conf import settings
from django.test import Client

from connection.models import AuditEntry, OrgSettings
from tests import translations_check as check

ROOT = check.ROOT
CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"


def test_every_template_string_is_marked_for_translation():
    templates = [
        p
        for p in (ROOT / "templates").rglob("*")
        if p.suffix in (".html", ".txt") and "drf_spectacular" not in p.parts
    ]
    left = check.template_leftovers(sorted(templates))
    assert not left, "Mark these for translation ({% translate %}):\n" + "\n".join(left)


def test_every_python_message_is_marked_for_translation():
    files = check.python_files([ROOT / app for app in check.APPS])
    left = check.python_leftovers(files)
    assert not left, "Mark these for translation (gettext):\n" + "\n".join(left)


def test_the_checks_find_what_is_not_marked(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<h1>{% translate "Marked" %}</h1><p title="Not marked">Nor this</p>'
        "{% blocktranslate %}Marked {{ n }}{% endblocktranslate %}"
        "<script>var x = 'Script';</script>"
    )
    assert {text for _, text in check._template_text(page.read_text())} == {
        "Not marked",
        "Nor this",
    }
    module = tmp_path / "module.py"
    module.write_text(
        "from django.contrib import messages\n"
        "from django.utils.translation import gettext as _\n"
        "messages.success(request, _('Saved.'))\n"
        "messages.success(request, f'Saved {name}.')\n"
        "raise PermissionDenied('Only HR admins can do this.')\n"
        "raise ValueError('A developer reads this')\n"
    )
    found = check._Finder()
    found.visit(check.ast.parse(module.read_text()))
    assert sorted({line for line, _ in found.found}) == [4, 5]


def test_the_german_catalogue_translates_every_string_and_is_compiled():
    entries = check.read_catalogue()
    assert len(entries) > 2000
    empty = [msgid for msgid, translations in entries.items() if not all(translations)]
    assert not empty, f"{len(empty)} strings have no German yet, e.g. {empty[:5]}"
    with open(CATALOGUE.with_suffix(".mo"), "rb") as compiled:
        german = gettext.GNUTranslations(compiled)
    # The compiled catalogue says what the catalogue says (plain entries, no escapes).
    plain = {
        msgid: translations[0]
        for msgid, translations in entries.items()
        if len(translations) == 1 and "\\" not in msgid + translations[0] and "\x04" not in msgid
    }
    stale = [msgid for msgid, german_text in plain.items() if german.gettext(msgid) != german_text]
    assert len(plain) > 1000
    assert not stale, f"django.mo is older than django.po: make messages ({stale[:3]})"


@pytest.mark.django_db
def test_each_person_reads_hearth_in_their_language_or_the_organisations(alice, bob):
    client = Client()
    client.force_login(alice)
    assert 'lang="en-gb"' in client.get("/").content.decode()
    alice.language = "de"
    alice.save(update_fields=["language"])
    page = client.get("/")
    assert page["Content-Language"] == "de" and '<html lang="de">' in page.content.decode()
    # Bob has not chosen: he follows the organisation's default.
    org = OrgSettings.load()
    org.default_language = "de"
    org.save()
    other = Client()
    other.force_login(bob)
    assert other.get("/")["Content-Language"] == "de"
    # Before signing in, the browser's language among those Hearth speaks.
    login = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert login["Content-Language"] == "en-gb"
    assert {code for code, _ in settings.LANGUAGES} == {"en-gb", "de"}


@pytest.mark.django_db
def test_a_person_chooses_their_language_and_hr_the_organisations(client_for, alice, hana):
    page = client_for(alice).get("/profile/").content.decode()
    assert "The organisation’s (English)" in page
    data = {
        "display_name": alice.display_name,
        "language": "de",
        "time_zone": alice.time_zone,
        "work_start": "09:00",
        "work_end": "17:00",
        "working_days": ["1", "2", "3", "4", "5"],
    }
    assert client_for(alice).post("/profile/", data).status_code == 302
    alice.refresh_from_db()
    assert alice.language == "de"
    assert client_for(alice).get("/profile/")["Content-Language"] == "de"

    hr = client_for(hana)
    assert hr.post("/settings/", {"form": "language", "default_language": "xx"}).status_code == 200
    assert OrgSettings.load().default_language == "en-gb"
    saved = hr.post("/settings/", {"form": "language", "default_language": "de"})
    assert saved.status_code == 302
    assert OrgSettings.objects.get().default_language == "de"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LANGUAGE_CHANGED)
    assert entry.actor == hana and entry.get_kind_display() == "Organisation settings"
    assert hr.get("/settings/")["Content-Language"] == "de"  # Hana has not chosen her own
