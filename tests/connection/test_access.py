"""Every sign-in is noted against its session, so deactivation ends them all at once."""

from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from connection.access import deactivate_people
from connection.models import AuditEntry, SignIn


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_deactivation_ends_every_session_and_token_in_the_same_call(bob, alice):
    laptop, phone, other = signed_in(bob), signed_in(bob), signed_in(alice)
    token = Token.objects.create(user=bob)
    assert SignIn.objects.filter(user=bob).count() == 2
    assert laptop.get(reverse("profile")).status_code == 200

    assert deactivate_people([bob.pk, alice.pk], actor=None, via="test") == 2
    for browser in (laptop, phone, other):
        assert browser.get(reverse("profile")).url.startswith(reverse("login"))
    assert not SignIn.objects.exists()
    assert not Token.objects.filter(pk=token.pk).exists()
    api = Client(headers={"Authorization": f"Token {token.key}"})
    refused = api.get("/api/me/")
    assert refused.status_code == 403 and refused.json() == {"detail": "Invalid token."}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PEOPLE_DEACTIVATED)
    assert entry.detail == {"people": 2, "via": "test"}


def test_deactivating_someone_inactive_changes_nothing(bob):
    bob.is_active = False
    bob.save()
    assert deactivate_people([bob.pk], actor=None, via="test") == 0
    assert not AuditEntry.objects.exists()


def test_signing_out_forgets_the_session(bob):
    browser = signed_in(bob)
    assert SignIn.objects.filter(user=bob, method=SignIn.Method.PASSWORD).count() == 1
    browser.post(reverse("logout"))
    assert not SignIn.objects.exists()
