from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connection.forms import ManyField, TeamPickForm
from connection.team_select import TeamSelect, TeamSelectMultiple
from pulse.answering import COMMENT_MAX
from pulse.conversations import KEY_SHAPE, KEYS_MAX, TEXT_MAX
from pulse.models import AGREEMENT, Dimension, PulseSettings, Question


class AnswerForm(forms.Form):
    """One field per question of the round, plus the optional comment."""

    def __init__(self, *args, questions: list[Question], comment_threshold: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            choices = (
                [(str(v), str(v)) for v in question.scale]
                if question.is_enps
                else [(str(v), label) for v, label in AGREEMENT]
            )
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": gettext_lazy("Please choose an answer.")},
            )
        self.fields["comment"] = forms.CharField(
            label=_("Anything else? (optional)"),
            required=False,
            max_length=COMMENT_MAX,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
            help_text=_(
                "Managers see comments only when at least %(k)s people answered, shuffled, "
                "never with your name, team or tenure."
            )
            % {"k": comment_threshold},
        )

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}

    def rows(self):
        return [(q, self[f"q{q.pk}"]) for q in self.questions]


class PulseSettingsForm(forms.ModelForm):
    class Meta:
        model = PulseSettings
        fields = ["enabled", "cadence", "items_per_round", "open_days", "audience"]
        labels = {
            "enabled": gettext_lazy("Run the pulse"),
            "items_per_round": gettext_lazy("Questions a round"),
            "open_days": gettext_lazy("Days a round stays open"),
            "audience": gettext_lazy("Ask these teams (and their sub-teams)"),
        }
        widgets = {"audience": TeamSelectMultiple(attrs={"size": 8})}
        field_classes = {"audience": ManyField}

    def clean_items_per_round(self) -> int:
        value = self.cleaned_data["items_per_round"]
        if not 5 <= value <= 8:
            raise forms.ValidationError(_("A round asks 5 to 8 questions."))
        return value

    def clean_open_days(self) -> int:
        value = self.cleaned_data["open_days"]
        if not 1 <= value <= 14:
            raise forms.ValidationError(_("Choose 1 to 14 days."))
        return value


class PrivacyForm(forms.Form):
    min_group_size = forms.IntegerField(
        label=gettext_lazy("Minimum group size (k)"),
        min_value=3,
        max_value=50,
        help_text=gettext_lazy(
            "Groups with fewer answers show “not enough responses”. Never below 3."
        ),
    )
    comment_threshold = forms.IntegerField(
        label=gettext_lazy("Comments need at least"),
        min_value=3,
        max_value=100,
        help_text=gettext_lazy("Answers in a group before its comments are shown; at least k."),
    )


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["dimension", "text", "always_ask"]
        labels = {"text": gettext_lazy("Wording"), "always_ask": gettext_lazy("Ask in every round")}
        widgets = {"text": forms.TextInput(attrs={"maxlength": 200})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = [
            (d.value, d.label) for d in Dimension if d != Dimension.ENPS
        ]


class OrgResultsForm(TeamPickForm):
    """HR's pulse page: one team (or the organisation), optionally sliced."""

    by = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("No slice")),
            ("tenure_band", gettext_lazy("Tenure")),
            ("location", gettext_lazy("Location")),
        ],
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A select of the first teams with a search, never all of an org's thousands.
        team = self.fields["team"]
        team.empty_label = _("Whole organisation")
        team.label_from_instance = lambda group: group.indented_name
        team.widget = TeamSelect(attrs={"id": "slice-team"})
        team.widget.choices = team.choices


class SettingsActionForm(forms.Form):
    """Which of the settings page's forms was sent."""

    action = forms.ChoiceField(
        choices=[
            ("settings", gettext_lazy("Settings")),
            ("privacy", gettext_lazy("Privacy")),
            ("add", gettext_lazy("Add a question")),
        ]
    )


class QuestionActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("retire", gettext_lazy("Retire")),
            ("up", gettext_lazy("Up")),
            ("down", gettext_lazy("Down")),
        ]
    )


class CommentReplyForm(forms.Form):
    """A manager's or HR admin's reply to a comment on a results page."""

    text = forms.CharField(
        label=gettext_lazy("Reply"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConversationKeysForm(forms.Form):
    """The conversation keys a browser holds (pulse/conversations.py), one a line."""

    keys = forms.CharField(max_length=KEYS_MAX * 44, required=False)

    def clean_keys(self) -> list[str]:
        return [key for key in self.cleaned_data["keys"].split() if KEY_SHAPE.match(key)]


class AuthorAnswerForm(forms.Form):
    """The author's answer in a conversation, with the key that proves it is theirs."""

    key = forms.RegexField(regex=KEY_SHAPE, max_length=43)
    text = forms.CharField(label=gettext_lazy("Answer"), max_length=TEXT_MAX)
