"""HR's SCIM token page: only HR admins, the raw token shown once, revoking refuses it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from connection.models import AuditEntry
from identity.models import ScimToken, token_digest
from tests.helpers import shows_errors
from tests.identity.scim_support import Provider


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_only_hr_admins_open_the_page(db, bob, alice, hana):
    assert Client().get(reverse("scim_tokens")).url.startswith(reverse("login"))
    for person in (bob, alice):
        browser = signed_in(person)
        assert browser.get(reverse("scim_tokens")).status_code == 403
        assert browser.post(reverse("scim_tokens"), {"label": "Okta"}).status_code == 403
    assert not ScimToken.objects.exists()
    assert signed_in(hana).get(reverse("scim_tokens")).status_code == 200


def test_issuing_shows_the_raw_token_once_and_keeps_its_digest(db, hana):
    browser = signed_in(hana)
    page = browser.post(reverse("scim_tokens"), {"label": "Okta"})
    assert page.status_code == 200
    raw = re.search(rb'id="raw-token" type="text" readonly value="([^"]+)"', page.content)[1]
    raw = raw.decode()
    token = ScimToken.objects.get()
    assert (token.label, token.prefix, token.digest) == ("Okta", raw[:8], token_digest(raw))
    assert token.created_by == hana
    assert raw not in browser.get(reverse("scim_tokens")).content.decode()
    assert Provider(raw).get("Users").status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SCIM_TOKEN_ISSUED)
    assert entry.actor == hana and entry.detail == {"label": "Okta", "prefix": raw[:8]}


def test_a_missing_label_shows_the_form_again(db, hana):
    assert shows_errors(signed_in(hana).post(reverse("scim_tokens"), {"label": ""}))
    assert not ScimToken.objects.exists()


def test_revoking_refuses_the_token_from_then_on(db, hana, bob):
    browser = signed_in(hana)
    page = browser.post(reverse("scim_tokens"), {"label": "Entra"})
    raw = re.search(rb'readonly value="([^"]+)"', page.content)[1].decode()
    token = ScimToken.objects.get()
    revoke = reverse("scim_token_revoke", args=[token.pk])
    assert signed_in(bob).post(revoke).status_code == 403
    assert Provider(raw).get("Users").status_code == 200
    assert browser.post(revoke).url == reverse("scim_tokens")
    assert Provider(raw).get("Users").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in browser.get(reverse("scim_tokens")).content.decode()
    browser.post(revoke)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SCIM_TOKEN_REVOKED).count() == 1
    assert browser.get(revoke).status_code == 405


@pytest.mark.parametrize("pk", [999999])
def test_revoking_an_unknown_token_is_404(db, hana, pk):
    assert signed_in(hana).post(reverse("scim_token_revoke", args=[pk])).status_code == 404
