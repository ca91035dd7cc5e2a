from django import forms
from django.contrib.auth.forms import AuthenticationForm

from connection.models import WEEKDAY_NAMES, Team, User, known_time_zones


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[],
        help_text="Nudges and suggested times follow this zone.",
    )
    working_days = forms.MultipleChoiceField(
        choices=[(str(i + 1), name) for i, name in enumerate(WEEKDAY_NAMES)],
        widget=forms.CheckboxSelectMultiple,
        help_text="Nobody will schedule you or nudge you outside these days.",
    )

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "work_start", "work_end", "working_days"]
        labels = {
            "display_name": "Name",
            "work_start": "Working hours start",
            "work_end": "Working hours end",
        }
        widgets = {
            "work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (z, z.replace("_", " ")) for z in sorted(known_time_zones())
        ]
        self.initial["working_days"] = list(self.instance.working_days)

    def clean_working_days(self) -> str:
        return "".join(sorted(self.cleaned_data["working_days"]))

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("work_start"), cleaned.get("work_end")
        if start and end and start == end:
            self.add_error(
                "work_end", "Working hours must end at a different time than they start."
            )
        return cleaned


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="All teams"
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(user)

    def team_options(self) -> list[tuple[int, str, bool]]:
        """(id, indented name, selected) for the team select, rendered by hand:
        Django's widget templates cost ~50 µs an option, and an org has hundreds."""
        selected = str(self.data.get("team", "")) if self.is_bound else ""
        teams = self.fields["team"].queryset.values_list("pk", "name", "depth")
        return [(pk, "\u2003" * depth + name, str(pk) == selected) for pk, name, depth in teams]


class OrgImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Org chart (CSV, UTF-8)",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 10 MB.")
        return upload


class OrgImportApplyForm(forms.Form):
    deactivate_missing = forms.BooleanField(
        required=False,
        label="Deactivate people who are not in this file",
        help_text="They can no longer sign in. Nothing about them is deleted.",
    )
