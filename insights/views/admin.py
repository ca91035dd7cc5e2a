"""HR's settings: one page that leads to everything an HR admin configures.

The header keeps one "Settings" link for HR instead of a link per tool; each
card says what is set now, so HR sees the state before opening the tool.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db.models import Count, Max, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from connection.audit import save_recorded
from connection.calendar import quarter_label, quarter_start
from connection.forms import OrgLanguageForm
from connection.lifecycle.forms import RetentionForm
from connection.models import AuditEntry, Nudge, NudgeChannel, OrgSettings, Team, User
from connection.roles import hr_admin_required
from identity.forms import SignInSettingsForm
from identity.models import ScimToken, SyncRun, SyncSource
from identity.sso.client import sso_enabled
from insights.forms import SettingsHubForm
from mentorship.models import Programme
from pulse.models import PulseSettings

# Each form of the hub: its class, what saving it records, and what the page then says.
HUB_FORMS = {
    "retention": (
        RetentionForm,
        AuditEntry.Action.RETENTION_CHANGED,
        gettext_lazy("Saved. The nightly clean-up uses these windows from tonight."),
    ),
    "sign_in": (SignInSettingsForm, AuditEntry.Action.SSO_SETTINGS, gettext_lazy("Saved.")),
    "language": (
        OrgLanguageForm,
        AuditEntry.Action.LANGUAGE_CHANGED,
        gettext_lazy("Saved. Everyone who has not chosen a language reads Hearth in it."),
    ),
}


@hr_admin_required
@require_http_methods(["GET", "POST"])
def hr_settings(request):
    """The hub; its forms are how long data is kept and whether people may erase
    themselves (docs/data-lifecycle.md), and whether single sign-on creates accounts
    (docs/identity.md)."""
    org = OrgSettings.load()
    forms = {name: entry[0](instance=org) for name, entry in HUB_FORMS.items()}
    if request.method == "POST":
        which = SettingsHubForm(request.POST)
        if not which.is_valid():
            raise SuspiciousOperation(_("Unknown settings form."))
        name = which.cleaned_data["form"]
        form_class, action, saved = HUB_FORMS[name]
        forms[name] = form = form_class(request.POST, instance=org)
        if form.is_valid():
            save_recorded(form, actor=request.user, action=action)
            messages.success(request, str(saved))
            return redirect("hr_settings")
    context = (
        _hub(org)
        | _identity()
        | {name: forms[name] for name in ("retention", "sign_in", "language")}
    )
    return render(request, "insights/settings.html", context)


def _hub(org: OrgSettings) -> dict:
    """What each card says is set now: a handful of counts, whatever the org's size."""
    quarter = quarter_start(timezone.localdate())
    pulse = PulseSettings.load()
    active = Q(is_active=True)
    people = User.objects.aggregate(
        people=Count("pk", filter=active),
        chat_people=Count(
            "pk", filter=active & Q(nudge_channel__in=[NudgeChannel.SLACK, NudgeChannel.TEAMS])
        ),
    )
    teams = Team.objects.order_by().aggregate(
        teams=Count("pk", distinct=True),
        budgeted=Count("budgets", filter=Q(budgets__quarter=quarter)),
    )
    nudges = Nudge.objects.aggregate(
        waiting=Count("pk", filter=Q(status=Nudge.Status.PENDING)),
        failed=Count("pk", filter=Q(status=Nudge.Status.FAILED)),
    )
    return {
        "pulse": pulse,
        "k": org.min_group_size,
        **people,
        **teams,
        **nudges,
        "quarter": quarter_label(quarter),
        "programmes": Programme.objects.filter(active=True).count(),
        "last_entry": AuditEntry.objects.select_related("actor").order_by("-at").first(),
    }


def _identity() -> dict:
    """Sign-in, SCIM and the org sync as they stand."""
    tokens = ScimToken.objects.live().aggregate(n=Count("pk"), last_used=Max("last_used_at"))
    return {
        "sso": sso_enabled(),
        "sso_name": settings.HEARTH_OIDC_NAME,
        "sso_host": urlsplit(settings.HEARTH_OIDC_ISSUER).hostname,
        "break_glass": settings.HEARTH_PASSWORD_LOGIN == "break-glass",
        "scim_tokens": tokens["n"],
        "scim_last_used": tokens["last_used"],
        "sync": SyncSource.objects.filter(pk=1).first(),
        "sync_last": SyncRun.objects.first(),
        "sync_paused": SyncRun.objects.filter(status=SyncRun.Status.PAUSED).first(),
    }
