"""HR's settings: one page that leads to everything an HR admin configures.

The header keeps one "Settings" link for HR instead of a link per tool; each
card says what is set now, so HR sees the state before opening the tool.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from connection.audit import save_recorded
from connection.calendar import quarter_label, quarter_start
from connection.lifecycle.forms import RetentionForm
from connection.models import AuditEntry, Nudge, OrgSettings, Team, User
from connection.roles import hr_admin_required
from mentorship.models import Programme
from pulse.models import PulseSettings
from rituals.models import Budget


@hr_admin_required
@require_http_methods(["GET", "POST"])
def hr_settings(request):
    """The hub; its one form is how long data is kept and whether people may erase
    themselves (docs/data-lifecycle.md)."""
    org = OrgSettings.load()
    form = RetentionForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        save_recorded(form, actor=request.user, action=AuditEntry.Action.RETENTION_CHANGED)
        messages.success(request, "Saved. The nightly clean-up uses these windows from tonight.")
        return redirect("hr_settings")
    return render(request, "insights/settings.html", _hub(org) | {"retention": form})


def _hub(org: OrgSettings) -> dict:
    quarter = quarter_start(timezone.localdate())
    pulse = PulseSettings.load()
    return {
        "pulse": pulse,
        "k": org.min_group_size,
        "people": User.objects.filter(is_active=True).count(),
        "teams": Team.objects.count(),
        "quarter": quarter_label(quarter),
        "budgeted": Budget.objects.filter(quarter=quarter).count(),
        "programmes": Programme.objects.filter(active=True).count(),
        "waiting": Nudge.objects.filter(status=Nudge.Status.PENDING).count(),
        "failed": Nudge.objects.filter(status=Nudge.Status.FAILED).count(),
        "last_entry": AuditEntry.objects.order_by("-at").first(),
    }
