"""The organisation's OpenID provider, as Hearth talks to it: discovery, the
authorization request (code flow with PKCE S256, state and nonce), the code exchange,
the ID token check and the provider's sign-out address.

Nothing here touches the database or the session: the views keep what a sign-in in
progress needs (`Authorization`) and hand it back. Every refusal is an `SSOError`
whose message a person may read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

TIMEOUT = 10  # seconds for each call to the provider
METADATA_SECONDS = 3600  # discovery is read again after an hour
CLOCK_LEEWAY = 120  # seconds of clock difference tolerated between the provider and us
# Asymmetric algorithms only: never "none", and never HS256 keyed by the client secret.
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]


class SSOError(Exception):
    """A sign-in the provider or Hearth refused; the message is for the person, the
    status for the page that says it (400 for a sign-in that went wrong, 403 for a
    person Hearth turns away)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Authorization:
    """A sign-in on its way to the provider: where to send the browser, and what the
    callback must find again (state, nonce and the PKCE verifier)."""

    url: str
    state: str
    nonce: str
    verifier: str


def sso_enabled() -> bool:
    return bool(settings.HEARTH_OIDC_ISSUER and settings.HEARTH_OIDC_CLIENT_ID)


def _check_transport(url: str) -> None:
    if urlsplit(url).scheme != "https" and not settings.HEARTH_OIDC_ALLOW_HTTP:
        raise SSOError(
            _("The identity provider must be reached over https (%(url)s).") % {"url": url}
        )


def _get_json(url: str, **kwargs) -> dict:
    _check_transport(url)
    try:
        response = requests.get(url, timeout=TIMEOUT, **kwargs)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SSOError(
            _("The identity provider could not be reached. Try again shortly.")
        ) from error
    if not isinstance(document, dict):
        raise SSOError(_("The identity provider answered something Hearth cannot read."))
    return document


def provider_metadata() -> dict:
    """The provider's discovery document (cached an hour), checked to name our issuer."""
    issuer = settings.HEARTH_OIDC_ISSUER
    key = f"hearth-oidc-metadata:{issuer}"
    metadata = cache.get(key)
    if metadata is None:
        metadata = _get_json(f"{issuer}/.well-known/openid-configuration")
        if metadata.get("issuer") != issuer:
            raise SSOError(_("The identity provider's discovery document names another issuer."))
        for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(metadata.get(field), str):
                raise SSOError(
                    _("The identity provider's discovery document has no %(field)s.")
                    % {"field": field}
                )
            _check_transport(metadata[field])
        cache.set(key, metadata, METADATA_SECONDS)
    return metadata


def _session(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.HEARTH_OIDC_CLIENT_ID,
        client_secret=settings.HEARTH_OIDC_CLIENT_SECRET,
        scope=settings.HEARTH_OIDC_SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def start_authorization(redirect_uri: str) -> Authorization:
    """The provider's sign-in address for a new sign-in, with a fresh state, nonce and
    PKCE verifier (48 random characters, well inside RFC 7636's 43 to 128)."""
    metadata = provider_metadata()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = generate_token(48)
    with _session(redirect_uri) as oauth:
        url, _state = oauth.create_authorization_url(
            metadata["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
        )
    return Authorization(url=url, state=state, nonce=nonce, verifier=verifier)


def exchange_code(*, code: str, verifier: str, redirect_uri: str) -> dict:
    """The provider's token response for an authorization code (with its PKCE verifier)."""
    metadata = provider_metadata()
    with _session(redirect_uri) as oauth:
        try:
            token = oauth.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
                timeout=TIMEOUT,
            )
        except (OAuthError, requests.RequestException, ValueError) as error:
            raise SSOError(_("The identity provider did not accept this sign-in.")) from error
    if not isinstance(token.get("id_token"), str):
        raise SSOError(_("The identity provider sent no ID token."))
    return dict(token)


def provider_keys() -> KeySet:
    """The provider's signing keys, read from its JWKS at each sign-in (so a rotated key
    is picked up at once)."""
    try:
        return KeySet.import_key_set(_get_json(provider_metadata()["jwks_uri"]))
    except (JoseError, ValueError, TypeError) as error:
        raise SSOError(_("The identity provider's signing keys cannot be read.")) from error


def verify_id_token(raw: str, *, nonce: str, now: int) -> dict:
    """The ID token's claims once its signature (by a key of the provider's JWKS), issuer,
    audience, expiry and nonce are checked; `now` is a Unix time."""
    try:
        token = jwt.decode(raw, provider_keys(), algorithms=SIGNING_ALGORITHMS)
    except (JoseError, ValueError) as error:
        raise SSOError(_("The sign-in could not be verified: its signature is wrong.")) from error
    registry = JWTClaimsRegistry(
        now=now,
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": settings.HEARTH_OIDC_ISSUER},
        aud={"essential": True, "value": settings.HEARTH_OIDC_CLIENT_ID},
        exp={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except ExpiredTokenError as error:
        raise SSOError(_("The sign-in has expired. Sign in again.")) from error
    except JoseError as error:
        raise SSOError(
            _("The sign-in could not be verified: it was not made for Hearth.")
        ) from error
    azp = token.claims.get("azp")
    if isinstance(token.claims["aud"], list) and azp != settings.HEARTH_OIDC_CLIENT_ID:
        # Several audiences: OpenID Connect Core 3.1.3.7 asks for azp to name us.
        raise SSOError(_("The sign-in could not be verified: it was not made for Hearth."))
    return token.claims


def user_info(access_token: str, *, subject: str) -> dict:
    """The claims of the provider's userinfo endpoint, for a provider that keeps e-mail
    out of the ID token; they must be about the same subject."""
    endpoint = provider_metadata().get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        return {}
    claims = _get_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})
    if claims.get("sub") != subject:
        raise SSOError(_("The identity provider described someone else than who signed in."))
    return claims


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to sign out at the provider too (RP-initiated logout),
    or None when the provider offers no end_session_endpoint."""
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
    except SSOError:
        return None
    if not isinstance(endpoint, str):
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": settings.HEARTH_OIDC_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
