from __future__ import annotations

from django import forms

from connection.forms import DayField, MomentField
from connection.models import User
from connection.pickers import PersonPicker
from connection.team_select import TeamSelect
from mentorship.models import CaseNote, CheckIn, MentoringSession, Programme, ShadowWindow

WEEKDAYS = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
]


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "kind",
            "name",
            "description",
            "team",
            "cadence_weeks",
            "group_size",
            "max_group_size",
            "cross_team",
            "topic",
            "weeks",
            "rotate_buddy",
        ]
        labels = {"cadence_weeks": "Every (weeks)", "team": "Only for this team (and below)"}
        widgets = {
            "cadence_weeks": forms.Select(choices=[(1, "1 week"), (2, "2 weeks"), (4, "4 weeks")]),
            "team": TeamSelect(scope="led"),
        }

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].required = not kwargs.get("initial", {}).get("org_wide", False)

    def clean(self) -> dict:
        cleaned = super().clean()
        size, biggest = cleaned.get("group_size"), cleaned.get("max_group_size")
        if size and biggest and not 2 <= size <= biggest <= 6:
            self.add_error("max_group_size", "Groups of 2 to 6, the largest at least the usual.")
        return cleaned


class OfficeHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int)
    start_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), help_text="Your time."
    )
    minutes = forms.IntegerField(min_value=10, max_value=240, initial=60)
    block_minutes = forms.IntegerField(
        label="Blocks of (minutes)", min_value=10, max_value=120, initial=20
    )
    about = forms.CharField(
        max_length=120, required=False, help_text="What people can ask you about."
    )


class BookingForm(forms.Form):
    starts_at = MomentField(widget=forms.HiddenInput, label="Block")
    topic = forms.CharField(max_length=120, label="What would you like to talk about?")


class SessionForm(forms.Form):
    other = forms.ModelChoiceField(queryset=User.objects.none(), label="With", widget=PersonPicker)
    role = forms.ChoiceField(
        choices=[("mentor", "I mentored them"), ("mentee", "They mentored me")],
        widget=forms.RadioSelect,
        initial="mentor",
    )
    kind = forms.ChoiceField(choices=MentoringSession.Kind.choices)
    held_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    minutes = forms.IntegerField(min_value=1, max_value=480)
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = User.objects.to_pick(besides=user)


class SessionDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", "Confirm"), ("decline", "Decline")])

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["confirm"] = cleaned.get("action") == "confirm"
        return cleaned


class CaseNoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["topic", "tried", "failed", "learned", "visibility"]
        labels = {
            "tried": "What we tried",
            "failed": "What didn’t work",
            "learned": "What we learned",
        }
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ("tried", "failed", "learned")}


class ShadowForm(forms.Form):
    title = forms.CharField(max_length=120, help_text="e.g. Shadow my incident review")
    starts_at = MomentField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Your time.",
    )
    minutes = forms.IntegerField(min_value=10, max_value=480, initial=60)
    places = forms.IntegerField(min_value=1, max_value=10, initial=2)


class ProgrammeKindForm(forms.Form):
    """?kind= from a dashboard's "start a programme" link: the kind to preselect."""

    kind = forms.ChoiceField(choices=Programme.Kind.choices, required=False)


class LogActionForm(forms.Form):
    """Which of the mentoring log page's two forms was sent."""

    action = forms.ChoiceField(
        choices=[("session", "Log a session"), ("note", "Publish a case note")], required=False
    )


class MembershipForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("join", "Join"), ("pause", "Pause"), ("resume", "Resume"), ("leave", "Leave")]
    )
    until = DayField(required=False, label="Paused until")


class CheckInForm(forms.Form):
    answer = forms.ChoiceField(
        choices=CheckIn.Answer.choices,
        error_messages={"invalid_choice": "Choose met, not yet or rescheduled."},
    )
    # Buddies check in weekly for about three months; other groups answer once.
    week = forms.IntegerField(required=False, min_value=1, max_value=52)


class AvoidForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Person",
        widget=PersonPicker,
        error_messages={"invalid_choice": "Choose someone from the list."},
    )
    action = forms.ChoiceField(choices=[("add", "Add"), ("remove", "Remove")], required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Anyone else, so a person deactivated since can still be taken off the list.
        self.fields["person"].queryset = User.objects.exclude(pk=user.pk)

    @classmethod
    def to_add(cls, user: User) -> AvoidForm:
        """The blank form the page shows: the picker lists everyone else still here."""
        form = cls(user=user)
        form.fields["person"].queryset = User.objects.to_pick(besides=user)
        return form

    def clean(self) -> dict:
        cleaned = super().clean()
        person = cleaned.get("person")
        if person and cleaned.get("action") != "remove" and not person.is_active:
            self.add_error("person", "Choose someone from the list.")
        return cleaned


class NoteSearchForm(forms.Form):
    q = forms.CharField(label="Topic", required=False, max_length=80)


class ShadowActionForm(forms.Form):
    """Which shadowing button was pressed: publish a window, or ask to join one."""

    action = forms.ChoiceField(choices=[("publish", "Publish"), ("request", "Ask to join")])
    window = forms.ModelChoiceField(
        queryset=ShadowWindow.objects.all(),
        required=False,
        error_messages={"invalid_choice": "Choose a window from the list."},
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            cleaned.get("action") == "request"
            and "window" not in self.errors
            and not cleaned.get("window")
        ):
            self.add_error("window", "Choose a window from the list.")
        return cleaned
