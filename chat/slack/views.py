"""Slack's doors into Hearth: the Events API, interactivity, the /hearth command, the
OAuth redirect, and the page where a person links their Slack account.

The three endpoints Slack calls take no cookies (csrf_exempt): each request must carry
Slack's signature, be fresh, be new, and come from a workspace Hearth is installed in
(chat.slack.verify); anything else is refused before its body is read as a request.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat.forms import OAuthCallbackForm, SlackCommandForm, SlackInteractionForm, slack_event
from chat.slack import handlers
from chat.slack.install import InstallError, authorize_url, complete, configured
from chat.slack.payload import obj
from chat.slack.people import LinkError, link, read_link
from chat.slack.verify import Refused, check_signature, first_time, workspace_for
from connection.nudge_channels import PermanentFailure, TransientFailure
from connection.roles import hr_admin_required

log = logging.getLogger(__name__)


def _verify(request: HttpRequest) -> None:
    check_signature(
        request.body,
        request.headers.get("X-Slack-Request-Timestamp", ""),
        request.headers.get("X-Slack-Signature", ""),
    )


# A signed payload of a shape Slack doesn't send: chat.slack.payload reads defensively,
# so this is the last net, logged with its traceback, answered 400 rather than 500.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


def _malformed(what: str) -> JsonResponse:
    log.exception("A Slack %s Hearth could not read", what)
    return JsonResponse({"ok": False, "error": f"A {what} Hearth could not read."}, status=400)


def _refused(refusal: Refused) -> JsonResponse:
    return JsonResponse({"ok": False, "error": str(refusal)}, status=refusal.status)


@csrf_exempt
@require_POST
def events(request: HttpRequest) -> HttpResponse:
    try:
        _verify(request)
        body = slack_event(request.body)
        if body is None:
            return JsonResponse({"ok": False, "error": "The body isn't JSON."}, status=400)
        if body.get("type") == "url_verification":
            return JsonResponse({"challenge": str(body.get("challenge", ""))})
        workspace = workspace_for(str(body.get("team_id", "")))
    except Refused as refusal:
        return _refused(refusal)
    # Slack retries an event it thinks we missed (X-Slack-Retry-Num), same event id.
    event_id = str(body.get("event_id", ""))
    if event_id and not first_time(f"event:{event_id}"):
        return JsonResponse({"ok": True, "duplicate": True})
    try:
        handlers.on_event(workspace, obj(body, "event"))
    except (PermanentFailure, TransientFailure) as error:
        log.log(logging.WARNING, "Slack event %s not fully handled: %s", event_id, error)
    except MALFORMED:
        return _malformed("event")
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def interactions(request: HttpRequest) -> HttpResponse:
    try:
        _verify(request)
        form = SlackInteractionForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"ok": False, "error": "Not an interaction."}, status=400)
        payload = form.cleaned_data["payload"]
        workspace = workspace_for(str(payload["team"].get("id", "")))
    except Refused as refusal:
        return _refused(refusal)
    try:
        answer = handlers.on_interaction(workspace, payload)
    except (PermanentFailure, TransientFailure) as error:
        log.log(logging.WARNING, "Slack interaction not fully handled: %s", error)
        answer = None
    except MALFORMED:
        return _malformed("interaction")
    return JsonResponse(answer) if answer else HttpResponse(status=200)


@csrf_exempt
@require_POST
def commands(request: HttpRequest) -> HttpResponse:
    try:
        _verify(request)
        form = SlackCommandForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"ok": False, "error": "Not a slash command."}, status=400)
        workspace = workspace_for(form.cleaned_data["team_id"])
    except Refused as refusal:
        return _refused(refusal)
    try:
        answer = handlers.on_command(
            workspace, form.cleaned_data["user_id"], form.cleaned_data["text"]
        )
    except (PermanentFailure, TransientFailure):
        answer = {
            "response_type": "ephemeral",
            "text": _("Hearth couldn't reach Slack; try again."),
        }
    except MALFORMED:
        return _malformed("command")
    return JsonResponse(answer)


@hr_admin_required
@require_POST
def install(request: HttpRequest) -> HttpResponse:
    if not configured():
        messages.error(
            request, _("Set the Slack app's client id, secret and signing secret first.")
        )
        return redirect("chat_settings")
    return redirect(authorize_url(request.user, request.session))


@hr_admin_required
@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    form = OAuthCallbackForm(request.GET)
    if not form.is_valid() or form.cleaned_data["error"] or not form.cleaned_data["code"]:
        messages.error(request, _("Slack didn't install the app (cancelled, or a broken link)."))
        return redirect("chat_settings")
    try:
        workspace = complete(
            request.user, request.session, form.cleaned_data["code"], form.cleaned_data["state"]
        )
    except InstallError as error:
        messages.error(request, str(error))
        return redirect("chat_settings")
    messages.success(
        request,
        _("Hearth is installed in the Slack workspace %(name)s.") % {"name": workspace.name},
    )
    return redirect("chat_settings")


@login_required
@require_http_methods(["GET", "POST"])
def link_account(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm, signed in, that this Slack account is yours; only the POST links it."""
    try:
        identity = read_link(token)
    except LinkError as error:
        return render(request, "chat/slack_link.html", {"error": str(error)}, status=400)
    context = {"identity": identity, "token": token}
    if request.method == "GET":
        return render(request, "chat/slack_link.html", context)
    try:
        link(request.user, identity)
    except LinkError as error:
        return render(request, "chat/slack_link.html", context | {"error": str(error)}, status=400)
    return render(request, "chat/slack_link.html", context | {"linked": True})
