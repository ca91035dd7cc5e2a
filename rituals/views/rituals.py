"""A team's rituals: the list, the catalogue, adopting, a ritual's page, joining."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connection.forms import PageForm
from connection.models import Team, User, listed_time_zones
from connection.responses import bad_request
from connection.roles import leads_or_hr
from rituals.forms import (
    CADENCES,
    AdoptForm,
    AdoptQuery,
    JoinForm,
    RitualActionForm,
    RuleForm,
    ScheduleForm,
)
from rituals.models import Attendance, CalendarFeed, Occurrence, RitualTemplate, TeamRitual
from rituals.recurrence import Recurrence
from rituals.services.errors import RitualError
from rituals.services.occurrences import materialise, ritual_health
from rituals.services.rituals import (
    adopt_ritual,
    adopting_teams,
    adoption_counts,
    change_schedule,
    retire_ritual,
    suggest_slots,
)

PAST_SHOWN = 12  # the most recent sessions a ritual's page lists
MANAGED_PAGE = 50  # rituals of the teams one looks after, a page


def _adoptable_teams(user: User):
    """Teams a person may adopt rituals for: those they manage, and their own team
    when it lets members adopt."""
    own = Team.objects.filter(pk=user.team_id, members_adopt_rituals=True)
    return (Team.objects.led_by(user) | own).distinct()


def _can_manage(user: User, ritual: TeamRitual) -> bool:
    return (
        ritual.created_by_id == user.pk
        or Team.objects.led_by(user).filter(pk=ritual.team_id).exists()
    )


@login_required
@require_GET
def ritual_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = TeamRitual.objects.active().for_person(user).select_related("team")
    managed = (
        TeamRitual.objects.visible_to(user)
        .filter(team__in=Team.objects.led_by(user))
        .select_related("team")
        .order_by("team__path", "name")
    )
    # A page of them at a time: an HR admin looks after every team's.
    page = Paginator(managed, MANAGED_PAGE).get_page(PageForm(request.GET).number)
    context = {"mine": mine, "managed": page, "page": page, **_sessions(mine, user)}
    context["feed"] = CalendarFeed.objects.filter(person=user).first()
    return render(request, "rituals/list.html", context)


def _sessions(mine, user: User) -> dict:
    """The last week's sessions of `mine` the person has not answered yet, and the next ones."""
    now = timezone.now()
    answered = Attendance.objects.filter(person=user).values("occurrence_id")
    since = now - dt.timedelta(days=7)
    if user.start_date:  # a newcomer is never asked about sessions from before they came
        since = max(since, dt.datetime.combine(user.start_date, dt.time(0), tzinfo=user.zone))
    recent = (
        Occurrence.objects.filter(
            ritual__in=mine,
            starts_at__lt=now,
            starts_at__gte=since,
            cancelled=False,
        )
        .exclude(pk__in=answered)
        .select_related("ritual")
        .order_by("-starts_at")[:5]
    )
    upcoming = (
        Occurrence.objects.filter(ritual__in=mine, starts_at__gte=now, cancelled=False)
        .select_related("ritual")
        .order_by("starts_at")[:6]
    )
    return {"recent": recent, "upcoming": upcoming}


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    templates = list(RitualTemplate.objects.filter(active=True))
    adopted = adoption_counts()
    for template in templates:
        template.adopted_by = adopted.get(template.pk, 0)
    can_adopt = _adoptable_teams(request.user).exists()
    context = {
        "templates": templates,
        "can_adopt": can_adopt,
        "sees_evidence": leads_or_hr(request.user),
    }
    return render(request, "rituals/catalogue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def adopt(request: HttpRequest, slug: str) -> HttpResponse:
    template = get_object_or_404(RitualTemplate, slug=slug, active=True)
    teams = _adoptable_teams(request.user).order_by("path")
    if not teams.exists():
        raise PermissionDenied(_("Managers adopt rituals for their teams."))
    if request.htmx and request.htmx.target == "rule-summary":
        return _rule_summary(request)
    query = AdoptQuery(request.GET, teams=teams)
    status = 200 if query.is_valid() else 400
    team = query.cleaned_data.get("team") or teams.first()
    initial = _adopt_initial(template, team=team, user=request.user)
    panel = _shared_hours(None, template=template, team=team, user=request.user)
    if panel["slots"]:  # the best shared slot, in the person's own zone
        initial["start_time"] = panel["slots"][0].starts_at.astimezone(request.user.zone).time()
    form = AdoptForm(request.POST or None, initial=initial, teams=teams, format=template.format)
    form.fields["team"].widget.attrs["hx-get"] = request.path
    if request.method == "POST":
        ritual = _adopt(form, template=template, user=request.user)
        if ritual is not None:
            messages.success(
                request,
                _("%(ritual)s is on %(team)s’s calendar.")
                % {"ritual": ritual.name, "team": ritual.team.name},
            )
            return redirect("ritual_detail", pk=ritual.pk)
    context = {"form": form, "query": query, "template": template, "cadences": CADENCES}
    context.update(_shared_hours(form, template=template, team=team, user=request.user))
    context["zone_list"] = _zones_for(context["team"])
    return render(request, "rituals/adopt.html", context, status=status)


def _adopt_initial(template: RitualTemplate, *, team: Team, user: User) -> dict:
    """The adopt form before any change: the template's defaults, in the person's zone."""
    return {
        "team": team,
        "name": template.name,
        **RuleForm.initial_for(template.default_rule),
        "start_time": dt.time(15, 0),
        "time_zone": user.time_zone,
        "duration": template.default_duration,
        "participation": TeamRitual.Participation.WHOLE_TEAM,
        "hypothesis": template.hypothesis,
        "review_on": timezone.now().date() + dt.timedelta(weeks=4),
    }


def _adopt(form: AdoptForm, *, template: RitualTemplate, user: User) -> TeamRitual | None:
    """The ritual adopted from the posted form, or None with the reason on the form."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        ritual = adopt_ritual(
            team=data["team"],
            created_by=user,
            template=template,
            name=data["name"],
            format=template.format,
            rule=data["rule"],
            start_time=data["start_time"],
            time_zone=data["time_zone"],
            duration=data["duration"],
            host=data["host"],
            video_link=data["video_link"],
            participation=data["participation"],
            hypothesis=data["hypothesis"],
            review_on=data["review_on"],
            confirm_outside_hours=data["confirm_outside_hours"],
        )
    except RitualError as error:
        form.add_error(None, str(error))
        return None
    return ritual


def _zones_for(team: Team) -> list[str]:
    """The zones offered while typing: the team's own first, then every place's."""
    own = sorted(set(User.objects.active().filter(team=team).values_list("time_zone", flat=True)))
    return own + [zone for zone in listed_time_zones() if zone not in own]


def _shared_hours(
    form: AdoptForm | None, *, template: RitualTemplate, team: Team, user: User
) -> dict:
    """The shared-hours panel, driven by what the form got right so far."""
    chosen = form.cleaned_data if form is not None and form.is_bound else {}
    team = chosen.get("team") or team
    duration = chosen.get("duration") or template.default_duration
    day = _first_day_of(chosen.get("rule") or template.default_rule, user.local_now().date())
    slots = suggest_slots(team=team, duration=max(1, min(duration, 480)), on=day)
    return {"slots": slots, "team": team, "slot_day": day}


def _first_day_of(rule: str, today: dt.date) -> dt.date:
    """The first day the rule meets from today (a working day if the rule is not accepted)."""
    start = dt.datetime.combine(today, dt.time(12))
    try:
        # Bounded: an accepted rule meets within a year.
        first = Recurrence.parse(rule).expand(start).after(start, inc=True)
    except ValidationError:
        first = None
    day = first.date() if first else today
    while first is None and day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return day


def _rule_summary(request: HttpRequest) -> HttpResponse:
    """The rule builder's summary as the person changes it (htmx; the page works without)."""
    form = RuleForm(request.GET)
    return render(
        request,
        "_partials/rule_builder.html#summary",
        {"form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def ritual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ritual = get_object_or_404(
        TeamRitual.objects.visible_to(request.user).select_related("team", "host", "template"),
        pk=pk,
    )
    can_manage = _can_manage(request.user, ritual)
    if request.htmx and request.htmx.target == "rule-summary":
        return _rule_summary(request)
    initial = {
        **RuleForm.initial_for(ritual.rule),
        "start_time": ritual.start_time,
        "review_on": ritual.review_on,
    }
    schedule_form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the team's managers change its rituals."))
        changed = _change(request, ritual, schedule_form)
        if changed is not None:
            return changed
    context = {"can_manage": can_manage, "schedule_form": schedule_form, "cadences": CADENCES}
    context.update(_ritual_page(ritual, user=request.user))
    return render(request, "rituals/detail.html", context)


def _change(
    request: HttpRequest, ritual: TeamRitual, schedule_form: ScheduleForm
) -> HttpResponse | None:
    """Retire the ritual or save its new schedule, as the button pressed says; None
    leaves the schedule form's errors for the page."""
    action = RitualActionForm(request.POST)
    if not action.is_valid():
        return bad_request(request, action)
    if action.cleaned_data["action"] == "retire":
        if not action.cleaned_data["confirm"]:
            messages.error(request, _("Tick “Yes, retire it” to retire the ritual."))
            return redirect("ritual_detail", pk=ritual.pk)
        retire_ritual(ritual=ritual)
        messages.success(request, _("Retired. Its history stays here."))
        return redirect("ritual_detail", pk=ritual.pk)
    if not schedule_form.is_valid():
        return None
    data = schedule_form.cleaned_data
    change_schedule(
        ritual=ritual,
        rule=data["rule"],
        start_time=data["start_time"],
        review_on=data["review_on"],
    )
    messages.success(request, _("New schedule saved; upcoming sessions moved."))
    return redirect("ritual_detail", pk=ritual.pk)


def _ritual_page(ritual: TeamRitual, *, user: User) -> dict:
    """The ritual's health, its sessions ahead and behind, and whether `user` joined."""
    now = timezone.now()
    past = (
        ritual.occurrences.filter(starts_at__lt=now, cancelled=False)
        .annotate(
            came=Count("attendance", filter=Q(attendance__attended=True)),
            worth=Count("attendance", filter=Q(attendance__worth_it=True)),
            rated=Count("attendance", filter=Q(attendance__worth_it__isnull=False)),
        )
        .order_by("-starts_at")
    )
    return {
        "ritual": ritual,
        "health": ritual_health(ritual, now=now),
        "upcoming": ritual.occurrences.filter(starts_at__gte=now, cancelled=False)[:5],
        "past": past[:PAST_SHOWN],
        "adopted_by": adopting_teams(ritual.template_id) if ritual.template_id else 0,
        "sees_evidence": leads_or_hr(user),
        "rule_problem": ritual.rule_problem,
        "joined": ritual.participants.filter(pk=user.pk).exists(),
    }


@login_required
@require_POST
def ritual_join(request: HttpRequest, pk: int) -> HttpResponse:
    ritual = get_object_or_404(TeamRitual.objects.visible_to(request.user).active(), pk=pk)
    form = JoinForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("ritual_detail", args=[pk]))
    if form.cleaned_data["action"] == "leave":
        ritual.participants.remove(request.user)
        messages.success(request, _("You’ve left this ritual."))
    else:
        ritual.participants.add(request.user)
        materialise(ritual=ritual, replan=True)  # reminders for the sessions ahead
        messages.success(request, _("You’ve joined. It’s in your calendar feed."))
    return redirect("ritual_detail", pk=pk)
