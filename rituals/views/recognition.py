"""Recognition: giving it, the feed, what a person received, HR hiding one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connection.audit import record
from connection.models import AuditEntry, User
from connection.responses import bad_request
from connection.roles import hr_admin_required
from rituals.forms import HideForm, RecognitionForm, RecognitionScopeForm
from rituals.models import Recognition
from rituals.services.errors import RitualError
from rituals.services.recognition import recognise


@login_required
@require_http_methods(["GET", "POST"])
def recognition(request: HttpRequest) -> HttpResponse:
    scope_form = RecognitionScopeForm(request.GET)
    if not scope_form.is_valid():
        return bad_request(request, scope_form, back=reverse("recognition"))
    to = scope_form.cleaned_data["to"]
    initial = {"receivers": [to]} if to and to != request.user else None
    form = RecognitionForm(request.POST or None, giver=request.user, initial=initial)
    if request.method == "POST" and _recognise(form, giver=request.user):
        messages.success(request, _("Sent. Small thanks add up."))
        return redirect("recognition")
    scope = scope_form.cleaned_data["scope"] or "team"
    return render(
        request,
        "rituals/recognition.html",
        {"form": form, "feed": _feed(request.user, scope=scope), "scope": scope},
    )


def _recognise(form: RecognitionForm, *, giver: User) -> bool:
    """Send the recognition the form holds; False leaves the reasons on the form."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        recognise(
            giver=giver,
            receivers=list(data["receivers"]),
            message=data["message"],
            values=list(data["values"]),
            visibility=data["visibility"],
            notify_manager=data["notify_manager"],
        )
    except RitualError as error:
        form.add_error(None, str(error))
        return False
    return True


def _feed(user: User, *, scope: str):
    """The latest recognition `user` may see: their team's ("team") or the public ("org")."""
    feed = Recognition.objects.visible_to(user).filter(hidden=False)
    if scope == "team" and user.team_id:
        feed = feed.filter(Q(team_id=user.team_id) | Q(receivers__team_id=user.team_id)).distinct()
    elif scope == "org":
        feed = feed.filter(visibility=Recognition.Visibility.PUBLIC)
    return feed.select_related("giver").prefetch_related("receivers", "values")[:30]


@login_required
@require_GET
def recognition_received(request: HttpRequest) -> HttpResponse:
    received = (
        Recognition.objects.filter(receivers=request.user, hidden=False)
        .select_related("giver")
        .prefetch_related("values")
    )
    return render(request, "rituals/recognition_received.html", {"received": received})


@hr_admin_required
@require_POST
@transaction.atomic
def recognition_hide(request: HttpRequest, pk: int) -> HttpResponse:
    form = HideForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("recognition"))
    hide = form.cleaned_data["action"] != "show"
    if Recognition.objects.filter(pk=pk).update(hidden=hide):
        hidden, shown = AuditEntry.Action.RECOGNITION_HIDDEN, AuditEntry.Action.RECOGNITION_SHOWN
        record(actor=request.user, action=hidden if hide else shown, detail={"recognition": pk})
    messages.success(request, _("Done."))
    return redirect("recognition")
