"""Dana, who has one row of every kind a person can have, and the published figures
that must not move when she is erased or her rows age out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.admin.models import ADDITION, LogEntry
from rest_framework.authtoken.models import Token

from chat.models import SlackAccount, SlackPrompt, SlackWorkspace
from connection.audit import record
from connection.models import AuditEntry, AwayPeriod, Nudge, OrgImport, Signal, SignIn, User
from identity.models import ScimPerson, ScimToken, SyncRun
from insights.models import Alert, Pilot, QuietNote, TeamTie, TeamWeek
from mentorship.models import (
    Avoid,
    Booking,
    CaseNote,
    CheckIn,
    MatchGroup,
    MatchRound,
    Membership,
    MentoringSession,
    OfficeHours,
    Programme,
    ShadowWindow,
)
from moments.models import CheckinSuggestion
from pulse.models import (
    CellAnswer,
    Published,
    Question,
    Receipt,
    Response,
    Round,
    RoundCell,
    RoundTeam,
)
from rituals.models import (
    Attendance,
    Budget,
    CalendarFeed,
    Occurrence,
    Reaction,
    Recognition,
    Spend,
    TeamRitual,
    ThreadPost,
)
from tests.helpers import make_user

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
DANA_EMAIL = "dana.whitlock@example.com"
DANA_NAME = "Dana Whitlock"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class World:
    dana: User
    markers: dict[str, str]  # entry key -> a text only that row holds


def _nudge(recipient, key, **fields) -> Nudge:
    return Nudge.objects.create(
        recipient=recipient,
        kind=fields.pop("kind", "recognition"),
        channel="in_app",
        payload=fields.pop("payload", {"title": key}),
        dedupe_key=key,
        due_at=NOW,
        expires_at=NOW + dt.timedelta(days=1),
        status=fields.pop("status", Nudge.Status.SENT),
        sent_at=NOW,
        **fields,
    )


def _core(dana, bob, team, hana) -> dict[str, str]:
    team.managers.add(dana)
    bob.manager = dana
    bob.save(update_fields=["manager"])
    AwayPeriod.objects.create(
        person=dana, starts_on=NOW.date(), ends_on=NOW.date(), note="Away Aniseed"
    )
    _nudge(dana, "nudge-nutmeg", payload={"title": "Nudge Nutmeg"})
    _nudge(bob, "to-bob", payload={"title": f"{DANA_NAME} booked your office hours"})
    Signal.objects.create(actor=dana, other=bob, kind="asked", source="sig:1", occurred_at=NOW)
    Signal.objects.create(actor=bob, other=dana, kind="replied", source="sig:2", occurred_at=NOW)
    SignIn.objects.create(user=dana, session_key="dana-session")
    Token.objects.create(user=dana)
    record(actor=dana, action=AuditEntry.Action.PULSE_CSV, detail={"note": "Audit Almond"})
    AuditEntry.objects.create(
        actor=hana,
        kind="roles",
        action=AuditEntry.Action.PERSON_CHANGED,
        target_type="user",
        target_id=dana.pk,
        target_label=DANA_NAME,
        detail={"changed": {"email": [DANA_EMAIL, DANA_EMAIL]}},
    )
    OrgImport.objects.create(
        uploaded_by=dana,
        filename="import-iris.csv",
        content=f"email,name\n{DANA_EMAIL},{DANA_NAME}\n",
        summary={"added": [DANA_EMAIL]},
    )
    LogEntry.objects.log_actions(
        user_id=dana.pk,
        queryset=[bob],
        action_flag=ADDITION,
        change_message="Admin Anise",
        single_object=True,
    )
    LogEntry.objects.log_actions(
        user_id=hana.pk, queryset=[dana], action_flag=ADDITION, single_object=True
    )
    AccessAttempt.objects.create(
        username=DANA_EMAIL,
        ip_address="10.0.0.9",
        user_agent="x",
        path_info="/login/",
        failures_since_start=1,
        attempt_time=NOW,
    )
    return {
        "profile": DANA_EMAIL,
        "hours": "Europe/Lisbon",
        "preferences": "Kayaking",
        "teams_managed": team.name,
        "away": "Away Aniseed",
        "nudges": "Nudge Nutmeg",
        "signals": "Asked a question",
        "sign_ins": "API token",
        "audit": "exported the pulse results CSV",
        "org_imports": "import-iris.csv",
        "admin_log": "Admin Anise",
        "sign_in_attempts": "10.0.0.9",
    }


def _pulse(dana, team) -> dict[str, str]:
    round_ = Round.objects.create(
        number=41,
        opens_at=NOW - dt.timedelta(days=7),
        closes_at=NOW - dt.timedelta(days=1),
        status=Round.Status.REPORTED,
        min_group_size=5,
        comment_threshold=10,
    )
    Receipt.objects.create(person=dana, round=round_, team=team)
    Response.objects.create(
        round=round_, team=team, tenure_band="1-3y", location="remote", comment=f"{DANA_NAME} helps"
    )
    cell = RoundCell.objects.create(
        round=round_, team=team, tenure_band="1-3y", location="remote", respondents=6, score_sum=420
    )
    question = Question.objects.current().first()
    CellAnswer.objects.create(
        cell=cell,
        question=question,
        dimension=question.dimension,
        answers=6,
        favourable=4,
        counts=[0, 1, 1, 4, 0],
    )
    RoundTeam.objects.create(round=round_, team=team, path=team.path)
    Published.objects.create(
        round=round_, team=team, shown=True, respondents=6, score=70, shares={"d:x": 66}
    )
    return {"pulse_receipts": "41"}


def _rituals(dana, bob, team) -> dict[str, str]:
    ritual = TeamRitual.objects.create(
        team=team,
        name="Ritual Rosemary",
        format="sync",
        rule="FREQ=WEEKLY;BYDAY=TH",
        start_time=dt.time(10),
        duration=30,
        time_zone="UTC",
        host=dana,
        created_by=dana,
        hypothesis="It helps",
        review_on=NOW.date() + dt.timedelta(days=60),
    )
    ritual.participants.add(dana, bob)
    occurrence = Occurrence.objects.create(
        ritual=ritual, starts_at=NOW - dt.timedelta(days=1), ends_at=NOW
    )
    Attendance.objects.create(occurrence=occurrence, person=dana, worth_it=True)
    CalendarFeed.objects.create(person=dana, token="dana-feed-token")
    post = ThreadPost.objects.create(team=team, author=dana, status="Thread Thyme")
    bobs = ThreadPost.objects.create(team=team, author=bob, status=f"Thanks {DANA_NAME}!")
    Reaction.objects.create(post=bobs, person=dana, kind="thanks")
    given = Recognition.objects.create(
        giver=dana, team=team, message="Kudos Kale", visibility="team"
    )
    given.receivers.add(bob)
    received = Recognition.objects.create(
        giver=bob, team=team, message="Kudos Cumin", visibility="team"
    )
    received.receivers.add(dana)
    budget = Budget.objects.create(team=team, quarter=dt.date(2026, 10, 1))
    Spend.objects.create(
        budget=budget,
        category="gathering",
        amount=5,
        spent_on=NOW.date(),
        note="Spend Sage",
        logged_by=dana,
    )
    return {
        "thread_posts": "Thread Thyme",
        "reactions": "Thanks",
        "recognition_given": "Kudos Kale",
        "recognition_received": "Kudos Cumin",
        "rituals": "Ritual Rosemary",
        "attendance": "Ritual Rosemary",
        "calendar_feed": "private link",
        "spends": "Spend Sage",
    }, post


def _mentorship(dana, bob, team) -> dict[str, str]:
    programme = Programme.objects.create(kind="coffee", name="Programme Papaya", created_by=dana)
    Membership.objects.create(programme=programme, person=dana)
    Avoid.objects.create(person=dana, avoided=bob)
    match_round = MatchRound.objects.create(programme=programme, number=1, run_on=NOW.date())
    group = MatchGroup.objects.create(round=match_round, newcomer=dana, reasons=[DANA_NAME])
    group.members.set([dana, bob])
    CheckIn.objects.create(group=group, person=dana, week=1, answer="met")
    hours = OfficeHours.objects.create(
        host=dana,
        weekday=3,
        start_time=dt.time(14),
        minutes=60,
        time_zone="UTC",
        about="Hours Hibiscus",
    )
    Booking.objects.create(
        office_hours=hours, starts_at=NOW + dt.timedelta(days=2), booker=bob, topic="Deploys"
    )
    bobs_hours = OfficeHours.objects.create(
        host=bob, weekday=2, start_time=dt.time(10), minutes=60, time_zone="UTC"
    )
    Booking.objects.create(
        office_hours=bobs_hours,
        starts_at=NOW + dt.timedelta(days=1),
        booker=dana,
        topic="Booking Basil",
    )
    MentoringSession.objects.create(
        mentor=bob,
        mentee=dana,
        held_on=NOW.date(),
        minutes=30,
        note="Session Sorrel",
        logged_by=dana,
        status="confirmed",
    )
    window = ShadowWindow.objects.create(
        host=dana, title="Shadow Shallot", starts_at=NOW + dt.timedelta(days=3)
    )
    bobs_window = ShadowWindow.objects.create(
        host=bob, title="Shadow Savory", starts_at=NOW + dt.timedelta(days=3)
    )
    bobs_window.requests.add(dana)
    window.requests.add(bob)
    CaseNote.objects.create(
        author=dana, team=team, topic="Note Nectarine", tried="t", learned="l", visibility="team"
    )
    return {
        "programmes": "Programme Papaya",
        "groups": "Programme Papaya",
        "office_hours": "Booking Basil",
        "mentoring_log": "Session Sorrel",
        "shadowing": "Shadow Savory",
        "case_notes": "Note Nectarine",
    }


def _insights_identity(dana, bob, team, other_team) -> dict[str, str]:
    ScimPerson.objects.create(user=dana, given_name="Dana", family_name="Whitlock")
    QuietNote.objects.create(person=dana, week=NOW.date() - dt.timedelta(days=7))
    week = NOW.date() - dt.timedelta(days=7)
    TeamWeek.objects.create(team=team, week=week, members=6, score=71.5, partners={"9": 2})
    TeamTie.objects.create(week=week, depth=1, team_a=team, team_b=other_team, ties=3)
    alert = Alert.objects.create(team=team, week=week, situation="low")
    alert.nudges.add(_nudge(dana, "alert-dana", kind="manager_alert"))
    ScimToken.objects.create(label="Okta Oregano", digest="d" * 64, prefix="dddd", created_by=dana)
    SyncRun.objects.create(
        status=SyncRun.Status.APPROVED,
        diff={"deactivate": [{"email": DANA_EMAIL, "name": DANA_NAME}]},
        decided_by=dana,
        decided_at=NOW,
    )
    pilot = Pilot.objects.create(
        name="Pilot Pomegranate", started_by=dana, starts_on=week, ends_on=NOW.date()
    )
    pilot.teams.set([other_team])
    return {
        "quiet_notes": str(week.year),
        "identity": "Okta Oregano",
        "scim": "Whitlock",
        "pilots": "Pilot Pomegranate",
    }


def _chat(dana, team) -> dict[str, str]:
    workspace = SlackWorkspace(team_id="T0DANA", name="Dill Workspace", bot_user_id="U0BOT")
    workspace.bot_token = "xoxb-dana"
    workspace.installed_by = dana
    workspace.save()
    SlackAccount.objects.create(workspace=workspace, person=dana, slack_user_id="U0DANA")
    SlackPrompt.objects.create(channel_id="D0DANA", ts="1.000001", person=dana, team=team)
    return {"slack": "U0DANA"}


def _moments(dana, bob) -> dict[str, str]:
    CheckinSuggestion.objects.create(manager=dana, person=bob, week=NOW.date())
    return {"checkin_suggestions": bob.display_name}


@pytest.fixture
def world(clock, team, other_team, bob, hana) -> World:
    dana = make_user(
        email=DANA_EMAIL, display_name=DANA_NAME, team=team, skills=["Kayaking"], is_hr_admin=True
    )
    markers = _core(dana, bob, team, hana)
    markers |= _pulse(dana, team)
    ritual_markers, _ = _rituals(dana, bob, team)
    markers |= ritual_markers
    markers |= _mentorship(dana, bob, team)
    markers |= _insights_identity(dana, bob, team, other_team)
    markers |= _chat(dana, team)
    markers |= _moments(dana, bob)
    return World(dana=User.objects.get(pk=dana.pk), markers=markers)
