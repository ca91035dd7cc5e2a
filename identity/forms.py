"""Forms of identity's HTML pages: the org sync's source and brake, and decisions."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from connection.models import OrgSettings
from identity.models import SyncSource


class SharePercentField(forms.IntegerField):
    """A share (0.0-1.0 in the database) as a whole percentage on the page."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=100, **kwargs)

    def prepare_value(self, value):
        return round(value * 100) if isinstance(value, float) else value

    def clean(self, value):
        return super().clean(value) / 100


class SyncSourceForm(forms.ModelForm):
    max_deactivate_share = SharePercentField(
        label=_("Pause when a run would deactivate more than (%)"),
        help_text=_("Of the people active now. The run waits for your approval instead."),
    )
    max_move_share = SharePercentField(
        label=_("Pause when a run would move more than (%)"),
        help_text=_("Of the people active now, moved to another team."),
    )

    class Meta:
        model = SyncSource
        fields = [
            "enabled",
            "kind",
            "location",
            "every_hours",
            "deactivate_missing",
            "max_deactivate_share",
            "max_move_share",
        ]
        labels = {
            "enabled": _("Run the sync on its schedule"),
            "kind": _("Read the org chart from"),
            "location": _("File path or URL"),
            "every_hours": _("Every (hours)"),
            "deactivate_missing": _("Deactivate people who are no longer in the file"),
        }

    def clean(self):
        data = super().clean()
        kind, location = data.get("kind"), (data.get("location") or "").strip()
        if data.get("enabled") and not location:
            self.add_error("location", _("Give the file's path or URL before turning the sync on."))
        elif location and kind == SyncSource.Kind.URL:
            scheme = urlsplit(location).scheme
            if scheme != "https" and not (settings.HEARTH_SYNC_ALLOW_HTTP and scheme == "http"):
                self.add_error("location", _("Use an https:// address."))
        elif location and kind == SyncSource.Kind.FILE and not Path(location).is_absolute():
            self.add_error("location", _("Give the file's full path on the server, from /."))
        data["location"] = location
        return data


class SyncActionForm(forms.Form):
    """Which button the settings page's form was sent with."""

    action = forms.ChoiceField(choices=[("save", _("Save")), ("run", _("Run now"))])


class SyncDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class SignInSettingsForm(forms.ModelForm):
    """What HR decides about single sign-on (the provider itself is set by environment)."""

    class Meta:
        model = OrgSettings
        fields = ["sso_creates_accounts"]
        labels = {"sso_creates_accounts": _("Single sign-on creates accounts")}
