"""HR's settings: one page that leads to everything an HR admin configures.

The header keeps one "Settings" link for HR instead of a link per tool; each
card says what is set now, so HR sees the state before opening the tool.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from connection.calendar import quarter_label, quarter_start
from connection.models import AuditEntry, Nudge, OrgSettings, Team, User
from connection.roles import hr_admin_required
from mentorship.models import Programme
from pulse.models import PulseSettings
from rituals.models import Budget


@hr_admin_required
@require_GET
def hr_settings(request):
    quarter = quarter_start(timezone.localdate())
    pulse = PulseSettings.load()
    org = OrgSettings.load()
    context = {
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
    return render(request, "insights/settings.html", context)
