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
    """Strings of the catalogue shown in English on the page: whole sentences and
    labels without placeholders, whose German differs."""
    shown = " ".join(page.locator("body").inner_text().split())
    left = []
    for msgid, translations in translations_check.read_catalogue().items():
        if "\x04" in msgid or "%" in msgid or "\\" in msgid or len(msgid) < 14:
            continue
        if " " not in msgid or translations[0] == msgid:
            continue
        if re.search(rf"(?<![\w-]){re.escape(msgid)}(?![\w-])", shown):
            left.append(msgid)
    return left


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
    assert not english_left(page), f"{page.url} shows English: {english_left(page)[:5]}"
    screenshot(page, f"de-{name}")


def test_the_four_personas_in_german(new_page, demo_org, screenshot):
    Round.objects.filter(status=Round.Status.OPEN).update(status=Round.Status.CLOSED)
    round_ = open_round()
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
