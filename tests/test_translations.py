"""Hearth speaks English and German (docs/i18n.md): every string a person reads is
marked for translation, the German catalogue translates all of them, and each person
reads Hearth in their own language or the organisation's."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from connection.models import OrgSettings
from tests import translations_check as check

ROOT = check.ROOT
CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"

# Parts not translated yet, named so that what is done stays done: a file here may
# still hold unmarked text; any other file may not.
NOT_YET: set[str] = {
    "chat/forms.py",
    "chat/models.py",
    "chat/slack/client.py",
    "chat/slack/delivery.py",
    "chat/slack/handlers.py",
    "chat/slack/install.py",
    "chat/slack/people.py",
    "chat/slack/verify.py",
    "chat/slack/views.py",
    "chat/teams/links.py",
    "chat/views.py",
    "connection/api.py",
    "connection/backup.py",
    "connection/beat_lock.py",
    "connection/break_glass.py",
    "connection/forms.py",
    "connection/lifecycle/forms.py",
    "connection/lifecycle/services.py",
    "connection/lifecycle/views.py",
    "connection/models/access.py",
    "connection/models/audit.py",
    "connection/models/nudges.py",
    "connection/models/org.py",
    "connection/models/people.py",
    "connection/models/signals.py",
    "connection/nudge_channels.py",
    "connection/nudges.py",
    "connection/pickers.py",
    "connection/rest.py",
    "connection/services.py",
    "connection/tasks.py",
    "connection/views.py",
    "connection/webhooks.py",
    "identity/forms.py",
    "identity/models.py",
    "identity/scim/people.py",
    "identity/scim/protocol.py",
    "identity/scim/teams.py",
    "identity/scim/views.py",
    "identity/sso/client.py",
    "identity/sso/forms.py",
    "identity/sso/services.py",
    "identity/sso/views.py",
    "identity/sync.py",
    "identity/tasks.py",
    "identity/views.py",
    "insights/alerts.py",
    "insights/api.py",
    "insights/dashboards/evidence.py",
    "insights/forms.py",
    "insights/models.py",
    "insights/pilots.py",
    "insights/tasks.py",
    "insights/views/admin.py",
    "insights/views/evidence.py",
    "insights/views/guides.py",
    "insights/views/org.py",
    "insights/views/pilots.py",
    "insights/views/team.py",
    "mentorship/api.py",
    "mentorship/forms.py",
    "mentorship/models.py",
    "mentorship/services/mentoring_log.py",
    "mentorship/services/office_hours.py",
    "mentorship/services/programmes.py",
    "mentorship/services/shadowing.py",
    "mentorship/views.py",
    "moments/models.py",
    "moments/services.py",
    "pulse/answering.py",
    "pulse/api.py",
    "pulse/conversations.py",
    "pulse/forms.py",
    "pulse/models.py",
    "pulse/services.py",
    "pulse/views.py",
    "rituals/api.py",
    "rituals/forms.py",
    "rituals/models/budgets.py",
    "rituals/models/recognition.py",
    "rituals/models/rituals.py",
    "rituals/models/thread.py",
    "rituals/recurrence.py",
    "rituals/services/budgets.py",
    "rituals/services/occurrences.py",
    "rituals/services/recognition.py",
    "rituals/services/rituals.py",
    "rituals/services/thread.py",
    "rituals/views/budgets.py",
    "rituals/views/occurrences.py",
    "rituals/views/recognition.py",
    "rituals/views/rituals.py",
    "rituals/views/thread.py",
    "templates/403.html",
    "templates/404.html",
    "templates/500.html",
    "templates/_partials/inbox_count.html",
    "templates/_partials/people_picker.html",
    "templates/_partials/picker_options.html",
    "templates/_partials/picker_search.html",
    "templates/_partials/rule_builder.html",
    "templates/_partials/team_select.html",
    "templates/bad_request.html",
    "templates/chat/settings.html",
    "templates/chat/slack_link.html",
    "templates/chat/teams_action.html",
    "templates/connection/_data_row.html",
    "templates/connection/audit.html",
    "templates/connection/erase.html",
    "templates/connection/erase_done.html",
    "templates/connection/my_data.html",
    "templates/connection/notifications.html",
    "templates/connection/nudge_outbox.html",
    "templates/connection/nudge_preferences.html",
    "templates/connection/org_import.html",
    "templates/connection/people.html",
    "templates/connection/profile.html",
    "templates/connection/unsubscribe.html",
    "templates/emails/nudge.html",
    "templates/emails/nudge.txt",
    "templates/emails/nudge_chat.txt",
    "templates/emails/password_reset.html",
    "templates/emails/password_reset.txt",
    "templates/emails/password_reset_subject.txt",
    "templates/identity/org_sync.html",
    "templates/identity/org_sync_run.html",
    "templates/identity/scim_tokens.html",
    "templates/identity/sso_refused.html",
    "templates/identity/sso_signing_out.html",
    "templates/insights/_pilot_report.html",
    "templates/insights/evidence.html",
    "templates/insights/guide.html",
    "templates/insights/home.html",
    "templates/insights/my_connection.html",
    "templates/insights/org.html",
    "templates/insights/pilot.html",
    "templates/insights/pilot_pdf.html",
    "templates/insights/pilots.html",
    "templates/insights/settings.html",
    "templates/insights/team.html",
    "templates/mentorship/_next_steps.html",
    "templates/mentorship/log.html",
    "templates/mentorship/notes.html",
    "templates/mentorship/office_hours.html",
    "templates/mentorship/overview.html",
    "templates/mentorship/programmes.html",
    "templates/mentorship/session.html",
    "templates/mentorship/shadowing.html",
    "templates/pulse/answer.html",
    "templates/pulse/conversations.html",
    "templates/pulse/org.html",
    "templates/pulse/question_edit.html",
    "templates/pulse/results.html",
    "templates/pulse/settings.html",
    "templates/pulse/thanks.html",
    "templates/registration/locked_out.html",
    "templates/registration/login.html",
    "templates/registration/password_reset_complete.html",
    "templates/registration/password_reset_confirm.html",
    "templates/registration/password_reset_done.html",
    "templates/registration/password_reset_form.html",
    "templates/rituals/adopt.html",
    "templates/rituals/budget_detail.html",
    "templates/rituals/budgets.html",
    "templates/rituals/catalogue.html",
    "templates/rituals/detail.html",
    "templates/rituals/list.html",
    "templates/rituals/recognition.html",
    "templates/rituals/recognition_received.html",
    "templates/rituals/thread.html",
}


def _pending(found: list[str]) -> list[str]:
    return [line for line in found if line.split(":")[0] not in NOT_YET]


def test_every_template_string_is_marked_for_translation():
    templates = [
        p
        for p in (ROOT / "templates").rglob("*")
        if p.suffix in (".html", ".txt") and "drf_spectacular" not in p.parts
    ]
    left = _pending(check.template_leftovers(sorted(templates)))
    assert not left, "Mark these for translation ({% translate %}):\n" + "\n".join(left)


def test_every_python_message_is_marked_for_translation():
    files = check.python_files([ROOT / app for app in check.APPS])
    left = _pending(check.python_leftovers(files))
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


def _catalogue(path: Path) -> dict[str, list[str]]:
    """{msgid (with its context and plural): [msgstr, ...]} of a .po file; fuzzy
    entries are kept out (they are not translations)."""
    entries: dict[str, list[str]] = {}
    for block in path.read_text().split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not lines or any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            found = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if found:
                current = found[1]
                fields[current] = found[2]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            key = "\x04".join(filter(None, (fields.get("msgctxt"), fields["msgid"])))
            entries[key] = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
    return entries


def test_the_german_catalogue_translates_every_string_and_is_compiled():
    entries = _catalogue(CATALOGUE)
    assert entries
    empty = [msgid for msgid, translations in entries.items() if not all(translations)]
    assert not empty, f"{len(empty)} strings have no German yet, e.g. {empty[:5]}"
    with open(CATALOGUE.with_suffix(".mo"), "rb") as compiled:
        german = gettext.GNUTranslations(compiled)
    stale = [
        msgid
        for msgid in entries
        if "\x04" not in msgid and german.gettext(msgid.replace("\\n", "\n")) == msgid
    ]
    assert not stale[:1], f"django.mo is older than django.po: make messages ({stale[:3]})"


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
