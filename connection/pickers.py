"""People pickers: a list of people to tick (or choose one of), each named with
team and city, and a search box that narrows it as you type.

The list holds those already chosen and the first 50 others the picker offers (never
the whole organisation); with htmx, a search box is loaded beside it and each
keystroke asks `people_pick` for the people matching, keeping those already chosen
at the top. Without JavaScript the form works as any other, over that list.

Team selects work the same way past a hundred teams (connection/team_select.py, and
`teams_pick` with the forms below).
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from connection.forms import ManyField, TeamChoiceField
from connection.models import Team, User

SHOWN = 50  # people a search shows at once; "type more" beyond


def picker_options(people, chosen: set[int]) -> list[dict]:
    """What the options template draws, for people (User rows) and the chosen ids."""
    return [
        {
            "value": person.pk,
            "name": person.display_name,
            "place": person.picker_place,
            "checked": person.pk in chosen,
        }
        for person in people
    ]


class _Picker:
    """The shared half of both widgets: the list, and the URL of the search box."""

    template_name = "_partials/people_picker.html"

    def get_context(self, name, value, attrs):
        # Widget's own context only: the choice widgets would build every option twice.
        context = forms.Widget.get_context(self, name, value, attrs)
        # What was sent back, kept as sent: only plain ids can be ticked ("²" is a digit
        # to str.isdigit, not to int()).
        # An id past 18 digits is no row's (and overflows a database integer).
        chosen = {
            int(v)
            for v in context["widget"]["value"]
            if str(v).isascii() and str(v).isdigit() and len(str(v)) <= 18
        }
        # Those chosen, then the first SHOWN of the rest: a picker over 100,000 people
        # must not render (or even load) them all; the search box finds anyone else.
        offered = self.choices.queryset
        people = list(offered.filter(pk__in=chosen)) if chosen else []
        others = list(offered.exclude(pk__in=chosen)[: SHOWN + 1])
        many = self.allow_multiple_selected
        query = urlencode({"name": name, "many": int(many)})
        context["picker"] = {
            "name": name,
            "many": many,
            "options": picker_options(people + others[:SHOWN], chosen),
            "more": len(others) > SHOWN,
            "search_url": f"{reverse('people_pick')}?{query}",
        }
        return context


class PeoplePicker(_Picker, forms.CheckboxSelectMultiple):
    """Several people, ticked."""


class PersonPicker(_Picker, forms.RadioSelect):
    """One person."""


class PeoplePickForm(forms.Form):
    """What the picker's search box sends: which field, one or several, the text."""

    name = forms.RegexField(
        regex=r"^[a-z_]{1,30}$", error_messages={"invalid": _("Unknown picker.")}
    )
    many = forms.TypedChoiceField(
        choices=[("0", "one"), ("1", "several")],
        coerce=lambda v: v == "1",
        empty_value=False,
        required=False,
    )
    part = forms.ChoiceField(choices=[("box", "box"), ("options", "options")], required=False)
    q = forms.CharField(max_length=80, required=False, strip=True)


class ChosenForm(forms.Form):
    """The people already ticked, sent under the picker's own field name."""

    def __init__(self, data, *, name: str, people) -> None:
        super().__init__(data)
        self.name = name
        self.fields[name] = ManyField(queryset=people, required=False)

    @property
    def chosen(self) -> list[User]:
        return list(self.cleaned_data[self.name])


# ---------------------------------------------------------------- teams


class TeamsPickForm(forms.Form):
    """What a team select's search box sends: the field, where to look, the text."""

    name = forms.RegexField(
        regex=r"^[a-z_]{1,30}$", error_messages={"invalid": _("Unknown select.")}
    )
    scope = forms.ChoiceField(choices=[("visible", "visible"), ("led", "led")])
    many = forms.TypedChoiceField(
        choices=[("0", "one"), ("1", "several")],
        coerce=lambda v: v == "1",
        empty_value=False,
        required=False,
    )
    blank = forms.BooleanField(required=False)  # the select starts with a "no team" option
    empty = forms.CharField(max_length=40, required=False)  # ...named so
    q = forms.CharField(max_length=80, required=False, strip=True)


class ChosenTeamForm(forms.Form):
    """The teams chosen so far, sent under the select's own name: kept first."""

    def __init__(self, data, *, name: str, teams, many: bool) -> None:
        super().__init__(data)
        self.name = name
        field = ManyField if many else TeamChoiceField
        self.fields[name] = field(queryset=teams, required=False)

    @property
    def chosen(self) -> list[Team]:
        value = self.cleaned_data[self.name]
        return list(value) if isinstance(value, QuerySet) else [value] if value else []
