"""Single sign-on: off to the provider (login), back from it (callback), and signing out
at both ends (logout). docs/identity.md explains the setup."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from connection.access import SSO_METHOD_KEY
from connection.models import SignIn, User
from connection.redirects import NextForm, safe_url
from identity.sso.client import (
    SSOError,
    end_session_url,
    exchange_code,
    sso_enabled,
    start_authorization,
    user_info,
    verify_id_token,
)
from identity.sso.forms import CallbackForm
from identity.sso.services import person_for_sign_in

# Sign-ins on their way to the provider, by state: {state: {nonce, verifier, next}}.
PENDING = "hearth_sso_pending"
MAX_PENDING = 5  # a few tabs at once; older ones are forgotten
# Set on a session signed in by single sign-on: {"id_token": ...} for the provider's
# sign-out. The base template reads it to send "Sign out" through sso_logout.
SIGNED_IN = "hearth_sso"

STALE = gettext_lazy(
    "This sign-in has expired or was already used. Start again from the sign-in page."
)
PROVIDER_ERRORS = {
    "access_denied": gettext_lazy("The sign-in was cancelled, or %(name)s did not let you in."),
    "login_required": gettext_lazy("%(name)s asks you to sign in again."),
    "consent_required": gettext_lazy("%(name)s needs your consent before Hearth can sign you in."),
    "interaction_required": gettext_lazy("%(name)s needs you to finish signing in there first."),
    "temporarily_unavailable": gettext_lazy("%(name)s is busy at the moment. Try again shortly."),
}


def callback_uri() -> str:
    """The redirect URI registered at the provider: SITE_URL + /sso/callback/."""
    return settings.SITE_URL + reverse("sso_callback")


def refused(request: HttpRequest, error: SSOError) -> HttpResponse:
    context = {"message": str(error), "turned_away": error.status == 403}
    return render(request, "identity/sso_refused.html", context, status=error.status)


@require_GET
def sso_login(request: HttpRequest) -> HttpResponse:
    if not sso_enabled():
        raise Http404(_("Single sign-on is not set up."))
    form = NextForm(request.GET)
    target = form.cleaned_data["next"] if form.is_valid() else ""
    try:
        authorization = start_authorization(callback_uri())
    except SSOError as error:
        return refused(request, error)
    pending = request.session.get(PENDING, {})
    pending[authorization.state] = {
        "nonce": authorization.nonce,
        "verifier": authorization.verifier,
        "next": target,
    }
    request.session[PENDING] = dict(list(pending.items())[-MAX_PENDING:])
    return redirect(authorization.url)


def _take_pending(request: HttpRequest, state: str) -> dict | None:
    """The sign-in this state started, forgotten as it is read: a state works once."""
    pending = request.session.get(PENDING, {})
    found = pending.pop(state, None) if state else None
    if found is not None:
        request.session[PENDING] = pending
    return found


def _provider_error(code: str) -> SSOError:
    name = settings.HEARTH_OIDC_NAME
    message = PROVIDER_ERRORS.get(code) or _("%(name)s could not sign you in (%(code)s).")
    return SSOError(capfirst(str(message) % {"name": name, "code": code[:40]}))


@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    if not sso_enabled():
        raise Http404(_("Single sign-on is not set up."))
    form = CallbackForm(request.GET)
    if not form.is_valid():
        return refused(request, SSOError(_("The answer from the identity provider is incomplete.")))
    answer = form.cleaned_data
    pending = _take_pending(request, answer["state"])
    if answer["error"]:
        return refused(request, _provider_error(answer["error"]))
    if pending is None:
        return refused(request, SSOError(str(STALE)))
    if answer["iss"] and answer["iss"] != settings.HEARTH_OIDC_ISSUER:
        return refused(request, SSOError(_("The answer came from another identity provider.")))
    try:
        person, id_token = _complete(code=answer["code"], pending=pending)
    except SSOError as error:
        return refused(request, error)
    setattr(request, SSO_METHOD_KEY, SignIn.Method.SSO)
    login(request, person, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SIGNED_IN] = {"id_token": id_token}
    return redirect(safe_url(request, pending["next"], settings.LOGIN_REDIRECT_URL))


def _complete(*, code: str, pending: dict) -> tuple[User, str]:
    """The person a code signs in, and their ID token: exchanged, verified, matched."""
    token = exchange_code(code=code, verifier=pending["verifier"], redirect_uri=callback_uri())
    now = int(timezone.now().timestamp())
    claims = verify_id_token(token["id_token"], nonce=pending["nonce"], now=now)
    if "email" not in claims and isinstance(token.get("access_token"), str):
        # A provider may keep the e-mail for its userinfo endpoint; the ID token wins.
        claims = {**user_info(token["access_token"], subject=claims["sub"]), **claims}
    return person_for_sign_in(claims=claims), token["id_token"]


@require_POST
@never_cache
def sso_logout(request: HttpRequest) -> HttpResponse:
    """Sign out here, then, for a session the provider signed in, at the provider too
    (which sends the browser back to the sign-in page).

    The way to the provider is a page that moves on by itself, not a redirect: the
    sign-out form's page allows forms to post only to Hearth (CSP form-action), and
    the browser holds a redirect after a form to that too."""
    signed_in = request.session.get(SIGNED_IN)
    logout(request)
    if sso_enabled() and isinstance(signed_in, dict) and signed_in.get("id_token"):
        url = end_session_url(
            id_token=signed_in["id_token"],
            post_logout_redirect_uri=settings.SITE_URL + reverse("login"),
        )
        if url:
            context = {"url": url, "name": settings.HEARTH_OIDC_NAME}
            return render(request, "identity/sso_signing_out.html", context)
    return redirect(settings.LOGOUT_REDIRECT_URL)
