"""Single sign-on against a real OpenID provider (node's oidc-provider on 127.0.0.1):
the code flow through Django's test client, the provider's own pages walked with
`requests`, and the ID token checks with tokens signed by the provider's key (or not).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils.html import escape

from connection.break_glass import EmailPasswordResetForm
from connection.models import AuditEntry, OrgSettings, SignIn, User
from identity.sso.client import SSOError, provider_metadata, verify_id_token
from identity.sso.views import PENDING
from tests.identity.provider import running_provider, sign_in_at_provider, signing_key

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
SITE = "http://testserver"
PASSWORD = "a long enough password"
ACCOUNTS = {
    # The provider spells Bob's address its own way: Hearth matches it whatever the case.
    "bob-sub": {"email": "Bob@Example.com", "email_verified": True, "name": "Bob Ferreira"},
    "charlie-sub": {"email": "charlie@example.com", "email_verified": False},
    "dana-sub": {"email": "dana@example.com", "email_verified": True, "name": "Dana Okafor"},
}


@pytest.fixture
def now():
    # A timestamp, so the process's time zone stays as it is.
    with time_machine.travel(NOW.timestamp(), tick=False):
        yield NOW


@pytest.fixture
def provider(db, now, settings):
    cache.clear()
    with running_provider(site_url=SITE, accounts=ACCOUNTS) as running:
        for name, value in running.settings().items():
            setattr(settings, name, value)
        settings.SITE_URL = SITE
        yield running


def start(client: Client, **query) -> str:
    """Press "Sign in with …": the provider's address Hearth sends the browser to."""
    response = client.get("/sso/login/", query)
    assert response.status_code == 302
    return response["Location"]


def back_at_hearth(url: str) -> str:
    """The provider's redirect to our callback, as a path the test client requests."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == SITE, url
    return f"{parts.path}?{parts.query}"


def sign_in(client: Client, login: str, **query):
    callback = back_at_hearth(sign_in_at_provider(start(client, **query), login=login))
    return client.get(callback), callback


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# ---------------------------------------------------------------- discovery and the request


def test_discovery_names_the_providers_endpoints(provider):
    metadata = provider_metadata()
    assert metadata["issuer"] == provider.issuer
    assert metadata["authorization_endpoint"].startswith(provider.issuer)
    assert metadata["jwks_uri"].startswith(provider.issuer)
    assert metadata["end_session_endpoint"].startswith(provider.issuer)


def test_sign_in_request_carries_state_nonce_and_pkce_s256(provider, client):
    url = start(client)
    assert url.startswith(provider_metadata()["authorization_endpoint"] + "?")
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [provider.client_id]
    assert query["redirect_uri"] == [f"{SITE}/sso/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    pending = client.session[PENDING][query["state"][0]]
    assert pending["nonce"] == query["nonce"][0]
    assert "verifier" in pending


def test_provider_over_http_is_refused_unless_allowed(provider, client, settings):
    settings.HEARTH_OIDC_ALLOW_HTTP = False
    cache.clear()
    response = client.get("/sso/login/")
    assert response.status_code == 400
    assert "must be reached over https" in response.content.decode()


def test_sign_in_routes_are_not_found_without_a_provider(client, settings):
    settings.HEARTH_OIDC_ISSUER = ""
    assert client.get("/sso/login/").status_code == 404
    assert client.get("/sso/callback/", {"code": "x", "state": "y"}).status_code == 404


# ---------------------------------------------------------------- the whole flow


def test_sign_in_matches_the_person_by_verified_email_and_notes_sso(provider, client, bob):
    response, _ = sign_in(client, "bob-sub", next="/rituals/")
    assert response.status_code == 302
    assert response["Location"] == "/rituals/"
    assert signed_in_user_id(client) == str(bob.pk)
    sign_in_row = SignIn.objects.get(user=bob)
    assert sign_in_row.method == SignIn.Method.SSO
    assert sign_in_row.session_key == client.session.session_key
    bob.refresh_from_db()
    assert bob.external_id == ""  # the directory's id column is not the provider's subject


def test_next_pointing_off_site_lands_on_home(provider, client, bob):
    response, _ = sign_in(client, "bob-sub", next="https://evil.example/")
    assert response["Location"] == "/"


def test_callback_used_twice_is_refused(provider, client, bob):
    authorize = start(client)
    # Two answers for one state: the provider gives a fresh code each time it is asked.
    first = back_at_hearth(sign_in_at_provider(authorize, login="bob-sub"))
    again = back_at_hearth(sign_in_at_provider(authorize, login="bob-sub"))
    assert parse_qs(urlsplit(again).query)["state"] == parse_qs(urlsplit(first).query)["state"]
    assert client.get(first).status_code == 302
    for callback in (first, again):
        response = client.get(callback)
        assert response.status_code == 400
        assert "expired or was already used" in response.content.decode()
    # Someone else's browser replaying the answer gets no session either.
    elsewhere = Client()
    assert elsewhere.get(again).status_code == 400
    assert signed_in_user_id(elsewhere) is None
    assert SignIn.objects.count() == 1


def test_nonce_other_than_the_one_sent_is_refused(provider, client, bob):
    authorize = start(client)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    session = client.session
    session[PENDING][state]["nonce"] = "not-the-nonce-sent"
    session.save()
    response = client.get(back_at_hearth(sign_in_at_provider(authorize, login="bob-sub")))
    assert response.status_code == 400
    assert "not made for Hearth" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not SignIn.objects.exists()


def test_provider_error_gets_a_clear_page_and_no_session(provider, client, bob):
    authorize = start(client)
    callback = back_at_hearth(sign_in_at_provider(authorize, login="bob-sub", consent=False))
    assert "error=access_denied" in callback
    response = client.get(callback)
    assert response.status_code == 400
    assert "The sign-in was cancelled, or Acme ID did not let you in." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_unverified_email_is_refused(provider, client, charlie):
    response, _ = sign_in(client, "charlie-sub")
    assert response.status_code == 400
    assert "has not verified your e-mail address" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_deactivated_person_is_refused(provider, client, bob):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    response, _ = sign_in(client, "bob-sub")
    assert response.status_code == 403
    assert "Your Hearth account is deactivated" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_unknown_person_is_refused_while_hr_has_not_added_them(provider, client, bob):
    response, _ = sign_in(client, "dana-sub")
    assert response.status_code == 403
    assert "HR has not added you to Hearth yet" in response.content.decode()
    assert not User.objects.filter(email="dana@example.com").exists()


def test_unknown_person_gets_an_account_when_hr_lets_sso_create_them(provider, client):
    OrgSettings.objects.update_or_create(pk=1, defaults={"sso_creates_accounts": True})
    response, _ = sign_in(client, "dana-sub")
    assert response.status_code == 302
    dana = User.objects.get(email="dana@example.com")
    assert (dana.display_name, dana.team) == ("Dana Okafor", None)
    created = AuditEntry.objects.get(action=AuditEntry.Action.SSO_ACCOUNT_CREATED)
    assert (created.actor, created.target_id) == (None, dana.pk)
    assert not dana.has_usable_password()
    assert signed_in_user_id(client) == str(dana.pk)


# ---------------------------------------------------------------- signing out


def test_sso_session_signs_out_at_the_provider_too(provider, client, bob):
    sign_in(client, "bob-sub")
    assert 'action="/sso/logout/"' in client.get("/").content.decode()
    id_token = client.session["hearth_sso"]["id_token"]
    response = client.post("/sso/logout/")
    assert response.status_code == 200
    assert f'<meta http-equiv="refresh" content="0;url={escape(response.context["url"])}">' in (
        response.content.decode()
    )
    url = urlsplit(response.context["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == provider_metadata()["end_session_endpoint"]
    query = parse_qs(url.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [f"{SITE}/login/"]
    assert signed_in_user_id(client) is None
    assert not SignIn.objects.exists()


def test_password_session_signs_out_here_only(provider, client, bob):
    bob.set_password(PASSWORD)
    bob.save()
    client.post("/login/", {"username": bob.email, "password": PASSWORD})
    assert 'action="/logout/"' in client.get("/").content.decode()
    response = client.post("/sso/logout/")
    assert response["Location"] == "/login/"
    assert signed_in_user_id(client) is None


# ---------------------------------------------------------------- the ID token's checks


def claims(provider, **changes) -> dict:
    moment = int(NOW.timestamp())
    base = {
        "iss": provider.issuer,
        "aud": provider.client_id,
        "sub": "bob-sub",
        "nonce": "the-nonce",
        "iat": moment,
        "exp": moment + 600,
    }
    return {**base, **changes}


def test_token_signed_by_the_provider_is_accepted(provider):
    token = provider.sign(claims(provider))
    verified = verify_id_token(token, nonce="the-nonce", now=int(NOW.timestamp()))
    assert verified["sub"] == "bob-sub"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"aud": "someone-else"}, "not made for Hearth"),
        ({"aud": ["someone-else", "hearth"]}, "not made for Hearth"),  # no azp naming us
        ({"iss": "http://127.0.0.1:1/"}, "not made for Hearth"),
        ({"nonce": "another-nonce"}, "not made for Hearth"),
        ({"exp": int(NOW.timestamp()) - 600}, "has expired"),
    ],
    ids=["audience", "audiences-without-azp", "issuer", "nonce", "expired"],
)
def test_token_with_a_wrong_claim_is_refused(provider, changes, message):
    token = provider.sign(claims(provider, **changes))
    with pytest.raises(SSOError, match=message):
        verify_id_token(token, nonce="the-nonce", now=int(NOW.timestamp()))


def test_token_without_a_nonce_is_refused(provider):
    token = provider.sign({k: v for k, v in claims(provider).items() if k != "nonce"})
    with pytest.raises(SSOError, match="not made for Hearth"):
        verify_id_token(token, nonce="the-nonce", now=int(NOW.timestamp()))


def test_token_signed_by_another_key_is_refused(provider):
    token = provider.sign(claims(provider), key=signing_key())
    with pytest.raises(SSOError, match="signature is wrong"):
        verify_id_token(token, nonce="the-nonce", now=int(NOW.timestamp()))


# ---------------------------------------------------------------- break-glass


@pytest.fixture
def break_glass(settings, bob, hana):
    settings.HEARTH_OIDC_ISSUER = "https://id.example.com"
    settings.HEARTH_OIDC_CLIENT_ID = "hearth"
    settings.HEARTH_OIDC_NAME = "Acme ID"
    settings.HEARTH_PASSWORD_LOGIN = "break-glass"
    settings.HEARTH_BREAK_GLASS_EMAILS = [hana.email]
    for person in (bob, hana):
        person.set_password(PASSWORD)
        person.save()


def test_sign_in_page_offers_sso_and_hides_passwords_behind_break_glass(client, break_glass):
    page = client.get("/login/").content.decode()
    assert 'href="/sso/login/"' in page
    assert "Sign in with Acme ID" in page
    assert "<summary>Break-glass sign-in for administrators</summary>" in page
    assert '<details class="break-glass">' in page  # closed until needed


def test_sign_in_page_without_sso_shows_only_the_password_form(client):
    page = client.get("/login/").content.decode()
    assert "/sso/login/" not in page
    assert "Break-glass" not in page
    assert 'name="password"' in page


def test_break_glass_refuses_a_password_to_a_normal_person(client, break_glass, bob):
    response = client.post("/login/", {"username": bob.email, "password": PASSWORD})
    assert response.status_code == 200
    refusal = "Password sign-in is turned off: sign in with Acme ID instead."
    assert refusal in response.content.decode()
    assert signed_in_user_id(client) is None


def test_break_glass_lets_a_listed_administrator_sign_in(client, break_glass, hana):
    response = client.post("/login/", {"username": hana.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(hana.pk)
    assert SignIn.objects.get(user=hana).method == SignIn.Method.PASSWORD


def test_break_glass_refuses_a_password_reset_to_a_normal_person(break_glass, bob, hana):
    refused = EmailPasswordResetForm({"email": bob.email})
    assert not refused.is_valid()
    assert "Password sign-in is turned off" in refused.errors["email"][0]
    assert list(refused.get_users(bob.email)) == []
    allowed = EmailPasswordResetForm({"email": hana.email})
    assert allowed.is_valid()
    allowed.save(domain_override="testserver")
    assert [message.to for message in mail.outbox] == [[hana.email]]
