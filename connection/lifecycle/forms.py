"""The lifecycle's forms: confirming an erasure, and HR's retention windows."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from connection.models import OrgSettings, User

LONGEST_DAYS = 3650  # ten years: longer than any record-keeping rule asks


class EraseForm(forms.Form):
    """Typing the person's e-mail confirms: no erasure by a stray click."""

    email = forms.CharField(
        label=_("Type the e-mail address to confirm"), max_length=254, strip=True
    )

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_email(self) -> str:
        typed = self.cleaned_data["email"]
        if typed.lower() != self.person.email.lower():
            raise forms.ValidationError(_("That is not the e-mail address of this account."))
        return typed


class RetentionForm(forms.ModelForm):
    """How long Hearth keeps what ages out, and whether people may erase themselves."""

    class Meta:
        model = OrgSettings
        fields = [
            "signal_retention_days",
            "nudge_retention_days",
            "thread_retention_days",
            "audit_retention_days",
            "people_may_erase_themselves",
        ]
        labels = {
            "signal_retention_days": _("Keep behaviour signals for (days)"),
            "nudge_retention_days": _("Keep messages for (days)"),
            "thread_retention_days": _("Keep team thread posts for (days)"),
            "audit_retention_days": _("Keep audit entries for (days)"),
            "people_may_erase_themselves": _("People may erase their own account and data"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields[:4]:
            field = self.fields[name]
            field.validators.append(MaxValueValidator(LONGEST_DAYS))
            field.widget.attrs["max"] = LONGEST_DAYS
