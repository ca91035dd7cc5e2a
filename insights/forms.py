from django import forms

from insights.models import ConversationGuide


class ConversationGuideForm(forms.ModelForm):
    class Meta:
        model = ConversationGuide
        fields = ["title", "opening", "questions", "avoid", "follow_up"]
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
        error_messages={"invalid_choice": "Choose a slice from the list."},
    )

    def __init__(self, *args, slices: list[tuple[str, str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slice"].choices = [("", "Everyone")] + [
            (f"{by}:{value}", label) for by, value, label in slices
        ]

    def view_arguments(self) -> dict:
        by, _, value = self.cleaned_data["slice"].partition(":")
        level = self.cleaned_data["level"]
        return {"level": 1 if level is None else level, "slice_by": by, "slice_value": value}


class SettingsHubForm(forms.Form):
    """Which of the Settings page's forms was sent."""

    form = forms.ChoiceField(choices=[("retention", "Retention"), ("sign_in", "Sign-in")])
