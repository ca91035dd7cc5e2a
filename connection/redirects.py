"""Where a view may send the browser next, when the request names it.

A `next` from a form or query string, or a link stored with a notification,
is followed only when it stays on this site; anything else (`//evil.example`,
`https://evil.example`, `/\\evil.example`, `javascript:`) goes to the view's
own fallback instead (an open redirect otherwise).
"""

from django import forms
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


class NextForm(forms.Form):
    next = forms.CharField(required=False, max_length=2000)


def safe_url(request: HttpRequest, url: str, fallback: str, *args) -> str:
    """`url` when it is on this site, else `fallback` (a URL name or path, with its args)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(fallback, *args)


def safe_next(request: HttpRequest, fallback: str, *args) -> str:
    """The `next` the request asks for (POST, else the query string) when it is on
    this site, else `fallback`."""
    form = NextForm(request.POST if request.method == "POST" else request.GET)
    target = form.cleaned_data["next"] if form.is_valid() else ""
    return safe_url(request, target, fallback, *args)
