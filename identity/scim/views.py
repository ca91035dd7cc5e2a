"""HR's page for SCIM tokens: list, issue (the raw token shown once), revoke."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from connection.roles import hr_admin_required
from identity.models import ScimToken
from identity.scim.forms import IssueTokenForm
from identity.scim.tokens import issue_token, revoke_token


def _page(request: HttpRequest, form: IssueTokenForm, raw: str = "") -> HttpResponse:
    context = {
        "form": form,
        "tokens": ScimToken.objects.select_related("created_by"),
        "raw": raw,
        "base_url": settings.SITE_URL + reverse("scim_users").removesuffix("Users"),
    }
    return render(request, "identity/scim_tokens.html", context)


@hr_admin_required
@require_http_methods(["GET", "POST"])
def scim_tokens(request: HttpRequest) -> HttpResponse:
    form = IssueTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The raw token is on this answer only: Hearth keeps its digest.
        _token, raw = issue_token(label=form.cleaned_data["label"], by=request.user)
        return _page(request, IssueTokenForm(), raw=raw)
    return _page(request, form)


@hr_admin_required
@require_POST
def scim_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ScimToken, pk=pk)
    if revoke_token(token=token, by=request.user):
        messages.success(
            request,
            _("Revoked %(token)s. A provider using it is refused from now on.") % {"token": token},
        )
    else:
        messages.info(request, _("%(token)s was already revoked.") % {"token": token})
    return redirect("scim_tokens")
