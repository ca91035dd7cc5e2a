from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from connection.forms import DayField, ManyField
from connection.models import Team
from connection.team_select import TeamSelectMultiple
from insights import pilots
from insights.models import ConversationGuide
from rituals.models import RitualTemplate


class ConversationGuideForm(forms.ModelForm):
    class Meta:
        model = ConversationGuide
        fields = ["title", "opening", "questions", "avoid", "follow_up"]
        labels = {
            "title": gettext_lazy("Title"),
            "opening": gettext_lazy("Opening"),
            "questions": gettext_lazy("Questions"),
            "avoid": gettext_lazy("Avoid"),
            "follow_up": gettext_lazy("Follow up"),
        }
        widgets = {
            "opening": forms.Textarea(attrs={"rows": 3}),
            "questions": forms.Textarea(attrs={"rows": 5}),
            "avoid": forms.Textarea(attrs={"rows": 5}),
            "follow_up": forms.Textarea(attrs={"rows": 4}),
        }


class OrgInsightsForm(forms.Form):
    """HR's organisation dashboard and its CSV: which level, sliced how."""

    level = forms.IntegerField(required=False, min_value=0, max_value=100)
    slice = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a slice from the list.")},
    )

    def __init__(self, *args, slices: list[tuple[str, str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slice"].choices = [("", _("Everyone"))] + [
            (f"{by}:{value}", label) for by, value, label in slices
        ]

    def view_arguments(self) -> dict:
        by, _, value = self.cleaned_data["slice"].partition(":")
        level = self.cleaned_data["level"]
        return {"level": 1 if level is None else level, "slice_by": by, "slice_value": value}


class SettingsHubForm(forms.Form):
    """Which of the Settings page's forms was sent."""

    form = forms.ChoiceField(
        choices=[
            ("retention", gettext_lazy("Retention")),
            ("sign_in", gettext_lazy("Sign-in")),
            ("language", gettext_lazy("Language")),
        ]
    )


def _leaf_teams():
    return Team.objects.filter(children__isnull=True).order_by("path")


class PilotForm(forms.Form):
    """HR starts a pilot: its teams (without sub-teams), rituals and first day."""

    name = forms.CharField(max_length=120, label=gettext_lazy("Name it"))
    teams = ManyField(
        queryset=_leaf_teams(),
        widget=TeamSelectMultiple(attrs={"size": 6}),
        label=format_lazy(
            gettext_lazy("Teams in the pilot (2 or 3 is usual; at most {max})"),
            max=pilots.MAX_TEAMS,
        ),
        error_messages={
            "invalid_choice": gettext_lazy("Choose teams without sub-teams from the list.")
        },
    )
    templates = ManyField(
        queryset=RitualTemplate.objects.filter(active=True).order_by("position", "name"),
        widget=forms.CheckboxSelectMultiple,
        label=format_lazy(gettext_lazy("Rituals to try (at most {max})"), max=pilots.MAX_RITUALS),
        error_messages={"invalid_choice": gettext_lazy("Choose rituals from the catalogue.")},
    )
    starts_on = DayField(
        label=gettext_lazy("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].label_from_instance = lambda t: t.name

    def clean_teams(self):
        teams = list(self.cleaned_data["teams"])
        if len(teams) > pilots.MAX_TEAMS:
            raise forms.ValidationError(
                _("Choose at most %(max)s teams.") % {"max": pilots.MAX_TEAMS}
            )
        return teams

    def clean_templates(self):
        templates = list(self.cleaned_data["templates"])
        if len(templates) > pilots.MAX_RITUALS:
            raise forms.ValidationError(
                _("Choose at most %(max)s rituals.") % {"max": pilots.MAX_RITUALS}
            )
        return templates


class ExtendPilotForm(forms.Form):
    weeks = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (w, ngettext_lazy("%(n)s week", "%(n)s weeks", "n") % {"n": w}) for w in (1, 2, 4, 8)
        ],
        initial=2,
        label=gettext_lazy("Extend by"),
    )


class RollOutForm(forms.Form):
    """More teams to adopt a pilot's rituals: teams without sub-teams outside the pilot."""

    teams = ManyField(
        queryset=_leaf_teams(),
        widget=TeamSelectMultiple(attrs={"size": 6}),
        label=gettext_lazy("Roll the pilot's rituals out to"),
        error_messages={
            "invalid_choice": gettext_lazy("Choose teams without sub-teams from the list.")
        },
    )

    def __init__(self, *args, pilot=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if pilot is not None:
            field = self.fields["teams"]
            field.queryset = field.queryset.exclude(pilots=pilot)
