"""What the sign-in page offers: single sign-on, the password form, or both."""

from __future__ import annotations

from django import template
from django.conf import settings

from identity.sso.client import sso_enabled

register = template.Library()


@register.simple_tag
def sign_in_options() -> dict:
    """`{% sign_in_options as options %}`: options.sso (the provider is set up),
    options.name (what its button says) and options.break_glass (password sign-in is
    for the administrators in HEARTH_BREAK_GLASS_EMAILS only)."""
    return {
        "sso": sso_enabled(),
        "name": settings.HEARTH_OIDC_NAME,
        "break_glass": settings.HEARTH_PASSWORD_LOGIN == "break-glass",
    }
