"""Who may still use a password when single sign-on is the way in.

HEARTH_PASSWORD_LOGIN = "break-glass" keeps password sign-in, and the password reset,
for the administrators listed in HEARTH_BREAK_GLASS_EMAILS only: they can still get in
when the identity provider is down. Everyone else is told to use single sign-on.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def password_sign_in_allowed(email: str) -> bool:
    """Anyone may sign in with a password unless HEARTH_PASSWORD_LOGIN is "break-glass";
    then only the addresses in HEARTH_BREAK_GLASS_EMAILS may (whatever their case)."""
    if settings.HEARTH_PASSWORD_LOGIN != "break-glass":
        return True
    return email.strip().lower() in settings.HEARTH_BREAK_GLASS_EMAILS


def password_sign_in_off() -> ValidationError:
    return ValidationError(
        _("Password sign-in is turned off: sign in with %(name)s instead."),
        code="password_sign_in_off",
        params={"name": settings.HEARTH_OIDC_NAME},
    )


class EmailPasswordResetForm(PasswordResetForm):
    """The password reset, refused (no mail sent) to whoever may not use a password."""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if not password_sign_in_allowed(email):
            raise password_sign_in_off()
        return email

    def get_users(self, email: str):
        if not password_sign_in_allowed(email):
            return iter(())
        return super().get_users(email)
