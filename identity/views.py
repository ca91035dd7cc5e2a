"""The scheduled org sync's settings page and its runs (HR admins)."""

from django.http import HttpRequest, HttpResponse


def org_sync(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def org_sync_run(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
