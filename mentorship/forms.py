from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from connection.forms import DayField, MomentField
from connection.models import User
from connection.pickers import PersonPicker
from connection.team_select import TeamSelect
from mentorship.models import (
    WEEKDAY_NAMES,
    CaseNote,
    CheckIn,
    MentoringSession,
    Programme,
    ShadowWindow,
)

WEEKDAYS = list(enumerate(WEEKDAY_NAMES, start=1))


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
        labels = {
            "kind": _("Kind"),
            "name": _("Name"),
            "description": _("Description"),
            "team": _("Only for this team (and below)"),
            "cadence_weeks": _("Every (weeks)"),
            "group_size": _("Group size"),
            "max_group_size": _("Max group size"),
            "cross_team": _("Cross team"),
            "topic": _("Topic"),
            "weeks": _("Weeks"),
            "rotate_buddy": _("Rotate buddy"),
        }
        widgets = {
            "cadence_weeks": forms.Select(
                choices=[(1, _("1 week")), (2, _("2 weeks")), (4, _("4 weeks"))]
            ),
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
            self.add_error("max_group_size", _("Groups of 2 to 6, the largest at least the usual."))
        return cleaned


class OfficeHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, label=_("Weekday"))
    start_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Your time."),
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=10, max_value=240, initial=60)
    block_minutes = forms.IntegerField(
        label=_("Blocks of (minutes)"), min_value=10, max_value=120, initial=20
    )
    about = forms.CharField(
        label=_("About"),
        max_length=120,
        required=False,
        help_text=_("What people can ask you about."),
    )


class BookingForm(forms.Form):
    starts_at = MomentField(widget=forms.HiddenInput, label=_("Block"))
    topic = forms.CharField(max_length=120, label=_("What would you like to talk about?"))


class SessionForm(forms.Form):
    other = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("With"), widget=PersonPicker
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("mentor", _("I mentored them")), ("mentee", _("They mentored me"))],
        widget=forms.RadioSelect,
        initial="mentor",
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=MentoringSession.Kind.choices)
    held_on = forms.DateField(
        label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=480)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = User.objects.to_pick(besides=user)


class SessionDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("decline", _("Decline"))])

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["confirm"] = cleaned.get("action") == "confirm"
        return cleaned


class CaseNoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["topic", "tried", "failed", "learned", "visibility"]
        labels = {
            "topic": _("Topic"),
            "tried": _("What we tried"),
            "failed": _("What didn’t work"),
            "learned": _("What we learned"),
            "visibility": _("Visibility"),
        }
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ("tried", "failed", "learned")}


class ShadowForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=120, help_text=_("e.g. Shadow my incident review")
    )
    starts_at = MomentField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Your time."),
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=10, max_value=480, initial=60)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=10, initial=2)


class ProgrammeKindForm(forms.Form):
    """?kind= from a dashboard's "start a programme" link: the kind to preselect."""

    kind = forms.ChoiceField(choices=Programme.Kind.choices, required=False)


class LogActionForm(forms.Form):
    """Which of the mentoring log page's two forms was sent."""

    action = forms.ChoiceField(
        choices=[("session", _("Log a session")), ("note", _("Publish a case note"))],
        required=False,
    )


class MembershipForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("join", _("Join")),
            ("pause", _("Pause")),
            ("resume", _("Resume")),
            ("leave", _("Leave")),
        ]
    )
    until = DayField(required=False, label=_("Paused until"))


class CheckInForm(forms.Form):
    answer = forms.ChoiceField(
        choices=CheckIn.Answer.choices,
        error_messages={"invalid_choice": _("Choose met, not yet or rescheduled.")},
    )
    # Buddies check in weekly for about three months; other groups answer once.
    week = forms.IntegerField(required=False, min_value=1, max_value=52)


class AvoidForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Person"),
        widget=PersonPicker,
        error_messages={"invalid_choice": _("Choose someone from the list.")},
    )
    action = forms.ChoiceField(choices=[("add", _("Add")), ("remove", _("Remove"))], required=False)

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
            self.add_error("person", _("Choose someone from the list."))
        return cleaned


class NoteSearchForm(forms.Form):
    q = forms.CharField(label=_("Topic"), required=False, max_length=80)


class ShadowActionForm(forms.Form):
    """Which shadowing button was pressed: publish a window, or ask to join one."""

    action = forms.ChoiceField(choices=[("publish", _("Publish")), ("request", _("Ask to join"))])
    window = forms.ModelChoiceField(
        queryset=ShadowWindow.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Choose a window from the list.")},
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            cleaned.get("action") == "request"
            and "window" not in self.errors
            and not cleaned.get("window")
        ):
            self.add_error("window", _("Choose a window from the list."))
        return cleaned
