"""HR's page for the chat apps: the Slack workspaces Hearth is installed in, how many
people linked their accounts, the channels teams' highlights go to, and Teams."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chat.forms import TeamChannelForm
from chat.models import SlackWorkspace, TeamSlackChannel
from chat.slack.install import configured, redirect_uri
from connection.audit import record
from connection.forms import PageForm
from connection.models import AuditEntry, User
from connection.models.nudges import NudgeChannel
from connection.roles import hr_admin_required

CHANNELS_PAGE = 50  # teams' highlight channels a page


@hr_admin_required
@require_http_methods(["GET", "POST"])
def chat_settings(request: HttpRequest) -> HttpResponse:
    form = TeamChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = form.cleaned_data["team"]
        with transaction.atomic():
            TeamSlackChannel.objects.update_or_create(
                team=team,
                defaults={
                    "channel_id": form.cleaned_data["channel_id"],
                    "share_highlights": form.cleaned_data["share_highlights"],
                },
            )
            record(
                actor=request.user,
                action=AuditEntry.Action.CHAT_CHANNEL,
                target=team,
                detail={
                    "channel": form.cleaned_data["channel_id"],
                    "highlights": form.cleaned_data["share_highlights"],
                },
            )
        messages.success(request, _("%(team)s's Slack channel is saved.") % {"team": team.name})
        return redirect("chat_settings")
    on = User.objects.filter(is_active=True).aggregate(  # both counts in one pass
        slack=Count("pk", filter=Q(nudge_channel=NudgeChannel.SLACK)),
        teams=Count("pk", filter=Q(nudge_channel=NudgeChannel.TEAMS)),
    )
    channels = TeamSlackChannel.objects.select_related("team").order_by("team__name", "pk")
    page = Paginator(channels, CHANNELS_PAGE).get_page(PageForm(request.GET).number)
    context = {
        "configured": configured(),
        "redirect_uri": redirect_uri(),
        "workspaces": SlackWorkspace.objects.annotate(linked=Count("accounts")).select_related(
            "installed_by"
        ),
        "channels": page,
        "form": form,
        "slack_people": on["slack"],
        "teams_people": on["teams"],
    }
    return render(request, "chat/settings.html", context)
