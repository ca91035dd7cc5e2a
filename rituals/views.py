import datetime as dt
from decimal import Decimal

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connection.audit import record
from connection.calendar import next_quarter, previous_quarter, quarter_label, quarter_start
from connection.forms import PageForm
from connection.models import AuditEntry, OrgSettings, Team, User
from connection.redirects import safe_next
from connection.roles import hr_admin_required
from connection.views import bad_request
from rituals.forms import (
    CADENCES,
    AdoptForm,
    AdoptQuery,
    BudgetForm,
    BudgetQuarterForm,
    HideForm,
    JoinForm,
    PostForm,
    ReactionForm,
    RecognitionForm,
    RecognitionScopeForm,
    ReplyForm,
    RitualActionForm,
    RuleForm,
    SayForm,
    ScheduleForm,
    SpendForm,
    ThreadPickForm,
)
from rituals.models import (
    Attendance,
    Budget,
    CalendarFeed,
    Occurrence,
    Reaction,
    Recognition,
    RitualTemplate,
    TeamRitual,
    ThreadPost,
)
from rituals.recurrence import Recurrence
from rituals.services.budgets import budget_status, log_spend, set_budget
from rituals.services.errors import RitualError
from rituals.services.occurrences import (
    calendar_token,
    materialise,
    record_attendance,
    ritual_health,
)
from rituals.services.recognition import recognise
from rituals.services.rituals import (
    NeedsConfirmation,
    adopt_ritual,
    change_schedule,
    retire_ritual,
    suggest_slots,
)
from rituals.services.thread import can_post, post_to_thread, toggle_reaction


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
    now = timezone.now()
    mine = TeamRitual.objects.active().for_person(user).select_related("team")
    managed = (
        TeamRitual.objects.visible_to(user)
        .filter(team__in=Team.objects.led_by(user))
        .select_related("team")
        .order_by("team__path", "name")
    )
    answered = Attendance.objects.filter(person=user).values("occurrence_id")
    recent = (
        Occurrence.objects.filter(
            ritual__in=mine,
            starts_at__lt=now,
            starts_at__gte=now - dt.timedelta(days=7),
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
    feed = CalendarFeed.objects.filter(person=user).first()
    return render(
        request,
        "rituals/list.html",
        {"mine": mine, "managed": managed, "recent": recent, "upcoming": upcoming, "feed": feed},
    )


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    templates = RitualTemplate.objects.filter(active=True)
    can_adopt = _adoptable_teams(request.user).exists()
    return render(
        request, "rituals/catalogue.html", {"templates": templates, "can_adopt": can_adopt}
    )


@login_required
@require_http_methods(["GET", "POST"])
def adopt(request: HttpRequest, slug: str) -> HttpResponse:
    template = get_object_or_404(RitualTemplate, slug=slug, active=True)
    teams = _adoptable_teams(request.user).order_by("path")
    if not teams.exists():
        raise PermissionDenied("Managers adopt rituals for their teams.")
    if request.htmx and request.htmx.target == "rule-summary":
        return _rule_summary(request)
    query = AdoptQuery(request.GET, teams=teams)
    status = 200 if query.is_valid() else 400
    initial = {
        "team": query.cleaned_data.get("team") or teams.first(),
        "name": template.name,
        **RuleForm.initial_for(template.default_rule),
        "start_time": dt.time(15, 0),
        "time_zone": request.user.time_zone,
        "duration": template.default_duration,
        "participation": TeamRitual.Participation.WHOLE_TEAM,
        "hypothesis": template.hypothesis,
        "review_on": timezone.now().date() + dt.timedelta(weeks=4),
    }
    form = AdoptForm(request.POST or None, initial=initial, teams=teams, format=template.format)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ritual = adopt_ritual(
                team=data["team"],
                created_by=request.user,
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
            status = 409 if isinstance(error, NeedsConfirmation) else 400
        else:
            messages.success(request, f"{ritual.name} is on {ritual.team.name}’s calendar.")
            return redirect("ritual_detail", pk=ritual.pk)
    elif request.method == "POST":
        status = 400
    # What the form got right so far drives the shared-hours panel.
    chosen = form.cleaned_data if form.is_bound else {}
    team = chosen.get("team") or initial["team"]
    duration = chosen.get("duration") or template.default_duration
    day = _first_day_of(
        chosen.get("rule") or template.default_rule, request.user.local_now().date()
    )
    slots = suggest_slots(team=team, duration=max(1, min(duration, 480)), on=day)
    return render(
        request,
        "rituals/adopt.html",
        {
            "form": form,
            "query": query,
            "template": template,
            "slots": slots,
            "team": team,
            "cadences": CADENCES,
            "slot_day": day,
        },
        status=status,
    )


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
        status=200 if form.is_valid() else 400,
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
    schedule_form = ScheduleForm(
        request.POST or None,
        initial={
            **RuleForm.initial_for(ritual.rule),
            "start_time": ritual.start_time,
            "review_on": ritual.review_on,
        },
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only the team's managers change its rituals.")
        action = RitualActionForm(request.POST)
        if not action.is_valid():
            return bad_request(request, action)
        if action.cleaned_data["action"] == "retire":
            if not action.cleaned_data["confirm"]:
                messages.error(request, "Tick “Yes, retire it” to retire the ritual.")
                return redirect("ritual_detail", pk=pk)
            retire_ritual(ritual=ritual)
            messages.success(request, "Retired. Its history stays here.")
            return redirect("ritual_detail", pk=pk)
        if schedule_form.is_valid():
            data = schedule_form.cleaned_data
            change_schedule(
                ritual=ritual,
                rule=data["rule"],
                start_time=data["start_time"],
                review_on=data["review_on"],
            )
            messages.success(request, "New schedule saved; upcoming sessions moved.")
            return redirect("ritual_detail", pk=pk)
    now = timezone.now()
    context = {
        "ritual": ritual,
        "health": ritual_health(ritual, now=now),
        "upcoming": ritual.occurrences.filter(starts_at__gte=now, cancelled=False)[:5],
        "past": ritual.occurrences.filter(starts_at__lt=now).order_by("-starts_at")[:8],
        "can_manage": can_manage,
        "schedule_form": schedule_form,
        "rule_problem": ritual.rule_problem,
        "cadences": CADENCES,
        "joined": ritual.participants.filter(pk=request.user.pk).exists(),
    }
    return render(
        request, "rituals/detail.html", context, status=400 if schedule_form.errors else 200
    )


@login_required
@require_POST
def ritual_join(request: HttpRequest, pk: int) -> HttpResponse:
    ritual = get_object_or_404(TeamRitual.objects.visible_to(request.user).active(), pk=pk)
    form = JoinForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("ritual_detail", args=[pk]))
    if form.cleaned_data["action"] == "leave":
        ritual.participants.remove(request.user)
        messages.success(request, "You’ve left this ritual.")
    else:
        ritual.participants.add(request.user)
        materialise(ritual=ritual, replan=True)  # reminders for the sessions ahead
        messages.success(request, "You’ve joined. It’s in your calendar feed.")
    return redirect("ritual_detail", pk=pk)


@login_required
@require_POST
def occurrence_say(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = get_object_or_404(
        Occurrence.objects.filter(ritual__in=TeamRitual.objects.visible_to(request.user)), pk=pk
    )
    form = SayForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("rituals"))
    try:
        record_attendance(occurrence=occurrence, person=request.user, **form.cleaned_data)
    except RitualError as error:
        messages.error(request, str(error))
        return redirect("rituals")
    messages.success(request, "Thanks. That helps your team decide what to keep.")
    return redirect(safe_next(request, "rituals"))


@login_required
@require_POST
def feed_renew(request: HttpRequest) -> HttpResponse:
    calendar_token(person=request.user, renew=True)
    messages.success(request, "Your calendar link is ready. Any older link has stopped working.")
    return redirect("rituals")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.filter(token=token).select_related("person").first()
    if feed is None or not feed.person.is_active:
        raise Http404("No such calendar.")
    person = feed.person
    now = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Hearth//rituals//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Hearth rituals")
    occurrences = (
        Occurrence.objects.filter(
            ritual__in=TeamRitual.objects.for_person(person),
            starts_at__gte=now - dt.timedelta(days=14),
            starts_at__lt=now + dt.timedelta(weeks=8),
        )
        .select_related("ritual__team")
        .order_by("starts_at")
    )
    for occurrence in occurrences:
        ritual = occurrence.ritual
        event = icalendar.Event()
        event.add("uid", f"hearth-occurrence-{occurrence.pk}@{request.get_host()}")
        event.add("summary", f"{ritual.name} ({ritual.team.name})")
        event.add("dtstart", occurrence.starts_at)
        event.add("dtend", occurrence.ends_at)
        event.add("dtstamp", now)
        event.add("status", "CANCELLED" if occurrence.cancelled else "CONFIRMED")
        if ritual.video_link:
            event.add("location", ritual.video_link)
        event.add("url", request.build_absolute_uri(reverse("ritual_detail", args=[ritual.pk])))
        event.add("description", ritual.hypothesis)
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---------------------------------------------------------------- the team thread

THREAD_PAGE = 20


def _thread_posts(team: Team):
    return (
        ThreadPost.objects.filter(team=team, parent__isnull=True)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=ThreadPost.objects.select_related("author").order_by("created_at"),
            ),
            "reactions",
        )
        .order_by("-created_at", "-pk")
    )


def _decorate(posts, user: User):
    for post in posts:
        counts: dict = {}
        mine = set()
        for reaction in post.reactions.all():
            counts[reaction.kind] = counts.get(reaction.kind, 0) + 1
            if reaction.person_id == user.pk:
                mine.add(reaction.kind)
        post.reaction_list = [
            (kind, label, counts.get(kind, 0), kind in mine)
            for kind, label in Reaction.Kind.choices
        ]
    return posts


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.visible_to(request.user).order_by("path")
    # A post names its team in the form; reading names it in the query string.
    picker = ThreadPickForm(request.POST if request.method == "POST" else request.GET, teams=teams)
    if picker.has_error("team", "invalid_choice"):
        raise Http404("No such team thread.")
    if not picker.is_valid():
        return bad_request(request, picker, back=reverse("ritual_thread"))
    team = picker.cleaned_data["team"] or teams.filter(pk=request.user.team_id).first()
    if team is None:
        return render(request, "rituals/thread.html", {"team": None, "teams": teams})
    form = PostForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                post_to_thread(author=request.user, team=team, **form.cleaned_data)
            except RitualError as error:
                form.add_error(None, str(error))
            else:
                if not request.htmx:
                    return redirect(f"{reverse('ritual_thread')}?team={team.pk}")
                form = PostForm()
        if request.htmx:
            posts = _decorate(list(_thread_posts(team)[:THREAD_PAGE]), request.user)
            return render(
                request,
                "rituals/thread.html#feed",
                {"team": team, "posts": posts, "form": form, "page": None},
                status=400 if form.errors else 200,
            )
    after = picker.cleaned_data["after"]
    if request.htmx and after is not None:
        new = _decorate(list(_thread_posts(team).filter(pk__gt=after)), request.user)
        return render(request, "rituals/thread.html#new_posts", {"posts": new, "team": team})
    page = Paginator(_thread_posts(team), THREAD_PAGE).get_page(PageForm(request.GET).number)
    posts = _decorate(list(page.object_list), request.user)
    return render(
        request,
        "rituals/thread.html",
        {
            "team": team,
            "teams": teams,
            "posts": posts,
            "page": page,
            "form": form,
            "can_post": can_post(request.user, team),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def thread_reply(request: HttpRequest, pk: int) -> HttpResponse:
    parent = get_object_or_404(
        ThreadPost.objects.filter(team__in=Team.objects.visible_to(request.user)), pk=pk
    )
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            post_to_thread(
                author=request.user,
                team=parent.team,
                status=form.cleaned_data["status"],
                parent=parent,
            )
        except RitualError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Write a reply first (up to 500 characters).")
    return redirect(f"{reverse('ritual_thread')}?team={parent.team_id}#post-{parent.pk}")


@login_required
@require_POST
def thread_react(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(
        ThreadPost.objects.filter(team__in=Team.objects.visible_to(request.user)), pk=pk
    )
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(" ".join(form.errors["kind"]), status=400)
    try:
        toggle_reaction(
            person=request.user,
            post=post,
            kind=form.cleaned_data["kind"],
            on=form.cleaned_data["on"],
        )
    except RitualError as error:
        return HttpResponse(str(error), status=400)
    if request.htmx:
        fresh = _decorate([_thread_posts(post.team).get(pk=post.pk)], request.user)[0]
        return render(request, "rituals/thread.html#reactions", {"post": fresh})
    return redirect(f"{reverse('ritual_thread')}?team={post.team_id}#post-{post.pk}")


# ---------------------------------------------------------------- recognition


@login_required
@require_http_methods(["GET", "POST"])
def recognition(request: HttpRequest) -> HttpResponse:
    form = RecognitionForm(request.POST or None, giver=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recognise(
                giver=request.user,
                receivers=list(data["receivers"]),
                message=data["message"],
                values=list(data["values"]),
                visibility=data["visibility"],
                notify_manager=data["notify_manager"],
            )
        except RitualError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Sent. Small thanks add up.")
            return redirect("recognition")
    scope_form = RecognitionScopeForm(request.GET)
    if not scope_form.is_valid():
        return bad_request(request, scope_form, back=reverse("recognition"))
    scope = scope_form.cleaned_data["scope"] or "team"
    feed = Recognition.objects.visible_to(request.user).filter(hidden=False)
    if scope == "team" and request.user.team_id:
        feed = feed.filter(
            Q(team_id=request.user.team_id) | Q(receivers__team_id=request.user.team_id)
        ).distinct()
    elif scope == "org":
        feed = feed.filter(visibility=Recognition.Visibility.PUBLIC)
    feed = feed.select_related("giver").prefetch_related("receivers", "values")[:30]
    return render(
        request,
        "rituals/recognition.html",
        {"form": form, "feed": feed, "scope": scope},
        status=400 if form.errors else 200,
    )


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
    messages.success(request, "Done.")
    return redirect("recognition")


# ---------------------------------------------------------------- budgets


@login_required
@require_http_methods(["GET", "POST"])
def budgets(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.now().date()
    chosen = BudgetQuarterForm(request.GET)
    if not chosen.is_valid():
        return bad_request(request, chosen, back=reverse("budgets"))
    quarter = quarter_start(chosen.cleaned_data["quarter"] or today)
    form = BudgetForm(request.POST or None)
    if request.method == "POST":
        if not user.is_hr_admin:
            raise PermissionDenied("HR admins set budgets.")
        if form.is_valid():
            data = form.cleaned_data
            set_budget(
                team=data["team"],
                quarter=quarter,
                hours=data["hours"],
                money=data["money"],
                allow_overspend=data["allow_overspend"],
                set_by=user,
            )
            messages.success(request, f"Budget saved for {data['team'].name}.")
            return redirect(f"{reverse('budgets')}?quarter={quarter.isoformat()}")
    rows = [
        budget_status(b, today=today)
        for b in Budget.objects.manageable_by(user)
        .filter(quarter=quarter)
        .select_related("team")
        .order_by("team__path")
    ]
    totals = {
        "money": sum((r.budget.money for r in rows), Decimal(0)),
        "spent": sum((r.money_spent for r in rows), Decimal(0)),
        "projected": sum((r.money_projected for r in rows), Decimal(0)),
        "hours": sum((r.budget.hours for r in rows), Decimal(0)),
        "hours_spent": sum((r.hours_spent for r in rows), Decimal(0)),
    }
    return render(
        request,
        "rituals/budgets.html",
        {
            "rows": rows,
            "form": form,
            "quarter": quarter,
            "totals": totals,
            "currency": OrgSettings.load().currency,
            "previous": previous_quarter(quarter),
            "following": next_quarter(quarter),
            "label": quarter_label(quarter),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = get_object_or_404(
        Budget.objects.manageable_by(request.user).select_related("team"), pk=pk
    )
    form = SpendForm(request.POST or None, initial={"spent_on": timezone.now().date()})
    if request.method == "POST" and form.is_valid():
        try:
            log_spend(budget=budget, logged_by=request.user, **form.cleaned_data)
        except RitualError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Spend logged.")
            return redirect("budget_detail", pk=pk)
    return render(
        request,
        "rituals/budget_detail.html",
        {
            "status": budget_status(budget),
            "spends": budget.spends.select_related("logged_by"),
            "form": form,
            "currency": OrgSettings.load().currency,
        },
        status=400 if form.errors else 200,
    )
