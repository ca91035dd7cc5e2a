import datetime as dt

from django import forms
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from connection.forms import DayField, ManyField, TeamChoiceField
from connection.models import OrgSettings, Team, User, known_time_zones
from connection.pickers import PeoplePicker, PersonPicker
from connection.team_select import TeamSelect
from rituals.models import Reaction, Recognition, Spend, TeamRitual, Value
from rituals.models.rituals import MAX_DURATION, Format
from rituals.recurrence import MAX_INTERVAL, ORDINALS, WEEKDAY_NAMES, WEEKDAYS, Recurrence

# Rules the builder cannot make, offered under "Custom".
CADENCES = [
    ("FREQ=DAILY", gettext_lazy("Every day")),
    (
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        gettext_lazy("The last working day of the month"),
    ),
    ("FREQ=MONTHLY;BYMONTHDAY=15", gettext_lazy("Monthly on the 15th")),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", gettext_lazy("Every quarter on the first Monday")),
]
WEEKDAY_CHOICES = list(WEEKDAY_NAMES.items())
NTH_CHOICES = [(position, ORDINALS[position]) for position in (1, 2, 3, 4, -1)]


class RuleForm(forms.Form):
    """A ritual's repeat rule, built from plain fields (weekdays every N weeks, or the
    Nth weekday of the month) or written as an RFC 5545 rule under "Custom".
    `cleaned_data["rule"]` is the rule either way, checked by `Recurrence`."""

    repeats = forms.ChoiceField(
        label=gettext_lazy("Repeats"),
        choices=[
            ("weekly", gettext_lazy("Weekly")),
            ("monthly", gettext_lazy("Monthly")),
            ("custom", gettext_lazy("Custom")),
        ],
        widget=forms.RadioSelect,
        initial="weekly",
    )
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("On"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    every = forms.IntegerField(
        label=gettext_lazy("Every"),
        min_value=1,
        max_value=MAX_INTERVAL["WEEKLY"],
        required=False,
        initial=1,
        error_messages={"invalid": gettext_lazy("Weeks: a whole number from 1 to 52.")},
        widget=forms.NumberInput(attrs={"aria-label": gettext_lazy("Every how many weeks")}),
    )
    nth = forms.TypedChoiceField(
        label=gettext_lazy("On the"), choices=NTH_CHOICES, coerce=int, required=False, initial=1
    )
    nth_weekday = forms.ChoiceField(
        label=gettext_lazy("Weekday"), choices=WEEKDAY_CHOICES, required=False, initial="MO"
    )
    rule = forms.CharField(
        label=gettext_lazy("Rule (RFC 5545)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "For other rhythms, e.g. FREQ=MONTHLY;BYMONTHDAY=15. Examples are listed."
        ),
        widget=forms.TextInput(attrs={"list": "cadences", "spellcheck": "false"}),
    )

    BUILDER_FIELDS = ("repeats", "weekdays", "every", "nth", "nth_weekday", "rule")

    @staticmethod
    def initial_for(rule: str) -> dict:
        """The builder's fields for a stored rule: weekly or monthly when the builder can
        say it, else the rule itself under "Custom"."""
        custom = {"repeats": "custom", "rule": rule}
        try:
            recurrence = Recurrence.parse(rule)
        except forms.ValidationError:
            return custom
        if recurrence.monthdays or recurrence.positions or not recurrence.weekdays:
            return custom
        positions = [position for position, _ in recurrence.weekdays]
        if recurrence.freq == "WEEKLY" and recurrence.week_start == "MO":
            days = [day for _, day in recurrence.weekdays]
            return {"repeats": "weekly", "weekdays": days, "every": recurrence.interval}
        if recurrence.freq == "MONTHLY" and recurrence.interval == 1 and len(positions) == 1:
            position, day = recurrence.weekdays[0]
            if position in dict(NTH_CHOICES):
                return {"repeats": "monthly", "nth": position, "nth_weekday": day}
        return custom

    @staticmethod
    def compose(values: dict) -> str:
        """The rule the builder's values make; a ValidationError keyed by field if none."""
        repeats = values.get("repeats")
        if repeats == "weekly":
            days = values.get("weekdays") or []
            if not days:
                raise forms.ValidationError({"weekdays": _("Tick at least one day of the week.")})
            chosen = tuple((None, day) for day in WEEKDAYS if day in days)
            return str(Recurrence("WEEKLY", values.get("every") or 1, chosen))
        if repeats == "monthly":
            if values.get("nth") is None or not values.get("nth_weekday"):
                raise forms.ValidationError({"nth": _("Pick which weekday of the month.")})
            return str(Recurrence("MONTHLY", 1, ((values["nth"], values["nth_weekday"]),)))
        text = (values.get("rule") or "").strip()
        if not text:
            raise forms.ValidationError(
                {"rule": _("Write the rule, or choose weekly or monthly above.")}
            )
        try:
            return str(Recurrence.parse(text))
        except forms.ValidationError as error:
            raise forms.ValidationError({"rule": error.messages}) from None

    def clean(self) -> dict:
        data = super().clean()
        if not any(name in self.errors for name in self.BUILDER_FIELDS):
            try:
                data["rule"] = self.compose(data)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data

    @property
    def chosen_rule(self) -> str:
        """The rule as chosen so far, or "" while the choice has a problem."""
        if self.problem:
            return ""
        return self.cleaned_data["rule"] if self.is_bound else self.compose(self.initial)

    @property
    def summary(self) -> str:
        """The chosen rule in words."""
        rule = self.chosen_rule
        return Recurrence.parse(rule).describe() if rule else ""

    @property
    def problem(self) -> str:
        """The first thing wrong with the rule as chosen, for the summary line."""
        if not self.is_bound:
            try:
                self.compose(self.initial)
            except forms.ValidationError as error:
                return error.messages[0]
            return ""
        for name in self.BUILDER_FIELDS:
            if self.errors.get(name):
                return self.errors[name][0]
        return ""


class AdoptQuery(forms.Form):
    """The adopt page's query string: ?team= picks one of the teams the person may adopt for."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("That is not a team you can adopt rituals for.")
        },
    )

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class AdoptForm(RuleForm):
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.none(),
        empty_label=None,
        widget=TeamSelect(scope="led"),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    start_time = forms.TimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("In the time zone of"),
        choices=[],
        help_text=gettext_lazy("Type a city, such as Lisbon or New York."),
        widget=forms.TextInput(attrs={"list": "zone-list", "autocomplete": "off"}),
    )
    duration = forms.IntegerField(
        label=gettext_lazy("Minutes"),
        min_value=1,
        max_value=MAX_DURATION,
        error_messages={
            "invalid": format_lazy(
                gettext_lazy("Minutes: a whole number from 1 to {most}."), most=MAX_DURATION
            )
        },
    )
    host = forms.ModelChoiceField(
        label=gettext_lazy("Host"),
        queryset=User.objects.none(),
        required=False,
        widget=PersonPicker,
    )
    video_link = forms.URLField(
        label=gettext_lazy("Video link"), required=False, assume_scheme="https"
    )
    participation = forms.ChoiceField(
        choices=TeamRitual.Participation.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Who takes part"),
    )
    hypothesis = forms.CharField(
        label=gettext_lazy("Hypothesis"),
        max_length=200,
        help_text=gettext_lazy("What should change if this works? It is reviewed later."),
    )
    review_on = DayField(
        label=gettext_lazy("Review on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    confirm_outside_hours = forms.BooleanField(
        required=False,
        label=gettext_lazy("Schedule it even though it is outside some people’s hours"),
    )

    def __init__(self, *args, teams, format: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.format = format
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda t: t.indented_name
        # The panel of shared hours (and the suggested start) follow the team live.
        self.fields["team"].widget.attrs.update(
            {
                "hx-trigger": "change",
                "hx-target": "#shared-hours",
                "hx-select": "#shared-hours",
                "hx-select-oob": "#id_start_time",
                "hx-swap": "outerHTML",
            }
        )
        self.fields["time_zone"].choices = [(z, z) for z in sorted(known_time_zones())]
        self.fields["host"].queryset = (
            User.objects.active().filter(team__in=teams).select_related("team")
        )
        if format == Format.ASYNC:
            self.fields["start_time"].help_text = _("When the thread opens each day.")

    def clean_review_on(self) -> dt.date:
        value = self.cleaned_data["review_on"]
        if value <= timezone.now().date():
            raise forms.ValidationError(_("The review comes after today."))
        return value


class ScheduleForm(RuleForm):
    start_time = forms.TimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    review_on = DayField(
        label=gettext_lazy("Next review"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


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
        choices=[
            ("schedule", gettext_lazy("Save the schedule")),
            ("retire", gettext_lazy("Retire")),
        ],
        required=False,
    )
    confirm = forms.BooleanField(required=False)


class JoinForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("join", gettext_lazy("Join")), ("leave", gettext_lazy("Leave"))], required=False
    )


class HideForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("hide", gettext_lazy("Hide")), ("show", gettext_lazy("Show"))], required=False
    )


class ThreadPickForm(forms.Form):
    """Which team's thread (one the person may see), and for htmx polling, posts after which."""

    team = TeamChoiceField(queryset=Team.objects.none(), required=False)
    after = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1)

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class RecognitionScopeForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[("team", gettext_lazy("My team")), ("org", gettext_lazy("Everyone"))],
        required=False,
    )
    # ?to=: the colleague to thank, filled in (a thank-you reminder links here).
    to = forms.ModelChoiceField(queryset=User.objects.active(), required=False)


class BudgetQuarterForm(forms.Form):
    quarter = DayField(required=False, label=gettext_lazy("Quarter"))


class PostForm(forms.Form):
    status = forms.CharField(
        label=gettext_lazy("What are you working on?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )
    highlight = forms.CharField(
        label=gettext_lazy("One personal highlight (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Something outside work, if you like: a walk, a book, a win."),
    )
    is_question = forms.BooleanField(
        label=gettext_lazy("This is a question for the team"), required=False
    )
    is_win = forms.BooleanField(
        label=gettext_lazy("Share this as a win"),
        required=False,
        help_text=gettext_lazy(
            "It is marked as a win in the thread, and your manager hears of it."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not OrgSettings.load().moments_wins:
            del self.fields["is_win"]


class ReplyForm(forms.Form):
    status = forms.CharField(label=gettext_lazy("Reply"), max_length=500)


class RecognitionForm(forms.Form):
    receivers = ManyField(
        label=gettext_lazy("Who"), queryset=User.objects.none(), widget=PeoplePicker
    )
    message = forms.CharField(
        label=gettext_lazy("What did they do?"),
        max_length=280,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 280}),
    )
    values = ManyField(
        label=gettext_lazy("Which values"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    visibility = forms.ChoiceField(widget=forms.RadioSelect, label=gettext_lazy("Who can see it"))
    notify_manager = forms.BooleanField(
        label=gettext_lazy("Also let their manager see it (private recognition only)"),
        required=False,
    )

    def __init__(self, *args, giver: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receivers"].queryset = User.objects.to_pick(besides=giver)
        self.fields["values"].queryset = Value.objects.filter(active=True)
        self.fields["visibility"].choices = Recognition.Visibility.choices
        self.fields["visibility"].initial = Recognition.Visibility.TEAM


class BudgetForm(forms.Form):
    """One team's budget, or the same budget for every team at one level of the chart."""

    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.order_by("path"),
        required=False,
        empty_label="—",
        widget=TeamSelect(scope="led"),
    )
    level = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=gettext_lazy("Or every team at a level")
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"), min_value=0, max_digits=8, decimal_places=1
    )
    money = forms.DecimalField(
        label=gettext_lazy("Money"), min_value=0, max_digits=12, decimal_places=2
    )
    allow_overspend = forms.BooleanField(
        required=False, label=gettext_lazy("Allow spending past it")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].label_from_instance = lambda t: t.indented_name
        # Each level's size and its first three teams by name: one query, not every
        # team's name. (By name, not path: paths hold unpadded ids, so "/10/" sorts
        # before "/9/" and sibling order would follow the ids' digits.)
        names: dict[int, list[str]] = {}
        sizes: dict[int, int] = {}
        for depth, name, size in (
            Team.objects.annotate(
                rank=Window(RowNumber(), partition_by=F("depth"), order_by=F("name").asc()),
                size=Window(Count("pk"), partition_by=F("depth")),
            )
            .filter(rank__lte=3)
            .order_by("depth", "name")
            .values_list("depth", "name", "size")
        ):
            names.setdefault(depth, []).append(name)
            sizes[depth] = size
        self.fields["level"].choices = [("", "—")] + [
            (depth, _level_choice(depth, sizes[depth], teams))
            for depth, teams in sorted(names.items())
        ]

    def clean(self):
        data = super().clean()
        if (data.get("team") is None) == (data.get("level") is None):
            raise forms.ValidationError(_("Choose a team, or a level for all its teams."))
        return data


def _level_choice(depth: int, size: int, teams: list[str]) -> str:
    """ "Level 2: 14 teams (Design, Growth, Platform, …)": a level, its size, its first names."""
    names = ", ".join(teams) + (", …" if size > 3 else "")
    # The English reads "teams" even for one (the top level's one team), as it always has.
    return ngettext(
        "Level %(level)s: %(size)s teams (%(names)s)",
        "Level %(level)s: %(size)s teams (%(names)s)",
        size,
    ) % {"level": depth + 1, "size": size, "names": names}


class SpendForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Spend.Category.choices)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), max_digits=12, decimal_places=2, initial=0
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"), max_digits=8, decimal_places=1, initial=0
    )
    spent_on = DayField(
        label=gettext_lazy("Spent on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Reaction.Kind.choices,
        error_messages={"invalid_choice": gettext_lazy("Unknown reaction.")},
    )
    # "1" adds, "0" takes back; left out, the tap flips the reaction.
    # (A hidden input reads "1"/"0" as such; the default select widget would not.)
    on = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
