"""What the chat apps' views accept: Slack's requests (a slash command's fields, an
interaction's JSON payload, the OAuth redirect) and HR's choices."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connection.models import Team
from connection.team_select import TeamSelect


class SlackCommandForm(forms.Form):
    """A slash command's fields, as Slack posts them."""

    team_id = forms.CharField(max_length=32)
    user_id = forms.CharField(max_length=32)
    command = forms.CharField(max_length=40)
    text = forms.CharField(max_length=4000, required=False, strip=False)


class SlackInteractionForm(forms.Form):
    """Buttons, modals and shortcuts: one `payload` field holding JSON."""

    payload = forms.CharField(max_length=200_000)

    def clean_payload(self) -> dict:
        try:
            payload = json.loads(self.cleaned_data["payload"])
        except ValueError:
            raise forms.ValidationError(_("The payload isn't JSON.")) from None
        if not isinstance(payload, dict) or not isinstance(payload.get("team"), dict):
            raise forms.ValidationError(_("The payload names no workspace."))
        return payload


def slack_event(body: bytes) -> dict | None:
    """An Events API body, or None when it isn't a JSON object."""
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class OAuthCallbackForm(forms.Form):
    """Where Slack sends HR back after "Allow" (code) or "Cancel" (error)."""

    code = forms.CharField(max_length=200, required=False)
    state = forms.CharField(max_length=500)
    error = forms.CharField(max_length=100, required=False)


class TeamChannelForm(forms.Form):
    """The Slack channel a team's micro-update highlights go to."""

    team = forms.ModelChoiceField(queryset=Team.objects.order_by("path"), widget=TeamSelect())
    channel_id = forms.RegexField(
        regex=r"^[CG][A-Z0-9]{6,30}$",
        label=gettext_lazy("Slack channel id"),
        help_text=gettext_lazy(
            "In Slack: open the channel's details; the id (C…) is at the bottom. "
            "Invite the Hearth app to the channel."
        ),
        error_messages={
            "invalid": gettext_lazy("A channel id starts with C and has letters and digits.")
        },
    )
    share_highlights = forms.BooleanField(
        label=gettext_lazy("Post the team's highlights there"), required=False, initial=True
    )
