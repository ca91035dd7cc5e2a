"""Conversation guides: team leads read them, HR edits them on the same page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from connection.audit import save_recorded
from connection.models import AuditEntry
from connection.roles import lead_or_hr_required
from insights.forms import ConversationGuideForm
from insights.models import ConversationGuide


@lead_or_hr_required(gettext_lazy("Conversation guides are for team leads."))
@require_http_methods(["GET", "POST"])
def guide(request, situation: str):
    """Read a guide (team leads and HR); HR edits it on the same page."""
    if situation not in ConversationGuide.Situation.values:
        raise Http404(_("No such guide."))
    item = get_object_or_404(ConversationGuide, situation=situation)
    form = None
    if request.user.is_hr_admin:
        form = ConversationGuideForm(request.POST or None, instance=item)
        if request.method == "POST" and form.is_valid():
            save_recorded(form, actor=request.user, action=AuditEntry.Action.GUIDE_EDITED)
            messages.success(request, _("Guide saved. Managers see it with their next alert."))
            return redirect("insights_guide", situation=situation)
    elif request.method == "POST":
        raise PermissionDenied(_("Only HR admins edit conversation guides."))
    return render(request, "insights/guide.html", _guide_context(item, form))


def _guide_context(item, form) -> dict:
    return {
        "guide": item,
        "form": form,
        "questions": item.lines(item.questions),
        "avoid": item.lines(item.avoid),
        "follow_up": item.lines(item.follow_up),
    }
