import datetime as dt

from django import forms
from django.utils import timezone

from connection.forms import DayField, ManyField, TeamChoiceField
from connection.models import Team, User, known_time_zones
from rituals.models import MAX_DURATION, Format, Reaction, TeamRitual, validate_rrule

CADENCES = [
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every working day"),
    ("FREQ=WEEKLY;BYDAY=TU", "Weekly on Tuesday"),
    ("FREQ=WEEKLY;BYDAY=TU,TH", "Twice a week (Tuesday and Thursday)"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "Every other Thursday"),
    ("FREQ=MONTHLY;BYDAY=1MO", "First Monday of the month"),
]


class AdoptForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)
    name = forms.CharField(max_length=80)
    rule = forms.CharField(
        label="Repeats",
        max_length=200,
        validators=[validate_rrule],
        help_text="An RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=TU. Common ones are listed.",
        widget=forms.TextInput(attrs={"list": "cadences"}),
    )
    start_time = forms.TimeField(
        label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    time_zone = forms.ChoiceField(label="In the time zone of", choices=[])
    duration = forms.IntegerField(label="Minutes", min_value=1, max_value=MAX_DURATION)
    host = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    video_link = forms.URLField(required=False, assume_scheme="https")
    participation = forms.ChoiceField(
        choices=TeamRitual.Participation.choices,
        widget=forms.RadioSelect,
        label="Who takes part",
    )
    hypothesis = forms.CharField(
        max_length=200, help_text="What should change if this works? It is reviewed later."
    )
    review_on = DayField(
        label="Review on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    confirm_outside_hours = forms.BooleanField(
        required=False, label="Schedule it even though it is outside some people’s hours"
    )

    def __init__(self, *args, teams, format: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.format = format
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda t: t.indented_name
        self.fields["time_zone"].choices = [(z, z) for z in sorted(known_time_zones())]
        self.fields["host"].queryset = User.objects.active().filter(team__in=teams)
        if format == Format.ASYNC:
            self.fields["start_time"].help_text = "When the thread opens each day."

    def clean_review_on(self) -> dt.date:
        value = self.cleaned_data["review_on"]
        if value <= timezone.now().date():
            raise forms.ValidationError("The review comes after today.")
        return value


class ScheduleForm(forms.Form):
    rule = forms.CharField(
        label="Repeats",
        max_length=200,
        validators=[validate_rrule],
        widget=forms.TextInput(attrs={"list": "cadences"}),
    )
    start_time = forms.TimeField(
        label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    review_on = DayField(
        label="Next review",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


def _is_yes(value: str) -> bool:
    return value == "yes"


class SayForm(forms.Form):
    """The one-tap answers after a session: left out, "attended" means yes and
    "worth it" means no answer."""

    attended = forms.TypedChoiceField(
        choices=YES_NO, coerce=_is_yes, required=False, empty_value=True
    )
    worth_it = forms.TypedChoiceField(
        choices=YES_NO, coerce=_is_yes, required=False, empty_value=None
    )


class RitualActionForm(forms.Form):
    """Which button was pressed on a ritual's page; the schedule form has its own fields."""

    action = forms.ChoiceField(
        choices=[("schedule", "Save the schedule"), ("retire", "Retire")], required=False
    )
    confirm = forms.BooleanField(required=False)


class JoinForm(forms.Form):
    action = forms.ChoiceField(choices=[("join", "Join"), ("leave", "Leave")], required=False)


class HideForm(forms.Form):
    action = forms.ChoiceField(choices=[("hide", "Hide"), ("show", "Show")], required=False)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Reaction.Kind.choices, error_messages={"invalid_choice": "Unknown reaction."}
    )


class ThreadPickForm(forms.Form):
    """Which team's thread (one the person may see), and for htmx polling, posts after which."""

    team = TeamChoiceField(queryset=Team.objects.none(), required=False)
    after = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1)

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class RecognitionScopeForm(forms.Form):
    scope = forms.ChoiceField(choices=[("team", "My team"), ("org", "Everyone")], required=False)


class BudgetQuarterForm(forms.Form):
    quarter = DayField(required=False, label="Quarter")


class PostForm(forms.Form):
    status = forms.CharField(
        label="What are you working on?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )
    highlight = forms.CharField(
        label="One personal highlight (optional)",
        max_length=200,
        required=False,
        help_text="Something outside work, if you like: a walk, a book, a win.",
    )
    is_question = forms.BooleanField(label="This is a question for the team", required=False)


class ReplyForm(forms.Form):
    status = forms.CharField(label="Reply", max_length=500)


class RecognitionForm(forms.Form):
    receivers = ManyField(
        label="Who", queryset=User.objects.none(), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    message = forms.CharField(
        label="What did they do?",
        max_length=280,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 280}),
    )
    values = ManyField(label="Which values", queryset=None, widget=forms.CheckboxSelectMultiple)
    visibility = forms.ChoiceField(widget=forms.RadioSelect, label="Who can see it")
    notify_manager = forms.BooleanField(
        label="Also let their manager see it (private recognition only)", required=False
    )

    def __init__(self, *args, giver: User, **kwargs) -> None:
        from rituals.models import Recognition, Value

        super().__init__(*args, **kwargs)
        self.fields["receivers"].queryset = User.objects.active().exclude(pk=giver.pk)
        self.fields["values"].queryset = Value.objects.filter(active=True)
        self.fields["visibility"].choices = Recognition.Visibility.choices
        self.fields["visibility"].initial = Recognition.Visibility.TEAM


class BudgetForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("path"))
    hours = forms.DecimalField(min_value=0, max_digits=8, decimal_places=1)
    money = forms.DecimalField(label="Money", min_value=0, max_digits=12, decimal_places=2)
    allow_overspend = forms.BooleanField(required=False, label="Allow spending past it")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].label_from_instance = lambda t: t.indented_name


class SpendForm(forms.Form):
    from rituals.models import Spend as _Spend

    category = forms.ChoiceField(choices=_Spend.Category.choices)
    amount = forms.DecimalField(max_digits=12, decimal_places=2, initial=0)
    hours = forms.DecimalField(max_digits=8, decimal_places=1, initial=0)
    spent_on = DayField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(max_length=200, required=False)
