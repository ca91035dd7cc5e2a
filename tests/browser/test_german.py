"""The four personas use Hearth in German (docs/i18n.md): Bob answers the pulse, Alice
reads her team's insights, Nia finds her first weeks and office hours, Hana starts a
pilot. On every page they see, no string Hearth translates shows in English."""

import re

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from connection.models import User
from pulse.models import Round
from pulse.services import open_round
from tests import translations_check

pytestmark = pytest.mark.browser

DEMO_DOMAIN = "hearth.example"


def german(text: str, context: str | None = None) -> str:
    with translation.override("de"):
        return pgettext(context, text) if context else gettext(text)


def english_left(page) -> list[str]:
    """Strings of the catalogue shown in English on the page: a heading, label, cell
    or paragraph that is exactly one of them (text the org wrote, such as a
    programme's description, may start like one and is not Hearth's to translate)."""
    shown = {
        " ".join(piece.split())
        for line in page.locator("body").inner_text().splitlines()
        for piece in line.split("\t")
    }
    catalogue = translations_check.read_catalogue()
    german_words = {text for translations in catalogue.values() for text in translations}
    return sorted(
        msgid
        for msgid, translations in catalogue.items()
        if msgid in shown
        and translations[0] != msgid
        and msgid not in german_words  # "Start": English for one, German for another
        and " " in msgid  # one word may be a name the org chose: "Data", "People"
    )


def sign_in_german(new_page, who: str):
    User.objects.filter(email=f"{who}@{DEMO_DOMAIN}").update(language="de")
    page = new_page(locale="de-DE")
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.locator("input[name=username]").fill(f"{who}@{DEMO_DOMAIN}")
    page.locator("input[name=password]").fill(settings.HEARTH_DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("button", name=german("Sign out")).first).to_be_attached()
    return page


def looked_at(page, screenshot, name: str) -> None:
    """The page is in German throughout, and saved to be looked at."""
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("nav.main-nav")).to_contain_text(german("Rituals"))
    expect(page.locator(".site-footer")).to_contain_text(
        german("Hearth suggests; it does not watch. Managers see teams, never a person’s answers.")
    )
    assert not english_left(page), f"{page.url} shows English: {english_left(page)[:5]}"
    screenshot(page, f"de-{name}")


def test_the_four_personas_in_german(new_page, demo_org, screenshot):
    Round.objects.filter(status=Round.Status.OPEN).update(status=Round.Status.CLOSED)
    round_ = open_round(now_anyway=True)
    assert round_ is not None

    bob = sign_in_german(new_page, "bob")
    looked_at(bob, screenshot, "home-bob")
    bob.goto("/pulse/")
    items = bob.locator("fieldset.pulse-item")
    expect(items.first).to_be_visible()
    looked_at(bob, screenshot, "pulse-bob")
    for number in range(items.count()):
        items.nth(number).locator("label.scale-option").last.click()
    bob.locator("form button[type=submit]").last.click()
    expect(bob.get_by_role("heading", name=german("Thank you"))).to_be_visible()
    looked_at(bob, screenshot, "pulse-thanks-bob")

    alice = sign_in_german(new_page, "alice")
    alice.goto("/insights/")
    looked_at(alice, screenshot, "insights-alice")
    alice.goto("/rituals/")
    looked_at(alice, screenshot, "rituals-alice")

    nia = sign_in_german(new_page, "nia")
    looked_at(nia, screenshot, "home-nia")
    nia.goto("/mentorship/")
    looked_at(nia, screenshot, "connect-nia")

    hana = sign_in_german(new_page, "hana")
    hana.goto("/insights/org/")
    looked_at(hana, screenshot, "insights-hana")
    hana.get_by_role("link", name=re.compile(german("Pilots"))).click()
    expect(hana.get_by_role("heading", name=german("Pilots"), exact=True)).to_be_visible()
    looked_at(hana, screenshot, "pilots-hana")
    hana.goto("/rituals/budgets/")
    looked_at(hana, screenshot, "budgets-hana")
