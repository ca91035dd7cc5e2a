import datetime as dt
import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connection.break_glass import password_sign_in_allowed, password_sign_in_off
from connection.i18n import org_language
from connection.models import (
    NUDGE_KIND_CHOICES,
    NUDGE_KINDS,
    WEEKDAY_NAMES,
    AuditEntry,
    AwayPeriod,
    Nudge,
    NudgeChannel,
    OrgSettings,
    Team,
    User,
    known_time_zones,
)
from connection.nudge_channels import app_reaches
from connection.team_select import TeamSelect
from connection.webhooks import WebhookURLValidator

# ---------------------------------------------------------------- shared fields for any input

# Days and instants Hearth can compute with. 0001-01-01 and 9999-12-31 parse as
# dates, then overflow the first timedelta (a quarter's end, a reminder before).
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)
EARLIEST_MOMENT = dt.datetime.combine(EARLIEST_DAY, dt.time(0), tzinfo=dt.UTC)
LATEST_MOMENT = dt.datetime.combine(LATEST_DAY, dt.time(23, 59), tzinfo=dt.UTC)


def _days_message() -> str:
    return gettext("Choose a day between %(first)s and %(last)s.") % {
        "first": date_format(EARLIEST_DAY, "j F Y"),
        "last": date_format(LATEST_DAY, "j F Y"),
    }


def _moments_message() -> str:
    return gettext("Choose a time between %(first)s and %(last)s.") % {
        "first": EARLIEST_DAY.year,
        "last": LATEST_DAY.year,
    }


# Fields are made when their form's module is imported: the messages are read
# when shown, in the reader's language.
days_message = lazy(_days_message, str)
moments_message = lazy(_moments_message, str)


class DayField(forms.DateField):
    """A date within the years Hearth plans for."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        message = days_message()
        self.validators += [
            MinValueValidator(EARLIEST_DAY, message),
            MaxValueValidator(LATEST_DAY, message),
        ]


class MomentField(forms.DateTimeField):
    """A date and time within the years Hearth plans for."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        message = moments_message()
        self.validators += [
            MinValueValidator(EARLIEST_MOMENT, message),
            MaxValueValidator(LATEST_MOMENT, message),
        ]


class TeamChoiceField(forms.ModelChoiceField):
    """A team picked by id from `queryset`.

    Something that is not an id at all is `invalid` (the view answers 400); a
    real id outside the queryset is `invalid_choice`, which a view answers as
    it answers any team the person may not open (403 or 404).
    """

    default_error_messages = {
        "invalid": _("Choose a team from the list."),
        "invalid_choice": _("That team isn’t one you can choose here."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            int(value)
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


class ManyField(forms.ModelMultipleChoiceField):
    """Several rows picked by id. Django guards a single id against integer
    overflow but not an `__in` list, where SQLite raises OverflowError."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number at all: the parent says so
            if not -(2**63) <= number < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class PageForm(forms.Form):
    """?page= is only a view choice: anything unreadable shows the first page."""

    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    @property
    def number(self) -> int:
        return (self.cleaned_data["page"] or 1) if self.is_valid() else 1


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self) -> dict:
        # Refused before the password is tried, so a refusal counts no failed attempt.
        username = self.cleaned_data.get("username")
        if username and not password_sign_in_allowed(username):
            raise password_sign_in_off()
        return super().clean()


MOMENT_FIELDS = ("share_anniversary", "checkin_suggestions", "thanks_prompts")


def _org_language_name() -> str:
    return dict(settings.LANGUAGES).get(org_language(), org_language())


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[],
        help_text=_("Nudges and suggested times follow this zone."),
    )
    working_days = forms.MultipleChoiceField(
        choices=[(str(i + 1), name) for i, name in enumerate(WEEKDAY_NAMES)],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nobody will schedule you or nudge you outside these days."),
    )
    skills_text = forms.CharField(
        label=_("I can help with"),
        required=False,
        max_length=300,
        help_text=_(
            "Comma-separated, e.g. SQL, on-call, design reviews. Used for mentoring matches."
        ),
    )
    interests_text = forms.CharField(
        label=_("I’d like to learn"),
        required=False,
        max_length=300,
        help_text=_(
            "Comma-separated. Mentoring pairs match what one wants with what another offers."
        ),
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "language",
            "time_zone",
            "work_start",
            "work_end",
            "working_days",
            "quiet_alerts_to",
            "share_anniversary",
            "checkin_suggestions",
            "thanks_prompts",
        ]
        labels = {
            "display_name": _("Name"),
            "language": _("Language"),
            "work_start": _("Working hours start"),
            "work_end": _("Working hours end"),
        }
        widgets = {
            "work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("The organisation’s (%(language)s)") % {"language": _org_language_name()}),
            *settings.LANGUAGES,
        ]
        self.fields["time_zone"].choices = [
            (z, z.replace("_", " ")) for z in sorted(known_time_zones())
        ]
        # Older clients (and the API) may leave it out: that keeps the current choice.
        self.fields["quiet_alerts_to"].required = False
        # A moment HR turned off (or a manager's one, for others) is not offered: the
        # person's choice stays as it was for when it comes back.
        org = OrgSettings.load()
        offered = {
            "share_anniversary": org.moments_anniversaries,
            "checkin_suggestions": org.moments_checkins and self.instance.is_manager,
            "thanks_prompts": org.moments_thanks,
        }
        for name, shown in offered.items():
            if not shown:
                del self.fields[name]
        self.initial["working_days"] = list(self.instance.working_days)
        self.initial["skills_text"] = ", ".join(self.instance.skills or [])
        self.initial["interests_text"] = ", ".join(self.instance.interests or [])

    @property
    def moment_fields(self) -> list:
        return [self[name] for name in MOMENT_FIELDS if name in self.fields]

    def clean_quiet_alerts_to(self) -> str:
        return self.cleaned_data.get("quiet_alerts_to") or self.instance.quiet_alerts_to

    @staticmethod
    def _tags(text: str) -> list[str]:
        seen = []
        for tag in (t.strip() for t in text.split(",")):
            if tag and tag.lower() not in [s.lower() for s in seen]:
                seen.append(tag[:40])
        return seen[:15]

    def save(self, commit: bool = True):
        self.instance.skills = self._tags(self.cleaned_data.get("skills_text", ""))
        self.instance.interests = self._tags(self.cleaned_data.get("interests_text", ""))
        return super().save(commit)

    def clean_working_days(self) -> str:
        return "".join(sorted(self.cleaned_data["working_days"]))

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("work_start"), cleaned.get("work_end")
        if start and end and start == end:
            self.add_error(
                "work_end", _("Working hours must end at a different time than they start.")
            )
        return cleaned


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    team = TeamChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("All teams"),
        widget=TeamSelect(scope="visible"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(user)
        self.fields["team"].label_from_instance = lambda team: team.indented_name


class OrgImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Org chart (CSV, UTF-8)"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class OrgExportForm(forms.Form):
    """?template=1: the columns and one example row instead of the current chart."""

    template = forms.BooleanField(required=False)


class OrgImportApplyForm(forms.Form):
    deactivate_missing = forms.BooleanField(
        required=False,
        label=_("Deactivate people who are not in this file"),
        help_text=_("They can no longer sign in. Nothing about them is deleted."),
    )


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", _("Every kind")), *AuditEntry.Kind.choices], required=False, label=_("Kind")
    )
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)


class NudgePreferencesForm(forms.ModelForm):
    nudge_channel = forms.ChoiceField(
        label=_("Where should nudges reach you?"),
        choices=NudgeChannel.choices,
        widget=forms.RadioSelect,
        help_text=_("Everything also appears in your notification list in Hearth."),
    )
    slack_webhook_url = forms.URLField(
        label=_("Your Slack webhook (optional)"),
        required=False,
        assume_scheme="https",
        validators=[WebhookURLValidator("slack")],
        help_text=_("Leave empty to use your team's. An https://hooks.slack.com/… address."),
    )
    teams_webhook_url = forms.URLField(
        label=_("Your Microsoft Teams webhook (optional)"),
        required=False,
        assume_scheme="https",
        validators=[WebhookURLValidator("teams")],
        help_text=_(
            "Leave empty to use your team's. The address Teams gives the channel's "
            "incoming webhook or workflow."
        ),
    )
    enabled_kinds = forms.MultipleChoiceField(
        label=_("What may Hearth send you?"),
        choices=NUDGE_KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = User
        fields = ["nudge_channel", "slack_webhook_url", "teams_webhook_url", "weekly_nudge_cap"]
        labels = {"weekly_nudge_cap": _("At most this many a week")}

    def __init__(self, *args, ceiling: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ceiling = ceiling
        self.fields["weekly_nudge_cap"].widget.attrs.update(min=1, max=ceiling)
        self.fields["weekly_nudge_cap"].help_text = _(
            "Your organisation allows up to %(ceiling)s. Office-hours bookings don't count "
            "against it."
        ) % {"ceiling": ceiling}
        muted = set(self.instance.muted_nudge_kinds or [])
        self.initial["enabled_kinds"] = [k for k in NUDGE_KINDS if k not in muted]
        self.hidden_kinds = set() if self.instance.is_manager else {"manager_alert"}
        self.fields["enabled_kinds"].choices = [
            (k, label) for k, label in NUDGE_KIND_CHOICES if k not in self.hidden_kinds
        ]

    def clean_weekly_nudge_cap(self) -> int:
        cap = self.cleaned_data["weekly_nudge_cap"]
        if not 1 <= cap <= self.ceiling:
            raise forms.ValidationError(
                _("Choose a number from 1 to %(ceiling)s.") % {"ceiling": self.ceiling}
            )
        return cap

    def clean(self) -> dict:
        cleaned = super().clean()
        channel = cleaned.get("nudge_channel")
        if channel in (NudgeChannel.SLACK, NudgeChannel.TEAMS):
            field = f"{channel}_webhook_url"
            team = self.instance.team
            reached = app_reaches(channel, self.instance)  # a chat app's DM (chat/)
            if not cleaned.get(field) and not (team and getattr(team, field)) and not reached:
                self.add_error(
                    field,
                    _(
                        "Your team has no %(channel)s webhook: add your own, "
                        "or choose another channel."
                    )
                    % {"channel": NudgeChannel(channel).label},
                )
        return cleaned

    def save(self, commit: bool = True) -> User:
        enabled = set(self.cleaned_data["enabled_kinds"])
        # Kinds not offered to this person keep whatever they had.
        kept = set(self.instance.muted_nudge_kinds or []) & self.hidden_kinds
        self.instance.muted_nudge_kinds = sorted(
            (set(NUDGE_KINDS) - enabled - self.hidden_kinds) | kept
        )
        return super().save(commit)


class SnoozeForm(forms.Form):
    until = forms.DateField(
        label=_("Pause all nudges until (and including)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_until(self) -> dt.date:
        until = self.cleaned_data["until"]
        if until < self.today:
            raise forms.ValidationError(_("Choose today or a later day."))
        if until > self.today + dt.timedelta(days=366):
            raise forms.ValidationError(_("Snooze for a year at most."))
        return until


class UnsubscribeForm(forms.Form):
    # Empty (a mail client's one-click POST) or "unsubscribe" mutes; "undo" unmutes.
    action = forms.ChoiceField(
        choices=[("", ""), ("unsubscribe", _("Unsubscribe")), ("undo", _("Undo"))], required=False
    )


class AwayPeriodForm(forms.ModelForm):
    class Meta:
        model = AwayPeriod
        fields = ["starts_on", "ends_on", "note"]
        labels = {
            "starts_on": _("Away from"),
            "ends_on": _("Last day away"),
            "note": _("Note (only you see it)"),
        }
        field_classes = {"starts_on": DayField, "ends_on": DayField}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.TextInput(attrs={"placeholder": _("Holiday")}),
        }

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end:
            if end < start:
                self.add_error("ends_on", _("The last day comes after the first."))
            elif end < self.today:
                self.add_error("ends_on", _("That period is already over."))
        return cleaned


class MomentsForm(forms.ModelForm):
    """Which micro-moments the organisation allows (each person still chooses)."""

    class Meta:
        model = OrgSettings
        fields = ["moments_anniversaries", "moments_wins", "moments_checkins", "moments_thanks"]
        labels = {
            "moments_anniversaries": _("Work anniversaries"),
            "moments_wins": _("Wins shared in the thread"),
            "moments_checkins": _("Check-in suggestions for managers"),
            "moments_thanks": _("Thank-you reminders"),
        }


class OrgLanguageForm(forms.ModelForm):
    """The language of everyone who has not chosen their own (docs/i18n.md)."""

    class Meta:
        model = OrgSettings
        fields = ["default_language"]
        labels = {"default_language": _("The organisation’s language")}


class NudgeCeilingForm(forms.ModelForm):
    class Meta:
        model = OrgSettings
        fields = ["nudge_weekly_ceiling"]
        labels = {"nudge_weekly_ceiling": _("Most nudges anyone gets a week")}

    def clean_nudge_weekly_ceiling(self) -> int:
        value = self.cleaned_data["nudge_weekly_ceiling"]
        if not 1 <= value <= 50:
            raise forms.ValidationError(_("Choose a number from 1 to 50."))
        return value


class TeamAdminForm(forms.ModelForm):
    """The team's chat webhooks pass the same check as a person's."""

    slack_webhook_url = forms.URLField(
        required=False, assume_scheme="https", validators=[WebhookURLValidator("slack")]
    )
    teams_webhook_url = forms.URLField(
        required=False, assume_scheme="https", validators=[WebhookURLValidator("teams")]
    )

    class Meta:
        model = Team
        fields = [
            "name",
            "parent",
            "managers",
            "members_adopt_rituals",
            "slack_webhook_url",
            "teams_webhook_url",
        ]


# A host name, or "*." and a domain: letters, digits and hyphens between dots.
HOST_PATTERN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class WebhookHostsForm(forms.ModelForm):
    class Meta:
        model = OrgSettings
        fields = ["webhook_hosts"]
        labels = {"webhook_hosts": _("Other hosts webhooks may post to")}
        widgets = {"webhook_hosts": forms.Textarea(attrs={"rows": 3})}

    def clean_webhook_hosts(self) -> str:
        hosts = [line.strip().lower() for line in self.cleaned_data["webhook_hosts"].splitlines()]
        hosts = [host for host in hosts if host]
        wrong = [host for host in hosts if not HOST_PATTERN.match(host)]
        if wrong:
            raise forms.ValidationError(
                _(
                    "“%(host)s” is not a host name. Write one host a line, like "
                    "chat.example.com or *.example.com, without https:// or a path."
                )
                % {"host": wrong[0][:100]}
            )
        if len(hosts) > 50:
            raise forms.ValidationError(_("Allow 50 hosts at most."))
        return "\n".join(dict.fromkeys(hosts))


class TeamPickForm(forms.Form):
    """?team= on pages that show one team at a time, chosen from `teams`."""

    team = TeamChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class TokenForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("create", _("Create")), ("renew", _("Replace")), ("revoke", _("Revoke"))],
        required=False,
    )


class InboxForm(forms.Form):
    """?menu= asks for the header's drop-down instead of the whole page."""

    menu = forms.BooleanField(required=False)


class SnoozeActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("snooze", _("Pause")), ("resume", _("Resume"))], required=False
    )


class OutboxActionForm(forms.Form):
    """HR's outbox: re-send the ticked failed messages, or all of them."""

    action = forms.ChoiceField(
        choices=[
            ("resend", _("Re-send selected")),
            ("resend_all", _("Re-send all")),
            ("ceiling", _("Save the weekly limit")),
            ("webhook_hosts", _("Save the hosts")),
            ("moments", _("Save the micro-moments")),
        ],
        required=False,
    )
    # Any message: one re-sent meanwhile (a double click) is simply no longer failed.
    nudge = ManyField(queryset=Nudge.objects.all(), required=False)
