"""The scheduled org sync's settings page and its runs (HR admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from connection.audit import save_recorded
from connection.models import AuditEntry
from connection.roles import hr_admin_required
from identity.forms import SyncActionForm, SyncDecisionForm, SyncSourceForm
from identity.models import SyncRun, SyncSource
from identity.sync import DecisionRefused, decide, run_sync

OUTCOME = {
    SyncRun.Status.UNCHANGED: (
        "success",
        gettext_lazy("The file matches Hearth: nothing to change."),
    ),
    SyncRun.Status.APPLIED: ("success", gettext_lazy("The sync ran and its changes are applied.")),
    SyncRun.Status.PAUSED: (
        "warning",
        gettext_lazy("The sync paused at the safety brake: review it below."),
    ),
    SyncRun.Status.FAILED: ("error", gettext_lazy("The sync failed, nothing was changed: ")),
}


@hr_admin_required
@require_http_methods(["GET", "POST"])
def org_sync(request: HttpRequest) -> HttpResponse:
    source = SyncSource.load()
    form = SyncSourceForm(instance=source)
    if request.method == "POST":
        action = SyncActionForm(request.POST)
        if not action.is_valid():
            problem = "Unknown action."  # logged, never shown: kept in English
            raise SuspiciousOperation(problem)
        if action.cleaned_data["action"] == "run":
            return _run_now(request, source)
        form = SyncSourceForm(request.POST, instance=source)
        if form.is_valid():
            save_recorded(form, actor=request.user, action=AuditEntry.Action.SYNC_CONFIGURED)
            messages.success(request, _("Saved."))
            return redirect("org_sync")
    runs = SyncRun.objects.select_related("decided_by")[:20]
    context = {"form": form, "source": source, "runs": runs, "paused": _paused()}
    return render(request, "identity/org_sync.html", context)


def _paused() -> SyncRun | None:
    return SyncRun.objects.filter(status=SyncRun.Status.PAUSED).first()


def _run_now(request: HttpRequest, source: SyncSource) -> HttpResponse:
    if _paused() is not None:
        messages.error(
            request, _("A run is waiting for your decision: approve or reject it first.")
        )
        return redirect("org_sync")
    run = run_sync(source)
    level, text = OUTCOME[run.status]
    getattr(messages, level)(request, str(text) + (run.message if level == "error" else ""))
    return redirect("org_sync_run", pk=run.pk)


@hr_admin_required
@require_http_methods(["GET", "POST"])
def org_sync_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(SyncRun.objects.select_related("decided_by"), pk=pk)
    if request.method == "POST":
        form = SyncDecisionForm(request.POST)
        if not form.is_valid():
            problem = "Unknown decision."  # logged, never shown: kept in English
            raise SuspiciousOperation(problem)
        approve = form.cleaned_data["decision"] == "approve"
        try:
            run = decide(run, approve=approve, actor=request.user)
        except DecisionRefused as error:
            messages.error(request, str(error))
        else:
            if run.status == SyncRun.Status.FAILED:
                messages.error(request, run.message)
            else:
                messages.success(
                    request, _("Applied.") if approve else _("Rejected: nothing changed.")
                )
        return redirect("org_sync_run", pk=run.pk)
    return render(request, "identity/org_sync_run.html", {"run": run})
