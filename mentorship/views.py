import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connection.audit import save_recorded
from connection.forms import PageForm
from connection.models import AuditEntry, Team, User, next_shared_slot
from connection.responses import bad_request
from mentorship.forms import (
    AvoidForm,
    BookingForm,
    CaseNoteForm,
    CheckInForm,
    LogActionForm,
    MembershipForm,
    NoteSearchForm,
    OfficeHoursForm,
    ProgrammeForm,
    ProgrammeKindForm,
    SessionDecisionForm,
    SessionForm,
    ShadowActionForm,
    ShadowForm,
)
from mentorship.matching.reasons import said
from mentorship.models import (
    Avoid,
    Booking,
    CaseNote,
    CheckIn,
    MatchGroup,
    Membership,
    MentoringSession,
    MentoringSettings,
    OfficeHours,
    Programme,
    ShadowWindow,
)
from mentorship.services.errors import MentorshipError
from mentorship.services.mentoring_log import (
    decide_session,
    log_session,
    mentoring_coverage,
    publish_note,
    quarter_hours,
)
from mentorship.services.office_hours import (
    SLOTS_SHOWN,
    book,
    cancel_booking,
    host_office_hours,
    hosting_coverage,
    offered_hours,
    open_slots,
)
from mentorship.services.programmes import (
    check_in,
    join_programme,
    programme_page,
    set_membership,
)
from mentorship.services.shadowing import request_shadowing


@login_required
@require_GET
def overview(request):
    user = request.user
    groups = _recent_groups(user)
    buddy = next((g for g in groups if g.newcomer_id), None)
    return render(
        request,
        "mentorship/overview.html",
        {
            "groups": groups,
            "programmes": _joinable_programmes(user),
            "buddy": buddy,
            "runs_programmes": user.is_hr_admin or Team.objects.led_by(user).exists(),
            "meet": next_shared_slot(list(buddy.members.all()), timezone.now()) if buddy else None,
            "avoid": Avoid.objects.filter(person=user).select_related("avoided"),
            "avoid_form": AvoidForm.to_add(user),
            "answers": CheckIn.Answer.choices,
        },
    )


def _recent_groups(user: User) -> list[MatchGroup]:
    """The person's last eight groups, each with the others' names and the week to answer for."""
    groups = list(
        MatchGroup.objects.of(user)
        .select_related("round__programme")
        .prefetch_related(
            "members",
            Prefetch(
                "checkins", queryset=CheckIn.objects.filter(person=user).order_by("-week", "-pk")
            ),
        )
        .order_by("-round__run_on", "-pk")[:8]
    )
    today = timezone.now().date()
    for group in groups:
        group.others = [p.display_name for p in group.members.all() if p.pk != user.pk]
        group.said_reasons = [said(reason) for reason in group.reasons]
        # Buddies check in weekly: the answer belongs to the current week of the pairing.
        group.week = max(1, (today - group.round.run_on).days // 7 + 1) if group.newcomer_id else 1
    return groups


def _joinable_programmes(user: User) -> list[tuple[Programme, Membership | None]]:
    """Programmes the person may see, with their membership if any; buddies are assigned."""
    memberships = {m.programme_id: m for m in user.programme_memberships.all()}
    return [
        (p, memberships.get(p.pk))
        for p in Programme.objects.visible_to(user)
        .exclude(kind=Programme.Kind.BUDDY)
        .select_related("team")
    ]


@login_required
@require_POST
def membership(request, pk: int):
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=pk)
    form = MembershipForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("mentorship"))
    action = form.cleaned_data["action"]
    try:
        if action == "join":
            join_programme(programme=programme, person=request.user)
            messages.success(
                request,
                _("You’re in %(programme)s. Matches come with the next round.")
                % {"programme": programme.name},
            )
        else:
            member = get_object_or_404(Membership, programme=programme, person=request.user)
            status = {"pause": "paused", "resume": "active", "leave": "left"}[action]
            until = form.cleaned_data["until"] if status == "paused" else None
            set_membership(membership=member, status=status, until=until)
            messages.success(request, _("Saved. It applies from the next round."))
    except MentorshipError as error:
        messages.error(request, str(error))
    return redirect("mentorship")


@login_required
@require_POST
def checkin(request, pk: int):
    group = get_object_or_404(MatchGroup.objects.of(request.user), pk=pk)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("mentorship"))
    try:
        check_in(
            group=group,
            person=request.user,
            answer=form.cleaned_data["answer"],
            week=form.cleaned_data["week"] or 1,
        )
    except MentorshipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thanks for letting us know."))
    return redirect("mentorship")


@login_required
@require_POST
def avoid(request):
    form = AvoidForm(request.POST, user=request.user)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("mentorship"))
    person = form.cleaned_data["person"]
    if form.cleaned_data["action"] == "remove":
        Avoid.objects.filter(person=request.user, avoided=person).delete()
    else:
        Avoid.objects.get_or_create(person=request.user, avoided=person)
    messages.success(request, _("Saved. Only you can see this list."))
    return redirect("mentorship")


@login_required
@require_http_methods(["GET", "POST"])
def programmes(request):
    user = request.user
    teams = Team.objects.led_by(user)
    if not Programme.runs_org_wide(user) and not teams.exists():
        raise PermissionDenied(_("HR admins and team leads run programmes."))
    preset = ProgrammeKindForm(request.GET)
    if not preset.is_valid():
        return bad_request(request, preset, back=reverse("programmes"))
    form = _programme_form(request, teams, kind=preset.cleaned_data["kind"])
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = user
        programme = save_recorded(form, actor=user, action=AuditEntry.Action.PROGRAMME_STARTED)
        messages.success(request, _("%(programme)s is running.") % {"programme": programme.name})
        return redirect("programmes")
    rows, page = programme_page(user, PageForm(request.GET).number)
    return render(
        request,
        "mentorship/programmes.html",
        {"form": form, "rows": rows, "page": page},
    )


def _programme_form(request, teams: QuerySet[Team], *, kind: str) -> ProgrammeForm:
    """The start-a-programme form: for the teams the person leads, and org-wide for HR."""
    initial = {"org_wide": Programme.runs_org_wide(request.user)}
    if kind:  # a dashboard's "start a coffee-chat programme" link arrives with the kind
        initial["kind"] = kind
    return ProgrammeForm(request.POST or None, teams=teams.order_by("path"), initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def office_hours(request):
    form = OfficeHoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            host_office_hours(host=request.user, **form.cleaned_data)
        except MentorshipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your office hours are open for booking."))
            return redirect("office_hours")
    return _office_hours_page(request, form)


def _office_hours_page(request, form: OfficeHoursForm):
    user = request.user
    now = timezone.now()
    bookings = Booking.objects.filter(
        Q(booker=user) | Q(office_hours__host=user), status="booked", starts_at__gte=now
    ).select_related("office_hours__host", "booker")
    page = Paginator(offered_hours(user), SLOTS_SHOWN).get_page(PageForm(request.GET).number)
    return render(
        request,
        "mentorship/office_hours.html",
        {
            "form": form,
            "page": page,
            "slots": _marked(open_slots(user, now, page.object_list), user),
            "mine": user.office_hours.filter(active=True),
            "bookings": bookings,
            "zone": zoneinfo.ZoneInfo(user.time_zone),
            "coverage": hosting_coverage() if user.is_hr_admin else None,
        },
    )


def _marked(slots, user: User) -> list[tuple]:
    """Each host's blocks, each marked whether it falls in the viewer's own working
    hours, and the block chosen first: the earliest in them (else the earliest)."""
    marked = []
    for slot, blocks in slots:
        flags = [(block, user.is_working_at(block)) for block in blocks]
        first = next((b for b, yours in flags if yours), blocks[0] if blocks else None)
        marked.append((slot, flags, first))
    return marked


@login_required
@require_POST
def office_hours_book(request, pk: int):
    slot = get_object_or_404(OfficeHours, pk=pk)
    form = BookingForm(request.POST)
    if not form.is_valid():
        if form.has_error("topic"):
            messages.error(request, _("Say in a few words what you'd like to talk about."))
        for error in form.errors.get("starts_at", []):
            messages.error(request, f"{form['starts_at'].label}: {error}")
        return _office_hours_page(request, OfficeHoursForm())
    try:
        book(office_hours=slot, booker=request.user, **form.cleaned_data)
    except MentorshipError as error:
        messages.error(request, str(error))
        return _office_hours_page(request, OfficeHoursForm())
    messages.success(
        request,
        _("Booked with %(name)s. You’ll both get a reminder.")
        % {"name": slot.host.get_short_name()},
    )
    return redirect("office_hours")


@login_required
@require_POST
def booking_cancel(request, pk: int):
    booking = get_object_or_404(
        Booking.objects.filter(Q(booker=request.user) | Q(office_hours__host=request.user)), pk=pk
    )
    cancel_booking(booking=booking, by=request.user)
    messages.success(request, _("Cancelled; the block is free again."))
    return redirect("office_hours")


@login_required
@require_http_methods(["GET", "POST"])
def mentoring_log(request):
    user = request.user
    # Two forms on one page: only the one that was sent is bound, so a bad
    # case note never shows errors on the session form, and the other way round.
    sent = LogActionForm(request.POST)
    is_note = sent.is_valid() and sent.cleaned_data["action"] == "note"
    form = SessionForm(
        None if is_note else (request.POST or None),
        user=user,
        initial={"held_on": user.local_now().date()},
    )
    note_form = CaseNoteForm(request.POST if is_note else None, prefix="note")
    if request.method == "POST":
        done = _publish_note(request, note_form) if is_note else _log_session(request, form)
        if done:
            return redirect("mentoring_log")
    return render(
        request,
        "mentorship/log.html",
        {"form": form, "note_form": note_form, **_log_context(user)},
    )


def _log_session(request, form: SessionForm) -> bool:
    """Log the session the form describes; False, with the reason on the form, if not."""
    if not form.is_valid():
        return False
    user, data = request.user, form.cleaned_data
    mentor, mentee = (user, data["other"]) if data["role"] == "mentor" else (data["other"], user)
    try:
        session = log_session(
            mentor=mentor,
            mentee=mentee,
            kind=data["kind"],
            held_on=data["held_on"],
            minutes=data["minutes"],
            note=data["note"],
            logged_by=user,
        )
    except MentorshipError as error:
        form.add_error(None, str(error))
        return False
    if session.status == MentoringSession.Status.PENDING:
        messages.success(
            request,
            _("Logged. It counts once %(name)s confirms it.") % {"name": mentor.get_short_name()},
        )
    else:
        messages.success(request, _("Logged. Consider writing a short case note below."))
    return True


def _publish_note(request, note_form: CaseNoteForm) -> bool:
    """Publish the case note; False, with the reason on the form, if not."""
    if not note_form.is_valid():
        return False
    try:
        publish_note(author=request.user, **note_form.cleaned_data)
    except MentorshipError as error:
        note_form.add_error(None, str(error))
        return False
    messages.success(request, _("Published. You can withdraw it at any time."))
    return True


def _log_context(user: User) -> dict:
    """The log page around its forms: recent sessions, the quarter's hours against the
    expectation, sessions to confirm, own case notes, and HR's coverage table."""
    expectation = MentoringSettings.load().hours_per_quarter
    sessions = MentoringSession.objects.involving(user).select_related("mentor", "mentee")[:20]
    return {
        "sessions": sessions,
        "expectation": expectation,
        "hours": quarter_hours(user),
        "coverage": mentoring_coverage(user, expectation=expectation),
        "notes": CaseNote.objects.filter(author=user, withdrawn=False),
        "to_confirm": MentoringSession.objects.awaiting(user).select_related("mentee"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request, pk: int):
    """One session, to its two people; the mentor confirms or declines it here."""
    session = get_object_or_404(
        MentoringSession.objects.involving(request.user).select_related("mentor", "mentee"), pk=pk
    )
    form = SessionDecisionForm(request.POST or None)
    if request.method == "POST":
        if session.mentor_id != request.user.pk:
            raise PermissionDenied(_("Only the mentor named in a session confirms it."))
        if form.is_valid():
            _decide(request, session, confirm=form.cleaned_data["confirm"])
            return redirect("mentoring_log")
    return render(
        request,
        "mentorship/session.html",
        {"session": session, "form": form},
    )


def _decide(request, session: MentoringSession, *, confirm: bool) -> None:
    try:
        decide_session(session=session, by=request.user, confirm=confirm)
    except MentorshipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thanks. The log is up to date."))


@login_required
@require_POST
def note_withdraw(request, pk: int):
    note = get_object_or_404(CaseNote.objects.filter(author=request.user), pk=pk)
    CaseNote.objects.filter(pk=note.pk).update(withdrawn=True)
    messages.success(request, _("Withdrawn."))
    return redirect("mentoring_log")


@login_required
@require_GET
def notes(request):
    form = NoteSearchForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("case_notes"))
    query = form.cleaned_data["q"]
    found = CaseNote.objects.visible_to(request.user).select_related("author")
    if query:
        found = found.filter(Q(topic__icontains=query) | Q(learned__icontains=query))
    return render(request, "mentorship/notes.html", {"notes": found[:50], "q": query})


@login_required
@require_http_methods(["GET", "POST"])
def shadowing(request):
    action = ShadowActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not action.is_valid():
        return bad_request(request, action)
    pressed = action.cleaned_data["action"] if action.is_bound else None
    form = ShadowForm(request.POST if pressed == "publish" else None)
    if pressed == "publish" and _publish_window(request, form):
        return redirect("shadowing")
    if pressed == "request":
        _ask_to_shadow(request, action.cleaned_data["window"])
        return redirect("shadowing")
    windows = (
        ShadowWindow.objects.filter(starts_at__gte=timezone.now())
        .select_related("host")
        .prefetch_related("requests")
    )
    return render(
        request,
        "mentorship/shadowing.html",
        {"form": form, "windows": windows},
    )


def _publish_window(request, form: ShadowForm) -> bool:
    """Publish the window the form describes, which must start in the future (host's time)."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    starts = data["starts_at"]
    if timezone.is_naive(starts):
        starts = timezone.make_aware(starts, request.user.zone)
    if starts <= timezone.now():
        form.add_error("starts_at", _("Choose a time in the future."))
        return False
    ShadowWindow.objects.create(
        host=request.user,
        title=data["title"],
        starts_at=starts,
        minutes=data["minutes"],
        places=data["places"],
    )
    messages.success(request, _("Published. Colleagues can ask to join."))
    return True


def _ask_to_shadow(request, window: ShadowWindow) -> None:
    try:
        request_shadowing(window=window, person=request.user)
    except MentorshipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You’ll shadow %(name)s.") % {"name": window.host.get_short_name()}
        )
