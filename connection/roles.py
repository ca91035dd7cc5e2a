"""The one check for what only HR admins open, for pages and for the API.

Which rows a person sees (their teams, their people) is the models' business
(`visible_to`, `led_by`); this module only refuses whole pages and endpoints.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import IsAuthenticated

HR_ONLY = _("Only HR admins can do this.")


def hr_admin_required(view):
    """A page for HR admins: sign in first, then 403 for every other role."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        require_hr_admin(request.user)
        return view(request, *args, **kwargs)

    wrapped.hr_admin_required = True  # how the route test knows each HR-only page has it
    return login_required(wrapped)


def require_hr_admin(user) -> None:
    """For a page other roles may read but only HR admins change: 403 the change."""
    if not user.is_hr_admin:
        raise PermissionDenied(HR_ONLY)


class IsHRAdmin(IsAuthenticated):
    """The same rule for the API: `permission_classes=[IsHRAdmin]` on a viewset or `@action`.

    A permission, not the page decorator, because DRF signs the caller in (session
    or token) inside the view, after any decorator around it has run.
    """

    message = HR_ONLY

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.is_hr_admin


def leads_or_hr(user) -> bool:
    """Team leads and HR admins: who reads team-level insights (evidence, guides)."""
    return user.is_hr_admin or user.is_manager


def lead_or_hr_required(refusal: str):
    """A page for team leads and HR admins: sign in first, then 403 with `refusal`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not leads_or_hr(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


class IsLeadOrHR(IsAuthenticated):
    """`lead_or_hr_required` for an API view."""

    message = _("Only team leads and HR admins can do this.")

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and leads_or_hr(request.user)
