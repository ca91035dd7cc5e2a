"""Writes that touch more than one row: the org import, the heartbeat, API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from connection.access import deactivate_people
from connection.audit import record
from connection.models import AuditEntry, Heartbeat, OrgImport, Signal, Team, User
from connection.orgchart import OrgChart, Person, parse_org_chart

PERSON_FIELDS = ("display_name", "team", "manager", "start_date", "time_zone", "location")


class ImportRejected(Exception):
    """The org chart cannot be applied; nothing was written."""


@dataclass
class ImportPlan:
    chart: OrgChart
    creates: list[Person] = field(default_factory=list)
    updates: list[tuple[Person, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    new_teams: list[str] = field(default_factory=list)
    moved_teams: list[tuple[str, str, str]] = field(default_factory=list)
    manager_changes: list[tuple[str, list[str]]] = field(default_factory=list)
    missing: list[User] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chart.ok

    @property
    def has_changes(self) -> bool:
        return bool(
            self.creates
            or self.updates
            or self.new_teams
            or self.moved_teams
            or self.manager_changes
        )

    def summary(self) -> dict[str, int]:
        return {
            "people": len(self.chart.people),
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "new_teams": len(self.new_teams),
            "moved_teams": len(self.moved_teams),
            "manager_changes": len(self.manager_changes),
            "missing": len(self.missing),
        }


def plan_org_import(*, data: bytes, importer: User | None = None) -> ImportPlan:
    """Compare an org chart with the database and say what applying it would change."""
    known = frozenset(User.objects.values_list("email", flat=True))
    plan = ImportPlan(chart=parse_org_chart(data, known_emails=known))
    if not plan.ok:
        return plan
    emails = {p.email for p in plan.chart.people}
    _plan_people(plan, emails)
    _plan_teams(plan)
    plan.missing = list(
        User.objects.active()
        .exclude(email__in=emails)
        .exclude(is_superuser=True)
        # HR admins leave by hand: an import (or a scheduled sync) never locks HR out.
        .exclude(is_hr_admin=True)
        .exclude(pk=importer.pk if importer else None)
        .order_by("display_name")
    )
    return plan


def _plan_people(plan: ImportPlan, emails: set[str]) -> None:
    """Sort the file's people into new, changed and unchanged."""
    existing = {
        u.email: u for u in User.objects.filter(email__in=emails).select_related("team", "manager")
    }
    for person in plan.chart.people:
        user = existing.get(person.email)
        if user is None:
            plan.creates.append(person)
            continue
        changed = _changed_fields(person, user)
        if changed:
            plan.updates.append((person, changed))
        else:
            plan.unchanged += 1


def _changed_fields(person: Person, user: User) -> list[str]:
    """What applying the file's row would change on the person already in Hearth."""
    current = {
        "display_name": user.display_name,
        "team": user.team.name if user.team else "",
        "manager": user.manager.email if user.manager else "",
        "start_date": user.start_date,
        "time_zone": user.time_zone,
        "location": user.location,
        "is_active": user.is_active,
    }
    wanted = {
        "display_name": person.name,
        "team": person.team,
        "manager": person.manager_email,
        "start_date": person.start_date,
        "time_zone": person.time_zone,
        "location": person.location,
        "is_active": True,
    }
    return [name for name in wanted if wanted[name] != current[name]]


def _plan_teams(plan: ImportPlan) -> None:
    """New teams, teams under a new parent, and teams whose managers change."""
    chart = plan.chart
    teams = {t.name: t for t in Team.objects.select_related("parent").prefetch_related("managers")}
    for name, parent in chart.team_parents.items():
        team = teams.get(name)
        if team is None:
            plan.new_teams.append(name)
            continue
        old_parent = team.parent.name if team.parent else ""
        if old_parent != parent:
            plan.moved_teams.append((name, old_parent, parent))
    for name, managers in sorted(chart.team_managers().items()):
        team = teams.get(name)
        current = {m.email for m in team.managers.all()} if team else set()
        if managers != current:
            plan.manager_changes.append((name, sorted(managers)))


def preview_org_import(
    *, data: bytes, filename: str, uploaded_by: User
) -> tuple[OrgImport | None, ImportPlan]:
    """Check an uploaded org chart; keep it for applying when it has no problems."""
    plan = plan_org_import(data=data, importer=uploaded_by)
    if not plan.ok:
        return None, plan
    org_import = OrgImport.objects.create(
        uploaded_by=uploaded_by,
        filename=filename[:255],
        content=data.decode("utf-8-sig"),
        summary=plan.summary(),
    )
    return org_import, plan


def apply_org_import(
    *, org_import: OrgImport, applied_by: User | None, deactivate_missing: bool = False
) -> ImportPlan:
    """Apply a previewed org chart in one transaction: all of it, or nothing.

    Only one caller can apply a given upload: the status flips from
    previewed to applied in a conditional UPDATE, so a double submit loses.
    """
    with transaction.atomic():
        claimed = OrgImport.objects.filter(
            pk=org_import.pk, status=OrgImport.Status.PREVIEWED
        ).update(status=OrgImport.Status.APPLIED, applied_at=timezone.now())
        if not claimed:
            raise ImportRejected(gettext("This file has already been imported."))
        # The database may have changed since the preview: plan again.
        plan = plan_org_import(data=org_import.content.encode("utf-8"), importer=applied_by)
        if not plan.ok:
            raise ImportRejected("; ".join(str(p) for p in plan.chart.problems[:5]))
        _write_teams(plan)
        _write_people(plan)
        _write_team_managers(plan)
        deactivated = 0
        if deactivate_missing and plan.missing:
            deactivated = deactivate_people(
                [u.pk for u in plan.missing], actor=applied_by, via="org chart import"
            )
        summary = plan.summary() | {"deactivated": deactivated}
        OrgImport.objects.filter(pk=org_import.pk).update(
            summary=summary, deactivated_missing=bool(deactivated)
        )
        record(
            actor=applied_by,
            action=AuditEntry.Action.ORG_IMPORTED,
            target=org_import,
            detail=summary | {"file": org_import.filename},
        )
    return plan


def import_org_chart(*, data: bytes, filename: str, deactivate_missing: bool = False) -> ImportPlan:
    """Check and apply in one step (the `import_org` command)."""
    org_import, plan = preview_org_import(data=data, filename=filename, uploaded_by=None)
    if org_import is None:
        return plan
    return apply_org_import(
        org_import=org_import, applied_by=None, deactivate_missing=deactivate_missing
    )


def _write_teams(plan: ImportPlan) -> None:
    Team.objects.bulk_create([Team(name=name) for name in plan.new_teams], batch_size=500)
    teams = {t.name: t for t in Team.objects.all()}
    moved = []
    for name, parent in plan.chart.team_parents.items():
        team = teams[name]
        parent_id = teams[parent].pk if parent else None
        if team.parent_id != parent_id:
            team.parent_id = parent_id
            moved.append(team)
    Team.objects.bulk_update(moved, ["parent"], batch_size=500)
    Team.objects.rebuild_paths()


def _write_people(plan: ImportPlan) -> None:
    team_ids = dict(Team.objects.values_list("name", "pk"))
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=p.email,
                display_name=p.name,
                team_id=team_ids[p.team],
                start_date=p.start_date,
                time_zone=p.time_zone,
                location=p.location,
                password=unusable,
            )
            for p in plan.creates
        ],
        batch_size=1000,
    )
    emails = {p.email for p in plan.chart.people} | {
        p.manager_email for p in plan.chart.people if p.manager_email
    }
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    changed = []
    for person in plan.chart.people:
        user = users[person.email]
        wanted = {
            "display_name": person.name,
            "team_id": team_ids[person.team],
            "manager_id": users[person.manager_email].pk if person.manager_email else None,
            "start_date": person.start_date,
            "time_zone": person.time_zone,
            "location": person.location,
            "is_active": True,
        }
        if any(getattr(user, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(user, name, value)
            changed.append(user)
    User.objects.bulk_update(changed, [*PERSON_FIELDS, "is_active"], batch_size=1000)


def _write_team_managers(plan: ImportPlan) -> None:
    if not plan.manager_changes:
        return
    teams = dict(Team.objects.values_list("name", "pk"))
    all_emails = {e for _, managers in plan.manager_changes for e in managers}
    people = dict(User.objects.filter(email__in=all_emails).values_list("email", "pk"))
    through = Team.managers.through
    team_ids = [teams[name] for name, _ in plan.manager_changes]
    through.objects.filter(team_id__in=team_ids).delete()
    through.objects.bulk_create(
        [
            through(team_id=teams[name], user_id=people[email])
            for name, managers in plan.manager_changes
            for email in managers
        ],
        batch_size=1000,
    )


def record_heartbeat(*, name: str) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now()}
    )
    return heartbeat


def record_signals(signals: list[Signal]) -> int:
    """Write ledger rows; a source already recorded is skipped (retries are safe)."""
    before = Signal.objects.filter(source__in=[s.source for s in signals]).count()
    Signal.objects.bulk_create(signals, ignore_conflicts=True)
    return Signal.objects.filter(source__in=[s.source for s in signals]).count() - before


def issue_api_token(*, person: User) -> Token:
    """A fresh API token in place of any old one."""
    with transaction.atomic():
        # Two quick submits take turns on the person's row instead of both
        # inserting a token (one per person: the second insert would fail).
        User.objects.select_for_update().filter(pk=person.pk).first()
        Token.objects.filter(user=person).delete()
        return Token.objects.create(user=person)


def revoke_api_token(*, person: User) -> None:
    Token.objects.filter(user=person).delete()
