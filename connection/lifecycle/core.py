"""The core's own personal data: the person's row (profile, hours, preferences), the
teams they manage, days away, messages, the connection ledger, sign-ins and tokens,
the audit trail, org chart imports, the admin's log and sign-in attempts.
Loaded by ConnectionConfig.ready()."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from connection.access import end_access
from connection.lifecycle.anonymise import (
    FORMER_NAME,
    audit_maintenance,
    former_colleague,
    needles,
    replace_mentions,
)
from connection.lifecycle.registry import PersonalData, Retention, Row, register
from connection.models import (
    NUDGE_KINDS,
    AuditEntry,
    Nudge,
    OrgImport,
    Signal,
    SignIn,
    User,
)


def _profile(person: User) -> list[Row]:
    return [
        {
            "email": person.email,
            "name": person.display_name,
            "team": person.team.name if person.team_id else "",
            "line manager": person.manager.display_name if person.manager_id else "",
            "start date": person.start_date,
            "location": str(person.get_location_display()),
            "HR admin": person.is_hr_admin,
            "senior": person.is_senior,
            "joined Hearth": person.date_joined,
            "identity provider id": person.external_id,
        }
    ]


def _hours(person: User) -> list[Row]:
    return [
        {
            "time zone": person.time_zone,
            "starts": person.work_start,
            "ends": person.work_end,
            "working days": person.working_days_label,
        }
    ]


def _preferences(person: User) -> list[Row]:
    return [
        {
            "skills": person.skills,
            "interests": person.interests,
            "nudges by": person.nudge_channel,
            "nudges a week at most": person.weekly_nudge_cap,
            "muted": person.muted_nudge_kinds,
            "snoozed until": person.snoozed_until,
            "own Slack webhook": person.slack_webhook_url,
            "own Teams webhook": person.teams_webhook_url,
            "when quiet, also tell": str(person.get_quiet_alerts_to_display()),
            "share my work anniversary": person.share_anniversary,
            "check-in suggestions": person.checkin_suggestions,
            "thank-you reminders": person.thanks_prompts,
        }
    ]


def _erase_profile(person: User) -> int:
    # Their reports keep working: they just have no line manager on record now.
    User.objects.filter(manager=person).update(manager=None)
    return 1  # the person's own row, deleted last by erase_person


def _managed(person: User) -> list[Row]:
    return [{"team": team.name} for team in person.managed_teams.order_by("name")]


def _erase_managed(person: User) -> int:
    count = person.managed_teams.count()
    person.managed_teams.clear()
    return count


def _away(person: User) -> list[Row]:
    return list(person.away_periods.values("starts_on", "ends_on", "note"))


def _nudges(person: User) -> list[Row]:
    return [
        {
            "kind": str(NUDGE_KINDS[nudge.kind].label) if nudge.kind in NUDGE_KINDS else nudge.kind,
            "title": str(nudge.title),
            "body": nudge.body,
            "by": str(nudge.channel_label),
            "status": str(nudge.get_status_display()),
            "planned": nudge.created_at,
            "sent": nudge.sent_at,
            "read": nudge.read_at,
        }
        for nudge in person.nudges.order_by("created_at", "pk")
    ]


def _signals(person: User) -> list[Row]:
    rows = Signal.objects.filter(Q(actor=person) | Q(other=person)).select_related(
        "actor", "other", "team"
    )
    return [
        {
            "what": str(signal.get_kind_display()),
            "who": gettext("you") if signal.actor_id == person.pk else signal.actor.display_name,
            "with": ""
            if signal.other_id is None
            else gettext("you")
            if signal.other_id == person.pk
            else signal.other.display_name,
            "team": signal.team.name if signal.team_id else "",
            "when": signal.occurred_at,
        }
        for signal in rows.order_by("occurred_at", "pk")
    ]


def _sign_ins(person: User) -> list[Row]:
    how = {
        SignIn.Method.PASSWORD: gettext("signed in by password"),
        SignIn.Method.SSO: gettext("signed in by single sign-on"),
    }
    rows: list[Row] = [
        {"what": how.get(sign_in.method, sign_in.method), "when": sign_in.at}
        for sign_in in person.sign_ins.order_by("at")
    ]
    token = Token.objects.filter(user=person).first()
    if token is not None:
        rows.append(
            {"what": gettext("API token created (its key is not shown)"), "when": token.created}
        )
    return rows


def _erase_sign_ins(person: User) -> int:
    held = person.sign_ins.count() + Token.objects.filter(user=person).count()
    end_access([person.pk])
    return held


def _acted(person: User) -> list[Row]:
    return [
        {"when": entry.at, "did": str(entry.get_action_display()), "to": entry.target_label}
        for entry in AuditEntry.objects.filter(actor=person).order_by("at", "pk")
    ]


def _erase_audit(person: User) -> int:
    """Entries they made read "a former colleague"; entries about them lose their name."""
    former = former_colleague()
    with audit_maintenance() as entries:
        changed = entries.filter(actor=person).update(actor=former)
        changed += entries.filter(target_type="user", target_id=person.pk).update(
            target_label=FORMER_NAME
        )
        changed += replace_mentions(
            AuditEntry, ["target_label", "detail"], needles(person), manager=entries
        )
    return changed


def _imports(person: User) -> list[Row]:
    return list(
        OrgImport.objects.filter(uploaded_by=person).values("filename", "status", "created_at")
    )


def _erase_imports(person: User) -> int:
    changed = OrgImport.objects.filter(uploaded_by=person).update(uploaded_by=None)
    return changed + replace_mentions(
        OrgImport, ["filename", "content", "summary"], needles(person)
    )


def _admin_log(person: User) -> list[Row]:
    return [
        {"when": entry.action_time, "on": entry.object_repr, "change": entry.get_change_message()}
        for entry in LogEntry.objects.filter(user=person).order_by("action_time")
    ]


def _erase_admin_log(person: User) -> int:
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk))
    deleted, _ = LogEntry.objects.filter(Q(user=person) | about).delete()
    return deleted + replace_mentions(LogEntry, ["object_repr", "change_message"], needles(person))


ATTEMPT_MODELS = (AccessAttempt, AccessLog, AccessFailureLog)


def _attempts(person: User) -> list[Row]:
    return [
        {"when": row.attempt_time, "from": row.ip_address, "page": row.path_info}
        for model in ATTEMPT_MODELS
        for row in model.objects.filter(username__iexact=person.email)
    ]


def _erase_attempts(person: User) -> int:
    return sum(
        model.objects.filter(username__iexact=person.email).delete()[0] for model in ATTEMPT_MODELS
    )


def _erase_nudges(person: User) -> int:
    return person.nudges.all().delete()[1].get("connection.Nudge", 0)


def _erase_signals(person: User) -> int:
    return Signal.objects.filter(Q(actor=person) | Q(other=person)).delete()[0]


def _erase_mentions_in_messages(person: User) -> int:
    # Messages to colleagues may name the person ("Dana booked your office hours").
    return replace_mentions(Nudge, ["payload", "last_error"], needles(person))


FINISHED = Q(status__in=[Nudge.Status.SENT, Nudge.Status.SKIPPED, Nudge.Status.FAILED])

register(
    PersonalData(
        "profile", _("Profile"), _profile, _erase_profile, covers=("connection.User.manager",)
    ),
    PersonalData("hours", _("Working hours"), _hours, lambda person: 0),
    PersonalData("preferences", _("Preferences"), _preferences, lambda person: 0),
    PersonalData(
        "teams_managed",
        _("Teams you manage"),
        _managed,
        _erase_managed,
        covers=("connection.Team.managers",),
    ),
    PersonalData(
        "away",
        _("Days away"),
        _away,
        lambda person: person.away_periods.all().delete()[0],
        covers=("connection.AwayPeriod.person",),
    ),
    PersonalData(
        "nudges",
        _("Messages Hearth sent you"),
        _nudges,
        _erase_nudges,
        covers=("connection.Nudge.recipient",),
        retention=Retention(Nudge, "created_at", "nudge_retention_days", only=FINISHED),
    ),
    PersonalData(
        "nudge_mentions", _("Messages to others naming you"), None, _erase_mentions_in_messages
    ),
    PersonalData(
        "signals",
        _("Connection signals (what you did with whom)"),
        _signals,
        _erase_signals,
        covers=("connection.Signal.actor", "connection.Signal.other"),
        retention=Retention(Signal, "occurred_at", "signal_retention_days", partitioned=True),
    ),
    PersonalData(
        "sign_ins",
        _("Sign-ins and API token"),
        _sign_ins,
        _erase_sign_ins,
        covers=("connection.SignIn.user", "authtoken.Token.user"),
    ),
    PersonalData(
        "audit",
        _("What you changed as an HR admin (audit trail)"),
        _acted,
        _erase_audit,
        covers=("connection.AuditEntry.actor",),
        retention=Retention(AuditEntry, "at", "audit_retention_days", append_only=True),
    ),
    PersonalData(
        "org_imports",
        _("Org charts you imported"),
        _imports,
        _erase_imports,
        covers=("connection.OrgImport.uploaded_by",),
    ),
    PersonalData(
        "admin_log",
        _("Changes you made in the admin"),
        _admin_log,
        _erase_admin_log,
        covers=("admin.LogEntry.user",),
    ),
    PersonalData("sign_in_attempts", _("Sign-in attempts"), _attempts, _erase_attempts),
)
