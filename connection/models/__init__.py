"""The core's models, one module per topic: people (teams, users), org (settings,
imports, heartbeat), audit, nudges (the outbox) and signals (the connection ledger).
Import them from here, as Django does."""

from connection.models.access import SignIn
from connection.models.audit import AuditEntry, AuditQuerySet
from connection.models.nudges import (
    NUDGE_KIND_CHOICES,
    NUDGE_KINDS,
    AwayPeriod,
    Nudge,
    NudgeChannel,
    NudgeKind,
    NudgeQuerySet,
    Priority,
)
from connection.models.org import Heartbeat, OrgImport, OrgSettings
from connection.models.people import (
    WEEKDAY_NAMES,
    Location,
    Team,
    TeamQuerySet,
    User,
    UserManager,
    UserQuerySet,
    default_work_end,
    default_work_start,
    known_time_zones,
    listed_time_zones,
    next_shared_slot,
    shared_working_window,
    validate_time_zone,
    validate_working_days,
)
from connection.models.signals import Signal

__all__ = [
    "AuditEntry",
    "AuditQuerySet",
    "AwayPeriod",
    "Heartbeat",
    "Location",
    "NUDGE_KINDS",
    "NUDGE_KIND_CHOICES",
    "Nudge",
    "NudgeChannel",
    "NudgeKind",
    "NudgeQuerySet",
    "OrgImport",
    "OrgSettings",
    "Priority",
    "SignIn",
    "Signal",
    "Team",
    "TeamQuerySet",
    "User",
    "UserManager",
    "UserQuerySet",
    "WEEKDAY_NAMES",
    "default_work_end",
    "default_work_start",
    "known_time_zones",
    "listed_time_zones",
    "next_shared_slot",
    "shared_working_window",
    "validate_time_zone",
    "validate_working_days",
]
