import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection as db_connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from connection.audit import save_recorded
from connection.celery import app as celery_app
from connection.forms import (
    AuditFilterForm,
    AwayPeriodForm,
    InboxForm,
    MomentsForm,
    NudgeCeilingForm,
    NudgePreferencesForm,
    OrgExportForm,
    OrgImportApplyForm,
    OrgImportUploadForm,
    OutboxActionForm,
    PageForm,
    PeopleFilterForm,
    ProfileForm,
    SnoozeActionForm,
    SnoozeForm,
    TokenForm,
    UnsubscribeForm,
    WebhookHostsForm,
)
from connection.models import (
    NUDGE_KINDS,
    AuditEntry,
    Heartbeat,
    Nudge,
    OrgImport,
    OrgSettings,
    Priority,
    Team,
    User,
)
from connection.nudges import (
    mark_read,
    mute_kinds,
    outbox_summary,
    read_unsubscribe_token,
    resend_nudges,
    unmute_kinds,
)
from connection.orgchart import chart_rows
from connection.pickers import (
    SHOWN,
    ChosenForm,
    ChosenTeamForm,
    PeoplePickForm,
    TeamsPickForm,
    picker_options,
)
from connection.redirects import safe_url
from connection.responses import bad_request
from connection.roles import hr_admin_required
from connection.services import (
    ImportRejected,
    apply_org_import,
    issue_api_token,
    preview_org_import,
    revoke_api_token,
)
from connection.spreadsheets import csv_writer
from connection.team_select import TEAMS_LISTED
from connection.webhooks import BUILT_IN_HOSTS


@login_required
@require_GET
def people_pick(request: HttpRequest) -> HttpResponse:
    """A people picker's search (htmx): its search box, or the people matching what
    was typed, the ones already chosen first and still chosen."""
    form = PeoplePickForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    name, many, text = (form.cleaned_data[key] for key in ("name", "many", "q"))
    url = f"{reverse('people_pick')}?name={name}&many={int(many)}&part=options"
    if form.cleaned_data["part"] == "box":
        return render(request, "_partials/picker_search.html", {"name": name, "url": url})
    people = User.objects.to_pick(besides=request.user)
    chosen_form = ChosenForm(request.GET, name=name, people=people)
    if not chosen_form.is_valid():
        return bad_request(request, chosen_form)
    chosen = chosen_form.chosen if many else chosen_form.chosen[:1]
    found = list(people.matching(text).exclude(pk__in=[c.pk for c in chosen])[: SHOWN + 1])
    options = picker_options(chosen + found[:SHOWN], {c.pk for c in chosen})
    context = {"options": options, "name": name, "many": many, "q": text, "more": found[SHOWN:]}
    return render(request, "_partials/picker_options.html", context)


@login_required
@require_GET
def teams_pick(request: HttpRequest) -> HttpResponse:
    """A team select's search (htmx): the options of the teams whose name holds what
    was typed, the one chosen so far first, the first TEAMS_LISTED in tree order."""
    form = TeamsPickForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    name, scope, many, text = (form.cleaned_data[k] for k in ("name", "scope", "many", "q"))
    teams = (Team.objects.led_by if scope == "led" else Team.objects.visible_to)(request.user)
    chosen_form = ChosenTeamForm(request.GET, name=name, teams=teams, many=many)
    if not chosen_form.is_valid():
        return bad_request(request, chosen_form)
    chosen = chosen_form.chosen
    found = teams.filter(name__icontains=text) if text else teams
    found = found.exclude(pk__in=[t.pk for t in chosen]).order_by("path")[:TEAMS_LISTED]
    context = {
        "empty": form.cleaned_data["empty"] if form.cleaned_data["blank"] else None,
        "options": [(t.pk, t.name, t in chosen) for t in [*chosen, *found]],
    }
    return render(request, "_partials/team_options.html", context)


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None, user=request.user)
    if form.is_bound and form.has_error("team", "invalid_choice"):
        raise PermissionDenied(_("That team isn’t one you can see."))
    if form.is_bound and not form.is_valid():
        return bad_request(request, form, back=reverse("people"))
    rows = (
        User.objects.visible_to(request.user)
        .active()
        .select_related("team")
        .order_by("display_name", "pk")
    )
    if form.is_valid():
        rows = rows.search(form.cleaned_data["q"])
        if form.cleaned_data["team"]:
            team = form.cleaned_data["team"]
            rows = rows.filter(team__path__startswith=team.path)
    page = Paginator(rows, 25).get_page(PageForm(request.GET).number)
    query = request.GET.copy()
    query.pop("page", None)
    template = "connection/people.html#results" if request.htmx else "connection/people.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved. Hearth will use these hours from now on."))
        return redirect("profile")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "connection/profile.html", {"form": form, "token": token})


@login_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    """Create a fresh API token (replacing any old one), or revoke it."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("profile"))
    if form.cleaned_data["action"] == "revoke":
        revoke_api_token(person=request.user)
        messages.success(request, _("Your API token is revoked."))
    else:
        issue_api_token(person=request.user)
        messages.success(request, _("A new API token is ready. The old one no longer works."))
    return redirect("profile")


@hr_admin_required
@require_GET
def org_export(request: HttpRequest) -> HttpResponse:
    """The current org chart as a CSV the importer reads back (?template=1: the
    columns and one example row, to start a chart from)."""
    form = OrgExportForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("org_import"))
    template = form.cleaned_data["template"]
    name = "org-chart-template.csv" if template else "org-chart.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    csv_writer(response).writerows(chart_rows(template=template))
    return response


@hr_admin_required
@require_http_methods(["GET", "POST"])
def org_import(request: HttpRequest) -> HttpResponse:
    form = OrgImportUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "recent": OrgImport.objects.select_related("uploaded_by")[:5]}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        org_import, plan = preview_org_import(
            data=upload.read(), filename=upload.name, uploaded_by=request.user
        )
        context |= {"plan": plan, "org_import": org_import, "apply_form": OrgImportApplyForm()}
    return render(request, "connection/org_import.html", context)


@hr_admin_required
@require_POST
def org_import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    org_import = get_object_or_404(OrgImport, pk=pk)
    form = OrgImportApplyForm(request.POST)
    form.is_valid()
    try:
        apply_org_import(
            org_import=org_import,
            applied_by=request.user,
            deactivate_missing=form.cleaned_data.get("deactivate_missing", False),
        )
    except ImportRejected as error:
        messages.error(request, _("Nothing was imported: %(error)s") % {"error": error})
        return redirect("org_import")
    org_import.refresh_from_db()
    summary = org_import.summary
    messages.success(
        request,
        _(
            "Imported %(people)s people: %(created)s new, %(updated)s updated, "
            "%(unchanged)s unchanged, %(deactivated)s deactivated."
        )
        % {
            "people": summary["people"],
            "created": summary["created"],
            "updated": summary["updated"],
            "unchanged": summary["unchanged"],
            "deactivated": summary.get("deactivated", 0),
        },
    )
    return redirect("org_import")


@hr_admin_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """The audit trail, newest first, filtered by kind through a GET form."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "connection/audit.html", {"form": form}, status=400)
    kind = form.cleaned_data["kind"]
    entries = AuditEntry.objects.select_related("actor")
    if kind:
        entries = entries.filter(kind=kind)
    page = Paginator(entries, 50).get_page(form.cleaned_data["page"])
    query = f"kind={kind}&" if kind else ""
    return render(request, "connection/audit.html", {"form": form, "page": page, "query": query})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers. No database, no broker: a load balancer or
    Kubernetes asks often, and a slow database must not get healthy web processes
    restarted. The deep check is /readyz."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and the broker answer, and when the beat last ran."""
    checks = {}
    try:
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["broker"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    if checks["database"] == "ok":
        beat = Heartbeat.objects.filter(name="beat").first()
        checks["last_beat"] = beat.beat_at.isoformat() if beat else None
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


# ---------------------------------------------------------------- notifications


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    inbox = Nudge.objects.inbox(request.user)
    choice = InboxForm(request.GET)
    if choice.is_valid() and choice.cleaned_data["menu"]:
        return render(
            request,
            "connection/notifications.html#menu",
            {"latest": inbox[:6], "unread": inbox.unread().count()},
        )
    page = Paginator(inbox, 20).get_page(PageForm(request.GET).number)
    return render(request, "connection/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    mark_read(person=request.user)
    if request.htmx:
        inbox = Nudge.objects.inbox(request.user)
        return render(
            request,
            "connection/notifications.html#menu",
            {"latest": inbox[:6], "unread": 0, "oob": True},
        )
    messages.success(request, _("All caught up."))
    return redirect("notifications")


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    nudge = get_object_or_404(Nudge.objects.inbox(request.user), pk=pk)
    mark_read(person=request.user, ids=[nudge.pk])
    return redirect(safe_url(request, nudge.url, "notifications"))


# ---------------------------------------------------------------- nudge preferences


def _preferences_page(request, *, form=None, snooze_form=None, away_form=None):
    user = request.user
    today = user.local_now().date()
    ceiling = OrgSettings.load().nudge_weekly_ceiling
    context = {
        "form": form or NudgePreferencesForm(instance=user, ceiling=ceiling),
        "snooze_form": snooze_form or SnoozeForm(today=today),
        "away_form": away_form or AwayPeriodForm(today=today),
        "away_periods": user.away_periods.filter(ends_on__gte=today),
        "kinds": NUDGE_KINDS,
        "snoozed": user.snoozed_until and user.snoozed_until > timezone.now(),
        "snooze_last_day": user.snoozed_until
        and (user.snoozed_until.astimezone(user.zone) - dt.timedelta(minutes=1)).date(),
    }
    return render(request, "connection/nudge_preferences.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def nudge_preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _preferences_page(request)
    ceiling = OrgSettings.load().nudge_weekly_ceiling
    form = NudgePreferencesForm(request.POST, instance=request.user, ceiling=ceiling)
    if not form.is_valid():
        return _preferences_page(request, form=form)
    form.save()
    messages.success(request, _("Saved. Hearth will follow these from the next message on."))
    return redirect("nudge_preferences")


@login_required
@require_POST
def nudge_snooze(request: HttpRequest) -> HttpResponse:
    user = request.user
    action = SnoozeActionForm(request.POST)
    if not action.is_valid():
        return bad_request(request, action, back=reverse("nudge_preferences"))
    if action.cleaned_data["action"] == "resume":
        user.snoozed_until = None
        user.save(update_fields=["snoozed_until"])
        messages.success(request, _("Nudges are back on."))
        return redirect("nudge_preferences")
    form = SnoozeForm(request.POST, today=user.local_now().date())
    if not form.is_valid():
        return _preferences_page(request, snooze_form=form)
    until = form.cleaned_data["until"]
    day_after = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=user.zone)
    user.snoozed_until = day_after
    user.save(update_fields=["snoozed_until"])
    messages.success(
        request,
        _("Paused until the end of %(day)s. Nothing will pile up meanwhile.")
        % {"day": date_format(until, "l j F")},
    )
    return redirect("nudge_preferences")


@login_required
@require_POST
def away_add(request: HttpRequest) -> HttpResponse:
    form = AwayPeriodForm(request.POST, today=request.user.local_now().date())
    if not form.is_valid():
        return _preferences_page(request, away_form=form)
    period = form.save(commit=False)
    period.person = request.user
    period.save()
    messages.success(request, _("Noted. Nothing will reach you on those days."))
    return redirect("nudge_preferences")


@login_required
@require_POST
def away_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(request.user.away_periods, pk=pk).delete()
    messages.success(request, _("Removed."))
    return redirect("nudge_preferences")


@csrf_exempt  # the signed token is the credential; mail clients POST one-click unsubscribes
@require_http_methods(["GET", "POST"])
def nudge_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person, kind = read_unsubscribe_token(token)
    except (signing.BadSignature, User.DoesNotExist):
        return render(request, "connection/unsubscribe.html", {"invalid": True}, status=400)
    kinds = (
        [k for k, v in NUDGE_KINDS.items() if v.priority == Priority.LOW]
        if kind == "all"
        else [kind]
    )
    labels = [NUDGE_KINDS[k].label for k in kinds]
    context = {"person": person, "labels": labels, "token": token, "all": kind == "all"}
    if request.method == "GET":
        # Mail scanners open links: a GET only asks, the button's POST does it.
        return render(request, "connection/unsubscribe.html", context | {"confirm": True})
    # A bare POST is RFC 8058's one-click unsubscribe (List-Unsubscribe=One-Click).
    form = UnsubscribeForm(request.POST)
    undo = form.is_valid() and form.cleaned_data["action"] == "undo"
    if undo:
        unmute_kinds(person=person, kinds=kinds)
    else:
        mute_kinds(person=person, kinds=kinds)
    return render(request, "connection/unsubscribe.html", context | {"undone": undo})


# ---------------------------------------------------------------- HR: the outbox


# HR's organisation-wide settings on the outbox page: (form, audit action, message).
OUTBOX_SETTINGS = {
    "ceiling": (
        NudgeCeilingForm,
        AuditEntry.Action.NUDGE_CEILING,
        gettext_lazy("the weekly limit"),
    ),
    "webhook_hosts": (
        WebhookHostsForm,
        AuditEntry.Action.WEBHOOK_HOSTS,
        gettext_lazy("the webhook hosts"),
    ),
    "moments": (MomentsForm, AuditEntry.Action.MOMENTS, gettext_lazy("the micro-moments")),
}


@hr_admin_required
@require_http_methods(["GET", "POST"])
def nudge_outbox(request: HttpRequest) -> HttpResponse:
    org = OrgSettings.load()
    settings_forms = {
        action: form(instance=org) for action, (form, _action, _what) in OUTBOX_SETTINGS.items()
    }
    if request.method == "POST":
        sent = OutboxActionForm(request.POST)
        if not sent.is_valid():
            return bad_request(request, sent)
        action = sent.cleaned_data["action"]
        if action in OUTBOX_SETTINGS:
            form_class, audit_action, what = OUTBOX_SETTINGS[action]
            settings_forms[action] = form_class(request.POST, instance=org)
            if settings_forms[action].is_valid():
                save_recorded(settings_forms[action], actor=request.user, action=audit_action)
                messages.success(
                    request, _("Saved %(what)s for the organisation.") % {"what": what}
                )
                return redirect("nudge_outbox")
        else:
            ids = [nudge.pk for nudge in sent.cleaned_data["nudge"]]
            if sent.cleaned_data["action"] == "resend_all":
                ids = list(
                    Nudge.objects.filter(status=Nudge.Status.FAILED).values_list("pk", flat=True)
                )
            count = resend_nudges(ids=ids, by=request.user)
            messages.success(
                request,
                ngettext("%(count)s nudge queued again.", "%(count)s nudges queued again.", count)
                % {"count": count},
            )
            return redirect("nudge_outbox")
    since = timezone.now() - dt.timedelta(days=7)
    totals = outbox_summary(since=since)
    failed = Nudge.objects.filter(status=Nudge.Status.FAILED).select_related("recipient")
    page = Paginator(failed.order_by("-claimed_at", "-pk"), 50).get_page(
        PageForm(request.GET).number
    )
    return render(
        request,
        "connection/nudge_outbox.html",
        {
            "totals": totals,
            "page": page,
            "ceiling_form": settings_forms["ceiling"],
            "hosts_form": settings_forms["webhook_hosts"],
            "moments_form": settings_forms["moments"],
            "built_in_hosts": BUILT_IN_HOSTS,
        },
    )
