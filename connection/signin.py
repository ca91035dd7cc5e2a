"""Who is trying to sign in, as django-axes counts failures (settings.AXES_*)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def attempted_username(request: HttpRequest, credentials: dict | None) -> str:
    """The e-mail address tried, as the login form normalises it, so that
    "Bob@Example.com " and "bob@example.com" count against one account."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(raw).strip().lower()[:255]


def client_ip(request: HttpRequest) -> str:
    """The address a request came from.

    Behind HEARTH_PROXY_COUNT proxies, each appends the address it saw to
    X-Forwarded-For; the client's is the one the outermost of ours added.
    Entries further left come from the client and can be forged.
    """
    count = settings.HEARTH_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [entry.strip() for entry in forwarded if entry.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request: HttpRequest, response: HttpResponse, credentials: dict | None):
    """The page a locked-out sign-in gets instead of the form (429 Too Many Requests)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
