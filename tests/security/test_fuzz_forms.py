"""Every form field and query parameter of every HTML view, with hostile values.

CASES names, for each route that reads input, a person who may use it and the
forms it reads. The fields come from the forms themselves (`form.fields`), so
a new field is fuzzed without touching this file. Each field gets each value
alone (the others valid, so the value reaches as deep as it can), then every
field gets it at once. Nothing may answer 500, and a 4xx or a page shown again
with its errors (200, each error a role="alert") writes no row.

A route of the HTML views missing from CASES and NO_INPUT, or a view that
cleans a form its case doesn't name, fails the suite.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms import BaseForm, FileField
from django.test import client as test_client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from chat import forms as chat_forms
from connection import forms as core_forms
from connection import pickers
from connection.calendar import quarter_start
from connection.lifecycle import forms as lifecycle_forms
from connection.models import Nudge, OrgSettings, Team, User
from connection.orgchart import COLUMNS
from connection.redirects import NextForm
from connection.services import preview_org_import
from identity import forms as identity_forms
from identity.models import SyncRun
from identity.scim import forms as scim_forms
from identity.sso import forms as sso_forms
from insights import forms as insights_forms
from insights.models import ConversationGuide, Pilot
from insights.views import org as insights_org_views
from mentorship import forms as mentorship_forms
from mentorship.models import MatchGroup, MatchRound, MentoringSettings, Programme, ShadowWindow
from mentorship.services.mentoring_log import log_session, publish_note
from mentorship.services.office_hours import host_office_hours
from mentorship.services.programmes import join_programme
from pulse import forms as pulse_forms
from pulse.conversations import reply
from pulse.models import Published, PulseSettings, Question, Response, Round
from pulse.services import open_round, submit_response
from rituals import forms as ritual_forms
from rituals.models import RitualTemplate, Value
from rituals.services.budgets import set_budget
from rituals.services.occurrences import calendar_token
from rituals.services.recognition import recognise
from rituals.services.rituals import adopt_ritual
from rituals.services.thread import post_to_thread
from tests.helpers import make_user, org_csv

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)  # a Monday: the pulse opens
TODAY = NOW.date()

HOSTILE = {
    "empty": "",
    "long": "x" * 10_000,
    "superscript-two": "²",
    "nul": "\x00",
    "negative": "-1",
    "huge": str(10**30),
    "word": "abc",
    "fraction": "1.5",
    "first-day": "0001-01-01",
    "last-day": "9999-12-31",
    "first-moment": "0001-01-01T00:00:00",
    "last-moment": "9999-12-31T23:59:59",
}

APPS = ("connection", "pulse", "rituals", "mentorship", "insights", "identity", "chat")


def _is_html_view_module(module) -> bool:
    """An app's views.py, or a module of its views/ package."""
    parts = module.__name__.split(".")
    return parts[0] in APPS and "views" in parts


@dataclass(frozen=True)
class Case:
    """One way into a view: `route` by `method`, as `role`, reading `forms`."""

    id: str
    route: str
    role: str
    forms: Callable[[SimpleNamespace], list[BaseForm]]
    method: str = "post"
    args: Callable[[SimpleNamespace], list] = lambda w: []
    valid: Callable[[SimpleNamespace], dict] = lambda w: {}
    extra: tuple[str, ...] = ()  # inputs a view reads outside any form
    headers: dict = field(default_factory=dict)
    csv_columns: bool = False  # fuzz the cells of an uploaded org chart, not the form


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


CASES = [
    # ---------------------------------------------------------------- core
    Case(
        "audit",
        "audit",
        "hana",
        lambda w: [core_forms.AuditFilterForm()],
        method="get",
        valid=lambda w: {"kind": "privacy", "page": "1"},
    ),
    Case(
        "people",
        "people",
        "hana",
        lambda w: [core_forms.PeopleFilterForm(user=w.hana), core_forms.PageForm()],
        method="get",
        valid=lambda w: {"q": "bob", "team": w.team.pk, "page": "1"},
    ),
    Case(
        "people-pick",
        "people_pick",
        "bob",
        lambda w: [
            pickers.PeoplePickForm(),
            pickers.ChosenForm(None, name="receivers", people=User.objects.all()),
        ],
        method="get",
        valid=lambda w: {
            "name": "receivers",
            "many": "1",
            "part": "options",
            "q": "ali",
            "receivers": w.alice.pk,
        },
    ),
    Case(
        "teams-pick",
        "teams_pick",
        "hana",
        lambda w: [
            pickers.TeamsPickForm(),
            pickers.ChosenTeamForm(None, name="team", teams=Team.objects.all(), many=False),
        ],
        method="get",
        valid=lambda w: {"name": "team", "scope": "visible", "q": "plat", "team": w.team.pk},
    ),
    Case(
        "profile",
        "profile",
        "bob",
        lambda w: [core_forms.ProfileForm(instance=w.bob)],
        valid=lambda w: {
            "display_name": "Bob F",
            "time_zone": "Europe/Lisbon",
            "work_start": "09:00",
            "work_end": "17:30",
            "working_days": ["1", "2", "3", "4", "5"],
            "quiet_alerts_to": "nobody",
            "skills_text": "SQL",
            "interests_text": "Go",
        },
    ),
    Case("api-token", "api_token", "bob", lambda w: [core_forms.TokenForm()]),
    Case("org-import", "org_import", "hana", lambda w: [core_forms.OrgImportUploadForm()]),
    Case(
        "org-import-cells",
        "org_import",
        "hana",
        lambda w: [core_forms.OrgImportUploadForm()],
        csv_columns=True,
    ),
    Case(
        "org-import-apply",
        "org_import_apply",
        "hana",
        lambda w: [core_forms.OrgImportApplyForm()],
        args=lambda w: [w.org_import.pk],
    ),
    Case(
        "settings-retention",
        "hr_settings",
        "hana",
        lambda w: [insights_forms.SettingsHubForm(), lifecycle_forms.RetentionForm()],
        valid=lambda w: {
            "form": "retention",
            "signal_retention_days": "396",
            "nudge_retention_days": "180",
            "thread_retention_days": "730",
            "audit_retention_days": "2555",
        },
    ),
    Case(
        "settings-sign-in",
        "hr_settings",
        "hana",
        lambda w: [insights_forms.SettingsHubForm(), identity_forms.SignInSettingsForm()],
        valid=lambda w: {"form": "sign_in", "sso_creates_accounts": "on"},
    ),
    Case(
        "settings-language",
        "hr_settings",
        "hana",
        lambda w: [insights_forms.SettingsHubForm(), core_forms.OrgLanguageForm()],
        valid=lambda w: {"form": "language", "default_language": "de"},
    ),
    Case(
        "person-erase",
        "person_erase",
        "hana",
        lambda w: [lifecycle_forms.EraseForm(person=w.bob)],
        args=lambda w: [w.bob.pk],
        valid=lambda w: {"email": w.bob.email},
    ),
    Case(
        "erase-self",
        "erase_self",
        "bob",
        lambda w: [lifecycle_forms.EraseForm(person=w.bob)],
        valid=lambda w: {"email": w.bob.email},
    ),
    Case(
        "org-sync",
        "org_sync",
        "hana",
        lambda w: [identity_forms.SyncActionForm(), identity_forms.SyncSourceForm()],
        valid=lambda w: {
            "action": "save",
            "kind": "file",
            "location": "/srv/hris/org.csv",
            "every_hours": "24",
            "max_deactivate_share": "10",
            "max_move_share": "10",
        },
    ),
    # Single sign-on is off here, so both answer 404 before reading a form; the real
    # input handling is in tests/identity/test_sso.py, against a provider.
    Case(
        "sso-login",
        "sso_login",
        "bob",
        lambda w: [NextForm()],
        method="get",
        valid=lambda w: {"next": "/rituals/"},
    ),
    Case(
        "sso-callback",
        "sso_callback",
        "bob",
        lambda w: [sso_forms.CallbackForm()],
        method="get",
        valid=lambda w: {"code": "abc", "state": "unknown"},
    ),
    # ---------------------------------------------------------------- chat apps
    Case(
        "chat-settings",
        "chat_settings",
        "hana",
        lambda w: [chat_forms.TeamChannelForm(), core_forms.PageForm()],
        valid=lambda w: {"team": w.team.pk, "channel_id": "C0PLATFORM", "share_highlights": "on"},
    ),
    Case(
        "slack-oauth",
        "slack_oauth",
        "hana",
        lambda w: [chat_forms.OAuthCallbackForm()],
        method="get",
        valid=lambda w: {"code": "abc", "state": "unknown"},
    ),
    # Without a signing secret (here) Slack's endpoints answer 404 before reading a
    # form; tests/chat posts them Slack's signed payloads.
    Case(
        "slack-commands",
        "slack_commands",
        "bob",
        lambda w: [chat_forms.SlackCommandForm()],
        valid=lambda w: {"team_id": "T0", "user_id": "U0", "command": "/hearth", "text": "x"},
    ),
    Case(
        "slack-interactions",
        "slack_interactions",
        "bob",
        lambda w: [chat_forms.SlackInteractionForm()],
        valid=lambda w: {"payload": '{"team": {"id": "T0"}}'},
    ),
    Case(
        "scim-tokens",
        "scim_tokens",
        "hana",
        lambda w: [scim_forms.IssueTokenForm()],
        valid=lambda w: {"label": "Okta"},
    ),
    Case(
        "org-sync-run",
        "org_sync_run",
        "hana",
        lambda w: [identity_forms.SyncDecisionForm()],
        args=lambda w: [w.sync_run.pk],
        valid=lambda w: {"decision": "reject"},
    ),
    Case(
        "notifications",
        "notifications",
        "bob",
        lambda w: [core_forms.InboxForm(), core_forms.PageForm()],
        method="get",
    ),
    Case(
        "nudge-preferences",
        "nudge_preferences",
        "bob",
        lambda w: [core_forms.NudgePreferencesForm(instance=w.bob, ceiling=10)],
        valid=lambda w: {"nudge_channel": "email", "weekly_nudge_cap": "3"},
    ),
    Case(
        "nudge-snooze",
        "nudge_snooze",
        "bob",
        lambda w: [core_forms.SnoozeActionForm(), core_forms.SnoozeForm(today=TODAY)],
        valid=lambda w: {"until": (TODAY + dt.timedelta(days=3)).isoformat()},
    ),
    Case(
        "away-add",
        "away_add",
        "bob",
        lambda w: [core_forms.AwayPeriodForm(today=TODAY)],
        valid=lambda w: {
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=5)).isoformat(),
            "note": "Holiday",
        },
    ),
    Case(
        "unsubscribe",
        "nudge_unsubscribe",
        "bob",
        lambda w: [],
        args=lambda w: ["not-a-token"],
        extra=("action",),
    ),
    Case(
        "outbox",
        "nudge_outbox",
        "hana",
        lambda w: [core_forms.OutboxActionForm(), core_forms.NudgeCeilingForm()],
        valid=lambda w: {"action": "resend", "nudge": w.failed_nudge.pk},
    ),
    Case(
        "outbox-ceiling",
        "nudge_outbox",
        "hana",
        lambda w: [
            core_forms.OutboxActionForm(),
            core_forms.NudgeCeilingForm(),
            core_forms.PageForm(),
        ],
        valid=lambda w: {"action": "ceiling", "nudge_weekly_ceiling": "10"},
    ),
    Case("outbox-page", "nudge_outbox", "hana", lambda w: [core_forms.PageForm()], method="get"),
    # ---------------------------------------------------------------- insights
    Case(
        "insights-team",
        "insights_team",
        "alice",
        lambda w: [core_forms.TeamPickForm(teams=w.teams)],
        method="get",
    ),
    Case(
        "insights-org",
        "insights_org",
        "hana",
        lambda w: [
            insights_forms.OrgInsightsForm(slices=insights_org_views._slice_choices()),
            core_forms.PageForm(),
        ],
        method="get",
    ),
    Case(
        "org-export",
        "org_export",
        "hana",
        lambda w: [core_forms.OrgExportForm()],
        method="get",
        valid=lambda w: {"template": "1"},
    ),
    Case(
        "insights-org-csv",
        "insights_org_csv",
        "hana",
        lambda w: [insights_forms.OrgInsightsForm(slices=insights_org_views._slice_choices())],
        method="get",
    ),
    Case(
        "insights-guide",
        "insights_guide",
        "hana",
        lambda w: [insights_forms.ConversationGuideForm(instance=w.guide)],
        args=lambda w: [w.guide.situation],
        valid=lambda w: {
            "title": "Talk",
            "opening": "Hello",
            "questions": "How?",
            "avoid": "Blame",
            "follow_up": "Later",
        },
    ),
    Case(
        "pilot-start",
        "insights_pilots",
        "hana",
        lambda w: [insights_forms.PilotForm()],
        valid=lambda w: {
            "name": "Pilot",
            "teams": [w.subteam.pk],
            "templates": [RitualTemplate.objects.get(slug="coworking").pk],
            "starts_on": TODAY.isoformat(),
        },
    ),
    Case(
        "pilot-extend",
        "insights_pilot_extend",
        "hana",
        lambda w: [insights_forms.ExtendPilotForm()],
        args=lambda w: [w.pilot.pk],
        valid=lambda w: {"weeks": "2"},
    ),
    Case(
        "pilot-roll-out",
        "insights_pilot_roll_out",
        "hana",
        lambda w: [insights_forms.RollOutForm()],
        args=lambda w: [w.pilot.pk],
        valid=lambda w: {"teams": [w.subteam.pk]},
    ),
    # ---------------------------------------------------------------- pulse
    Case(
        "pulse-answer",
        "pulse_answer",
        "bob",
        lambda w: [pulse_forms.AnswerForm(questions=w.questions)],
        valid=lambda w: {f"q{q.pk}": "4" for q in w.questions},
    ),
    Case(
        "pulse-results",
        "pulse_results",
        "alice",
        lambda w: [core_forms.TeamPickForm(teams=w.teams)],
        method="get",
    ),
    Case(
        "pulse-org",
        "pulse_org",
        "hana",
        lambda w: [pulse_forms.OrgResultsForm(teams=w.teams)],
        method="get",
    ),
    *[
        Case(
            f"pulse-settings-{action}",
            "pulse_settings",
            "hana",
            lambda w: [
                pulse_forms.SettingsActionForm(),
                pulse_forms.PulseSettingsForm(),
                pulse_forms.PrivacyForm(),
                pulse_forms.QuestionForm(),
            ],
            valid=lambda w, action=action: {"action": action},
        )
        for action in ("settings", "privacy", "add")
    ],
    Case(
        "pulse-question-edit",
        "pulse_question_edit",
        "hana",
        lambda w: [pulse_forms.QuestionForm(instance=w.questions[0])],
        args=lambda w: [w.questions[0].pk],
        valid=lambda w: {"dimension": "belonging", "text": "I have someone to ask."},
    ),
    Case(
        "pulse-question-action",
        "pulse_question_action",
        "hana",
        lambda w: [pulse_forms.QuestionActionForm()],
        args=lambda w: [w.questions[-1].pk],
    ),
    Case(
        "pulse-comment-reply",
        "pulse_comment_reply",
        "alice",
        lambda w: [pulse_forms.CommentReplyForm(), NextForm()],
        args=lambda w: [w.comment.pk],
        valid=lambda w: {"text": "Thank you, noted", "next": "/pulse/results/"},
    ),
    Case(
        "pulse-conversations-read",
        "pulse_conversations_read",
        "bob",
        lambda w: [pulse_forms.ConversationKeysForm()],
        valid=lambda w: {"keys": w.key},
    ),
    Case(
        "pulse-conversations-answer",
        "pulse_conversations_answer",
        "bob",
        lambda w: [pulse_forms.AuthorAnswerForm()],
        valid=lambda w: {"key": w.key, "text": "Fridays, please"},
    ),
    # ---------------------------------------------------------------- rituals
    Case(
        "adopt-query",
        "ritual_adopt",
        "alice",
        lambda w: [ritual_forms.AdoptQuery(teams=w.teams)],
        method="get",
        args=lambda w: ["coworking"],
    ),
    Case(
        "adopt",
        "ritual_adopt",
        "alice",
        lambda w: [
            ritual_forms.AdoptForm(teams=w.teams, format="sync"),
            ritual_forms.AdoptQuery(teams=w.teams),
        ],
        args=lambda w: ["coworking"],
        valid=lambda w: {
            "team": w.team.pk,
            "name": "Co-working",
            "rule": "FREQ=WEEKLY;BYDAY=TU",
            "start_time": "15:00",
            "time_zone": "Europe/Lisbon",
            "duration": "30",
            "participation": "whole_team",
            "hypothesis": "More small questions.",
            "review_on": (TODAY + dt.timedelta(weeks=4)).isoformat(),
        },
    ),
    *[
        Case(
            f"ritual-{action}",
            "ritual_detail",
            "alice",
            lambda w: [ritual_forms.RitualActionForm(), ritual_forms.ScheduleForm()],
            args=lambda w: [w.ritual.pk],
            valid=lambda w, action=action: {
                "action": action,
                "rule": "FREQ=WEEKLY;BYDAY=TH",
                "start_time": "10:00",
                "review_on": (TODAY + dt.timedelta(weeks=6)).isoformat(),
            },
        )
        for action in ("schedule", "retire")
    ],
    Case(
        "ritual-join",
        "ritual_join",
        "bob",
        lambda w: [ritual_forms.JoinForm()],
        args=lambda w: [w.ritual.pk],
    ),
    Case(
        "occurrence-say",
        "occurrence_say",
        "bob",
        lambda w: [ritual_forms.SayForm()],
        args=lambda w: [w.occurrence.pk],
        valid=lambda w: {"worth_it": "yes"},
        extra=("next",),
    ),
    Case("rituals-page", "rituals", "hana", lambda w: [core_forms.PageForm()], method="get"),
    Case(
        "budgets-quarter",
        "budgets",
        "hana",
        lambda w: [ritual_forms.BudgetQuarterForm(), core_forms.PageForm()],
        method="get",
    ),
    Case(
        "budgets",
        "budgets",
        "hana",
        lambda w: [
            ritual_forms.BudgetQuarterForm(),
            ritual_forms.BudgetForm(),
            core_forms.PageForm(),
        ],
        valid=lambda w: {"team": w.team.pk, "hours": "10", "money": "100"},
    ),
    Case(
        "budget-spend",
        "budget_detail",
        "alice",
        lambda w: [ritual_forms.SpendForm()],
        args=lambda w: [w.budget.pk],
        valid=lambda w: {
            "category": "gathering",
            "amount": "10",
            "hours": "1",
            "spent_on": TODAY.isoformat(),
        },
    ),
    Case(
        "thread",
        "ritual_thread",
        "bob",
        lambda w: [ritual_forms.ThreadPickForm(teams=w.teams), core_forms.PageForm()],
        method="get",
        valid=lambda w: {"team": w.team.pk},
    ),
    Case(
        "thread-poll",
        "ritual_thread",
        "bob",
        lambda w: [ritual_forms.ThreadPickForm(teams=w.teams), core_forms.PageForm()],
        method="get",
        valid=lambda w: {"team": w.team.pk, "after": "0"},
        headers={"HTTP_HX_REQUEST": "true"},
    ),
    Case(
        "thread-post",
        "ritual_thread",
        "bob",
        lambda w: [
            ritual_forms.ThreadPickForm(teams=w.teams),
            ritual_forms.PostForm(),
            core_forms.PageForm(),
        ],
        valid=lambda w: {"team": w.team.pk, "status": "Working on deploys"},
    ),
    Case(
        "thread-reply",
        "thread_reply",
        "bob",
        lambda w: [ritual_forms.ReplyForm()],
        args=lambda w: [w.post.pk],
        valid=lambda w: {"status": "Me too"},
    ),
    Case(
        "thread-react",
        "thread_react",
        "bob",
        lambda w: [ritual_forms.ReactionForm()],
        args=lambda w: [w.post.pk],
    ),
    Case(
        "recognition-scope",
        "recognition",
        "bob",
        lambda w: [ritual_forms.RecognitionScopeForm()],
        method="get",
    ),
    Case(
        "recognition",
        "recognition",
        "bob",
        lambda w: [ritual_forms.RecognitionForm(giver=w.bob), ritual_forms.RecognitionScopeForm()],
        valid=lambda w: {
            "receivers": [w.alice.pk],
            "message": "Thanks for the review",
            "values": [w.value.pk],
            "visibility": "team",
        },
    ),
    Case(
        "recognition-hide",
        "recognition_hide",
        "hana",
        lambda w: [ritual_forms.HideForm()],
        args=lambda w: [w.recognition.pk],
    ),
    # ---------------------------------------------------------------- mentorship
    Case(
        "programmes-kind",
        "programmes",
        "hana",
        lambda w: [mentorship_forms.ProgrammeKindForm(), core_forms.PageForm()],
        method="get",
    ),
    Case(
        "programmes",
        "programmes",
        "hana",
        lambda w: [
            mentorship_forms.ProgrammeKindForm(),
            mentorship_forms.ProgrammeForm(teams=w.teams, initial={"org_wide": True}),
            core_forms.PageForm(),
        ],
        valid=lambda w: {
            "kind": "coffee",
            "name": "Coffee two",
            "cadence_weeks": "2",
            "group_size": "2",
            "max_group_size": "3",
            "weeks": "6",
        },
    ),
    Case(
        "membership",
        "programme_membership",
        "bob",
        lambda w: [mentorship_forms.MembershipForm()],
        args=lambda w: [w.programme.pk],
        valid=lambda w: {"action": "pause", "until": (TODAY + dt.timedelta(days=9)).isoformat()},
    ),
    Case(
        "check-in",
        "group_checkin",
        "bob",
        lambda w: [mentorship_forms.CheckInForm()],
        args=lambda w: [w.group.pk],
        valid=lambda w: {"answer": "met", "week": "1"},
    ),
    Case(
        "avoid",
        "pairing_avoid",
        "bob",
        lambda w: [mentorship_forms.AvoidForm(user=w.bob)],
        valid=lambda w: {"person": w.charlie.pk, "action": "add"},
    ),
    Case(
        "office-hours",
        "office_hours",
        "bob",
        lambda w: [mentorship_forms.OfficeHoursForm(), core_forms.PageForm()],
        valid=lambda w: {
            "weekday": "4",
            "start_time": "11:00",
            "minutes": "60",
            "block_minutes": "20",
            "about": "SQL",
        },
    ),
    Case(
        "book",
        "office_hours_book",
        "bob",
        lambda w: [mentorship_forms.BookingForm(), core_forms.PageForm()],
        args=lambda w: [w.slot.pk],
        valid=lambda w: {"starts_at": _iso(w.block), "topic": "Deploys"},
    ),
    Case(
        "mentoring-log",
        "mentoring_log",
        "bob",
        lambda w: [mentorship_forms.SessionForm(user=w.bob), mentorship_forms.LogActionForm()],
        valid=lambda w: {
            "other": w.alice.pk,
            "role": "mentee",
            "kind": "mentoring",
            "held_on": TODAY.isoformat(),
            "minutes": "30",
        },
    ),
    Case(
        "case-note",
        "mentoring_log",
        "bob",
        # A fuzzed "action" that is not "note" sends the page's other form.
        lambda w: [
            mentorship_forms.CaseNoteForm(prefix="note"),
            mentorship_forms.LogActionForm(),
            mentorship_forms.SessionForm(user=w.bob),
        ],
        valid=lambda w: {
            "action": "note",
            "note-topic": "Deploys",
            "note-tried": "Pairing",
            "note-learned": "Ask early",
            "note-visibility": "team",
        },
    ),
    Case(
        "mentoring-session",
        "mentoring_session",
        "alice",
        lambda w: [mentorship_forms.SessionDecisionForm()],
        args=lambda w: [w.session.pk],
        valid=lambda w: {"action": "confirm"},
    ),
    Case(
        "case-notes",
        "case_notes",
        "bob",
        lambda w: [mentorship_forms.NoteSearchForm()],
        method="get",
    ),
    *[
        Case(
            f"shadowing-{action}",
            "shadowing",
            "bob",
            lambda w: [mentorship_forms.ShadowActionForm(), mentorship_forms.ShadowForm()],
            valid=lambda w, action=action: {
                "action": action,
                "window": w.window.pk,
                "title": "My incident review",
                "starts_at": (NOW + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
                "minutes": "60",
                "places": "2",
            },
        )
        for action in ("publish", "request")
    ],
]

# Routes of the HTML views that read no query string and no form: their
# source is checked below, so one that starts reading input must move to CASES.
NO_INPUT = {
    "home",
    "healthz",
    "readyz",
    "notifications_read",
    "notification_open",
    "away_delete",
    "insights_evidence",
    "insights_pilot",
    "insights_pilot_pdf",
    "my_connection",
    "pulse_org_csv",
    # A page shell: its script reads the keys in the browser and asks the two routes below.
    "pulse_conversations",
    "ritual_catalogue",
    "ritual_feed_renew",
    "ritual_feed",
    "recognition_received",
    "mentorship",
    "booking_cancel",
    "note_withdraw",
    "scim_token_revoke",
    "sso_logout",
    "my_data",
    "my_data_json",
    "person_data",
    "person_data_json",
    # The signed link carries all it acts on; its POST reads no field.
    "teams_action",
    # Slack's events come as a JSON body (chat.forms.slack_event), signed, not a form.
    "slack_events",
    # A signed link carries the Slack identity; only its confirming POST acts.
    "slack_link",
    "slack_install",
}


# Views other slices of issue 11 rework (rrule, access, perimeter): fuzzed
# all the same; the lead removes an entry when its slice is merged.
def _html_routes() -> dict[str, URLPattern]:
    """Every named URL pattern whose view lives in one of the HTML view modules."""
    found = {}

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and _is_html_view_module(inspect.getmodule(inspect.unwrap(pattern.callback)))
            ):
                found[pattern.name] = pattern

    walk(get_resolver().url_patterns)
    return found


def test_every_route_of_the_html_views_is_fuzzed_or_reads_no_input():
    routes = _html_routes()
    fuzzed = {case.route for case in CASES}
    assert set(routes) - fuzzed - NO_INPUT == set(), "add these routes to CASES or NO_INPUT"
    assert (fuzzed | NO_INPUT) - set(routes) == set(), "these routes no longer exist"
    readers = [
        name
        for name in NO_INPUT
        if any(
            word in inspect.getsource(inspect.unwrap(routes[name].callback))
            for word in ("request.GET", "request.POST")
        )
    ]
    assert readers == [], "these views read input: give them a form and a case in CASES"


def _row_counts() -> tuple[int, ...]:
    """Rows in every table of the project's apps, in one query."""
    tables = sorted(
        {
            model._meta.db_table
            for label in ("connection", "pulse", "rituals", "mentorship", "insights", "authtoken")
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        }
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        return tuple(cursor.fetchone())


@pytest.fixture
def world(db, alice, bob, charlie, hana, team, subteam, other_team):
    """One of everything the views act on, as of a fixed Monday morning."""
    with time_machine.travel(NOW, tick=False):
        # Settings rows are made on first read: made here, a page's first view isn't a write.
        OrgSettings.load()
        PulseSettings.load()
        MentoringSettings.load()
        ritual = adopt_ritual(
            team=team,
            created_by=alice,
            name="Co-working",
            format="sync",
            rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            start_time=dt.time(14, 0),
            time_zone="Europe/Lisbon",
            duration=30,
            hypothesis="More small questions.",
            template=RitualTemplate.objects.get(slug="coworking"),
            confirm_outside_hours=True,
        )
        programme = Programme.objects.create(kind="coffee", name="Coffee", cadence_weeks=2)
        join_programme(programme=programme, person=bob)
        group = MatchGroup.objects.create(
            round=MatchRound.objects.create(programme=programme, number=1, run_on=TODAY)
        )
        group.members.set([bob, charlie])
        slot = host_office_hours(
            host=alice, weekday=3, start_time=dt.time(10), minutes=60, block_minutes=20
        )
        round_ = open_round(now=NOW)
        world = SimpleNamespace(
            alice=alice,
            bob=bob,
            charlie=charlie,
            hana=hana,
            team=team,
            teams=type(team).objects.order_by("path"),
            ritual=ritual,
            occurrence=ritual.occurrences.order_by("starts_at").first(),
            post=post_to_thread(author=alice, team=team, status="Anyone know the VPN trick?"),
            value=Value.objects.filter(active=True).first(),
            budget=set_budget(
                team=team, quarter=quarter_start(TODAY), hours=Decimal(10), money=Decimal(500)
            ),
            programme=programme,
            group=group,
            slot=slot,
            block=slot.blocks_between(NOW, NOW + dt.timedelta(days=8))[0],
            window=ShadowWindow.objects.create(
                host=alice, title="Incident review", starts_at=NOW + dt.timedelta(days=3)
            ),
            guide=ConversationGuide.objects.first(),
            questions=list(
                Round.objects.get(pk=round_.pk).questions.order_by("roundquestion__position")
            )
            if round_
            else list(Question.objects.current()),
            org_import=preview_org_import(
                data=org_csv([["new@acme.test", "New", "Platform", "", "", "", "UTC", "remote"]]),
                filename="org.csv",
                uploaded_by=hana,
            )[0],
            sync_run=SyncRun.objects.create(status=SyncRun.Status.PAUSED, message="Waiting"),
            failed_nudge=Nudge.objects.create(
                recipient=bob,
                kind="booking",
                channel="email",
                dedupe_key="fuzz",
                due_at=NOW,
                expires_at=NOW + dt.timedelta(days=1),
                status=Nudge.Status.FAILED,
            ),
        )
        world.recognition = recognise(
            giver=alice,
            receivers=[bob],
            message="Thanks",
            values=[world.value],
            visibility="team",
        )
        publish_note(
            author=alice,
            topic="Deploys",
            tried="Pairing",
            failed="",
            learned="Ask",
            visibility="org",
        )
        # Bob logs a session naming Alice as his mentor: it waits for her to confirm.
        world.session = log_session(
            mentor=alice,
            mentee=bob,
            kind="mentoring",
            held_on=TODAY - dt.timedelta(days=1),
            minutes=30,
            note="",
            logged_by=bob,
        )
        # A comment someone on Platform left, that Alice can read and has replied to.
        commenter = make_user(team=team)
        world.key = submit_response(
            person=commenter,
            round_=round_,
            answers={q.pk: 9 if q.is_enps else 4 for q in world.questions},
            comment="More pairing please",
        )
        world.comment = Response.objects.get(comment="More pairing please")
        Published.objects.create(round=round_, team=team, shown=True, comments_shown=True)
        reply(person=alice, response=world.comment, text="Tell me more?")
        calendar_token(person=bob)
        world.subteam = subteam
        world.pilot = Pilot.objects.create(
            name="Pilot", starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=30)
        )
        world.pilot.teams.set([other_team])
        world.pilot.templates.set([RitualTemplate.objects.get(slug="coworking")])
        yield world


def _fields(case: Case, forms: list[BaseForm]) -> list[str]:
    if case.csv_columns:
        return list(COLUMNS)
    names = [form.add_prefix(name) for form in forms for name in form.fields]
    return list(dict.fromkeys([*names, *case.extra]))


def _payload(case: Case, forms: list[BaseForm], data: dict) -> dict:
    """The request data: files go up as files, org chart cells inside a CSV."""
    if case.csv_columns:
        row = {"email": "cell@acme.test", "name": "Cell", "team": "Platform"}
        row |= {"time zone": "UTC", "location": "remote"}
        row |= {column: value for column, value in data.items() if column in COLUMNS}
        cells = [row.get(column, "").replace(",", " ") for column in COLUMNS]
        return {"file": SimpleUploadedFile("org.csv", org_csv([cells]), "text/csv")}
    files = {
        form.add_prefix(name)
        for form in forms
        for name, form_field in form.fields.items()
        if isinstance(form_field, FileField)
    }
    return {
        key: SimpleUploadedFile(f"{value[:50]}.csv", value.encode(), "text/csv")
        if key in files
        else value
        for key, value in data.items()
    }


def _attempts(case: Case, fields: list[str], valid: dict):
    for label, value in HOSTILE.items():
        for name in fields:
            yield f"{name}={label}", valid | {name: value}
        yield f"all={label}", valid | dict.fromkeys(fields, value)


def _refused(response) -> bool:
    """A 4xx, or a page shown again with its errors (200, each error a role="alert"):
    either way nothing may be written."""
    if 400 <= response.status_code < 500:
        return True
    return response.status_code == 200 and b'role="alert"' in response.content


def _send(client, case: Case, url: str, data: dict):
    # A savepoint per request: on PostgreSQL a failed statement would
    # otherwise abort the test's transaction and every request after it.
    with transaction.atomic():
        if case.method == "get":
            return client.get(url, data, **case.headers)
        return client.post(url, data, **case.headers)


def test_huge_ids_in_paths_are_not_found(client_for, world, hana):
    """Every <int:…> in a path, at 10**30: beyond any database integer."""
    client = client_for(hana)
    failures = []
    for name, pattern in _html_routes().items():
        kwargs = {
            key: 10**30 if isinstance(converter, IntConverter) else "x"
            for key, converter in pattern.pattern.converters.items()
        }
        if not any(value == 10**30 for value in kwargs.values()):
            continue
        url = reverse(name, kwargs=kwargs)
        for send in (client.get, client.post):
            try:
                with transaction.atomic():
                    status = send(url).status_code
            except Exception as error:  # noqa: BLE001 - every failure is reported below
                failures.append(f"{url}: {type(error).__name__}: {error}")
            else:
                if status >= 500:
                    failures.append(f"{url}: {status}")
    assert failures == []


@pytest.mark.fuzz
@pytest.mark.parametrize(
    "case",
    [pytest.param(case, id=case.id) for case in CASES],
)
def test_hostile_values_never_break_a_view_or_half_write(
    request, client_for, world, case, monkeypatch
):
    cleaned: set[type] = set()
    full_clean = BaseForm.full_clean

    def recording_full_clean(form):
        if form.is_bound:
            cleaned.add(type(form))
        return full_clean(form)

    monkeypatch.setattr(BaseForm, "full_clean", recording_full_clean)
    # The test client keeps a copy of the context of every template rendered,
    # each <option> of a time-zone list included: the fuzz reads only statuses.
    monkeypatch.setattr(test_client, "store_rendered_templates", lambda *args, **kwargs: None)
    forms = case.forms(world)
    fields = _fields(case, forms)
    client = client_for(request.getfixturevalue(case.role))
    url = reverse(case.route, args=case.args(world))
    failures = []
    with time_machine.travel(NOW, tick=False):
        valid = case.valid(world)
        before = _row_counts()
        for label, data in _attempts(case, fields, valid):
            try:
                response = _send(client, case, url, _payload(case, forms, data))
            except Exception as error:  # noqa: BLE001 - every failure is reported below
                failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
                before = _row_counts()
                continue
            after = _row_counts()
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code}")
            elif _refused(response) and after != before:
                failures.append(f"{label}: {response.status_code} but rows were written")
            before = after
    assert failures == []
    declared = {type(form) for form in forms}
    assert cleaned - declared == set(), "the view reads forms its case doesn't name"
