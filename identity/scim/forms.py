"""Every input SCIM reads, through a form: list queries, people, teams, and HR's tokens.

The SCIM views turn a request's JSON into plain values first (people.py, teams.py);
these forms then decide whether the values are acceptable, as every other view does.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connection.lifecycle import FORMER_EMAIL
from connection.models import Team, User, validate_time_zone
from identity.models import ScimToken
from identity.scim.protocol import DEFAULT_COUNT, MAX_COUNT, invalid_value


def scim_people():
    """Everyone SCIM sees: people it has not deleted, and not the placeholder that signs
    what erased people wrote for others (connection/lifecycle)."""
    return User.objects.filter(Q(scim__isnull=True) | Q(scim__deleted_at__isnull=True)).exclude(
        email=FORMER_EMAIL
    )


def raise_for(form: forms.Form) -> None:
    """A form's errors as one 400 invalidValue: nothing is written."""
    if not form.is_valid():
        problems = [
            f"{form[name].label}: {message}" if name != "__all__" else message
            for name, messages in form.errors.items()
            for message in messages
        ]
        raise invalid_value(" ".join(problems))


def comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class ListQueryForm(forms.Form):
    """?filter=&startIndex=&count=&attributes=&excludedAttributes= (RFC 7644 §3.4.2).

    Out-of-range numbers are read as RFC 7644 §3.4.2.4 says: a startIndex below 1 as 1,
    a negative count as 0; a count above the maximum is cut to it."""

    filter = forms.CharField(required=False, strip=False, max_length=2000)
    startIndex = forms.IntegerField(required=False)  # SCIM's own names
    count = forms.IntegerField(required=False)
    attributes = forms.CharField(required=False, max_length=2000)
    excludedAttributes = forms.CharField(required=False, max_length=2000)

    def query(self) -> dict:
        if not self.is_valid():
            name, messages = next(iter(self.errors.items()))
            raise invalid_value(f"{name}: {messages[0]}")
        data = self.cleaned_data
        count = DEFAULT_COUNT if data["count"] is None else data["count"]
        return {
            "filter": data["filter"],
            "start": max(data["startIndex"] or 1, 1),
            "count": min(max(count, 0), MAX_COUNT),
            "attributes": comma_list(data["attributes"]),
            "excluded": comma_list(data["excludedAttributes"]),
        }


class ScimPersonForm(forms.Form):
    # Labels are SCIM's attribute names: they name the attribute in an error's detail.
    email = forms.EmailField(label="userName", max_length=254)
    display_name = forms.CharField(label="displayName", max_length=120)
    given_name = forms.CharField(label="name.givenName", max_length=120, required=False)
    family_name = forms.CharField(label="name.familyName", max_length=120, required=False)
    external_id = forms.CharField(label="externalId", max_length=255, required=False)
    is_active = forms.BooleanField(label="active", required=False)
    time_zone = forms.CharField(label="timezone", max_length=64, validators=[validate_time_zone])
    manager = forms.ModelChoiceField(label="manager", queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = scim_people()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ScimTeamForm(forms.Form):
    name = forms.CharField(label="displayName", max_length=120)
    external_id = forms.CharField(label="externalId", max_length=255, required=False)
    parent = forms.ModelChoiceField(label="parent", queryset=Team.objects.all(), required=False)


class MembersForm(forms.Form):
    """The people a group operation names: every id must be someone SCIM sees."""

    people = forms.ModelMultipleChoiceField(
        label="members", queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = scim_people()


class IssueTokenForm(forms.ModelForm):
    class Meta:
        model = ScimToken
        fields = ["label"]
        labels = {"label": _("Which provider will use it")}


def check(form: forms.Form) -> dict:
    """The cleaned data of a form that must be valid, else a SCIM 400 (nothing written)."""
    raise_for(form)
    return form.cleaned_data


class ResourceIdForm(forms.Form):
    """A SCIM id in a URL or a filter: Hearth's ids are its row ids."""

    id = forms.IntegerField(min_value=1, max_value=2**63 - 1)


def resource_pk(text) -> int | None:
    """The row id `text` names, or None when it names no row Hearth could have."""
    form = ResourceIdForm({"id": text})
    return form.cleaned_data["id"] if form.is_valid() else None
