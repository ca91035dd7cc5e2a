"""The scheduled org sync: read the org chart CSV from a file drop or a URL, compare it
with Hearth, and apply it, unless it would deactivate or move more people than HR's
safety brake allows; then it waits, with its diff, for HR to approve or reject it.

Every run is a `SyncRun` row holding its diff, whatever happened. The CSV is the
org import's own format (connection/orgchart.py) and goes through the same preview
and apply (connection/services.py), so a scheduled run and an upload agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from connection.audit import record
from connection.models import AuditEntry, OrgImport, User
from connection.services import ImportPlan, ImportRejected, apply_org_import, preview_org_import
from identity.models import SyncRun, SyncSource

MAX_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = 30
# A diff lists at most this many people per heading; the counts are always whole.
DIFF_LIMIT = 500


class SourceUnreadable(Exception):
    """The file or URL could not be read; the run is recorded as failed."""


@dataclass(frozen=True)
class Brake:
    """What a plan would do to the active people, against HR's limits."""

    active: int
    deactivating: int
    moving: int
    max_deactivate_share: float
    max_move_share: float

    @property
    def deactivate_share(self) -> float:
        return self.deactivating / self.active if self.active else 0.0

    @property
    def move_share(self) -> float:
        return self.moving / self.active if self.active else 0.0

    @property
    def reasons(self) -> list[str]:
        """Why the brake holds, in the language spoken now."""
        reasons = []
        if self.deactivate_share > self.max_deactivate_share:
            reasons.append(
                _(
                    "it would deactivate %(count)s of %(active)s active people "
                    "(%(share)s, more than the %(limit)s allowed)"
                )
                % {
                    "count": self.deactivating,
                    "active": self.active,
                    "share": f"{self.deactivate_share:.0%}",
                    "limit": f"{self.max_deactivate_share:.0%}",
                }
            )
        if self.move_share > self.max_move_share:
            reasons.append(
                _(
                    "it would move %(count)s of %(active)s active people to another team "
                    "(%(share)s, more than the %(limit)s allowed)"
                )
                % {
                    "count": self.moving,
                    "active": self.active,
                    "share": f"{self.move_share:.0%}",
                    "limit": f"{self.max_move_share:.0%}",
                }
            )
        return reasons


def read_source(source: SyncSource) -> tuple[bytes, str]:
    """The CSV's bytes and a file name for the record."""
    location = source.location.strip()
    if not location:
        raise SourceUnreadable(_("No file or URL is set."))
    if source.kind == SyncSource.Kind.FILE:
        path = Path(location)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise SourceUnreadable(_("%(name)s is larger than 20 MB.") % {"name": path.name})
            return path.read_bytes(), path.name
        except OSError as error:
            raise SourceUnreadable(
                _("Could not read %(location)s: %(error)s.")
                % {"location": location, "error": error.strerror}
            ) from None
    return _fetch(location)


def _fetch(url: str) -> tuple[bytes, str]:
    parts = urlsplit(url)
    if parts.scheme != "https" and not (settings.HEARTH_SYNC_ALLOW_HTTP and parts.scheme == "http"):
        raise SourceUnreadable(_("Use an https:// address."))
    try:
        with requests.get(url, timeout=FETCH_TIMEOUT, stream=True, allow_redirects=False) as reply:
            if reply.status_code != 200:
                raise SourceUnreadable(
                    _("%(host)s answered %(status)s.")
                    % {"host": parts.hostname, "status": reply.status_code}
                )
            data = reply.raw.read(MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise SourceUnreadable(
            _("Could not reach %(host)s: %(error)s.")
            % {"host": parts.hostname, "error": type(error).__name__}
        ) from None
    if len(data) > MAX_BYTES:
        raise SourceUnreadable(_("The file is larger than 20 MB."))
    return data, Path(parts.path).name or parts.hostname or "org chart"


def describe(plan: ImportPlan, *, deactivate_missing: bool) -> dict:
    """The run's diff as HR reads it: who comes, goes and moves, and the teams."""
    moves = _moves(plan)
    leaving = plan.missing if deactivate_missing else []
    return {
        "summary": plan.summary() | {"moved_people": len(moves), "deactivating": len(leaving)},
        "created": [p.email for p in plan.creates][:DIFF_LIMIT],
        "deactivated": [u.email for u in leaving][:DIFF_LIMIT],
        "moved": moves[:DIFF_LIMIT],
        "updated": [
            {"email": person.email, "fields": fields}
            for person, fields in plan.updates
            if fields != ["team"]
        ][:DIFF_LIMIT],
        "new_teams": plan.new_teams[:DIFF_LIMIT],
        "moved_teams": [
            {"team": name, "from": old, "to": new} for name, old, new in plan.moved_teams
        ][:DIFF_LIMIT],
    }


def _moves(plan: ImportPlan) -> list[dict]:
    """People already on a team whom the file puts on another one."""
    wanted = {person.email: person.team for person, fields in plan.updates if "team" in fields}
    current = User.objects.filter(email__in=wanted, team__isnull=False).values_list(
        "email", "team__name"
    )
    return [
        {"email": email, "from": team, "to": wanted[email]}
        for email, team in sorted(current)
        if team != wanted[email]
    ]


def brake_for(diff: dict, source: SyncSource) -> Brake:
    return Brake(
        active=User.objects.active().count(),
        deactivating=diff["summary"]["deactivating"],
        moving=diff["summary"]["moved_people"],
        max_deactivate_share=source.max_deactivate_share,
        max_move_share=source.max_move_share,
    )


def is_due(source: SyncSource, now: dt.datetime) -> bool:
    if not source.enabled:
        return False
    if SyncRun.objects.filter(status=SyncRun.Status.PAUSED).exists():
        return False  # the paused run waits for HR; no second one piles up behind it
    return source.last_run_at is None or now - source.last_run_at >= dt.timedelta(
        hours=source.every_hours
    )


def run_scheduled_sync(*, now: dt.datetime | None = None) -> SyncRun | None:
    """The beat's entry point: one run when the source is due, else None."""
    now = now or timezone.now()
    with transaction.atomic():
        source = SyncSource.objects.select_for_update().filter(pk=1).first()
        if source is None or not is_due(source, now):
            return None
        # Claimed: an overlapping tick sees the new last_run_at and does nothing.
        SyncSource.objects.filter(pk=source.pk).update(last_run_at=now)
    return run_sync(source, now=now)


def run_sync(source: SyncSource, *, now: dt.datetime | None = None) -> SyncRun:
    """Read, compare, and apply or pause; the run is recorded whatever happens."""
    now = now or timezone.now()
    try:
        data, filename = read_source(source)
    except SourceUnreadable as error:
        return SyncRun.objects.create(
            started_at=now, finished_at=now, status=SyncRun.Status.FAILED, message=str(error)
        )
    org_import, plan = preview_org_import(data=data, filename=filename, uploaded_by=None)
    if org_import is None:
        problems = "; ".join(str(p) for p in plan.chart.problems[:5])
        return SyncRun.objects.create(
            started_at=now,
            finished_at=now,
            status=SyncRun.Status.FAILED,
            message=_("The file has problems, nothing was changed: %(problems)s")
            % {"problems": problems},
        )
    diff = describe(plan, deactivate_missing=source.deactivate_missing)
    if not plan.has_changes and not diff["deactivated"]:
        org_import.delete()
        return SyncRun.objects.create(
            started_at=now, finished_at=now, status=SyncRun.Status.UNCHANGED, diff=diff
        )
    brake = brake_for(diff, source)
    run = SyncRun(
        started_at=now,
        org_import=org_import,
        diff=diff,
        deactivate_share=brake.deactivate_share,
        move_share=brake.move_share,
    )
    if brake.reasons:
        return _pause(run, brake)
    return _apply(run, source, status=SyncRun.Status.APPLIED, actor=None)


def _pause(run: SyncRun, brake: Brake) -> SyncRun:
    with transaction.atomic():
        run.status = SyncRun.Status.PAUSED
        reasons = "; ".join(brake.reasons)
        run.message = f"{reasons[0].upper()}{reasons[1:]}."
        run.save()
        with translation.override(None):  # the audit trail is kept in English
            why = brake.reasons
        record(actor=None, action=AuditEntry.Action.SYNC_PAUSED, target=run, detail={"why": why})
    return run


def _apply(run: SyncRun, source: SyncSource, *, status: str, actor: User | None) -> SyncRun:
    try:
        apply_org_import(
            org_import=run.org_import,
            applied_by=actor,
            deactivate_missing=source.deactivate_missing,
        )
    except ImportRejected as error:
        run.status = SyncRun.Status.FAILED
        run.message = _("Nothing was changed: %(error)s") % {"error": error}
    else:
        run.status = status
    run.finished_at = timezone.now()
    run.save()
    return run


class DecisionRefused(Exception):
    """The run is not waiting for a decision (decided already, or never paused)."""


def decide(run: SyncRun, *, approve: bool, actor: User) -> SyncRun:
    """HR approves (the run is applied now, planned again against today's data) or
    rejects a paused run. Only one decision wins: the status flips in a conditional
    UPDATE, so a double submit or two HR admins at once get DecisionRefused."""
    status = SyncRun.Status.APPROVED if approve else SyncRun.Status.REJECTED
    with transaction.atomic():
        claimed = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.PAUSED).update(
            status=status, decided_by=actor, decided_at=timezone.now()
        )
        if not claimed:
            raise DecisionRefused(_("This run is no longer waiting for a decision."))
        run.refresh_from_db()
        action = AuditEntry.Action.SYNC_APPROVED if approve else AuditEntry.Action.SYNC_REJECTED
        record(actor=actor, action=action, target=run, detail=run.diff.get("summary", {}))
        if not approve:
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
            OrgImport.objects.filter(pk=run.org_import_id).delete()
            return run
        return _apply(run, SyncSource.load(), status=SyncRun.Status.APPROVED, actor=actor)
