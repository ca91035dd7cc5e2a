"""What the provider's answer to a sign-in may carry (the callback's query string)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _


class CallbackForm(forms.Form):
    """The authorization response (RFC 6749 4.1.2 and 4.1.2.1, RFC 9207's `iss`): a code
    and the state, or an error."""

    code = forms.CharField(required=False, max_length=2000)
    state = forms.CharField(required=False, max_length=500)
    iss = forms.CharField(required=False, max_length=2000)
    error = forms.CharField(required=False, max_length=200)
    error_description = forms.CharField(required=False, max_length=1000)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("error") and not (data.get("code") and data.get("state")):
            raise forms.ValidationError(_("The answer has neither a code and state nor an error."))
        return data
