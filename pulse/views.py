from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Max, Window
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connection import charts
from connection.audit import changes, record, save_recorded
from connection.db_router import reads_replica
from connection.forms import TeamPickForm
from connection.models import AuditEntry, OrgSettings, Team, User
from connection.redirects import safe_next
from connection.responses import bad_request
from connection.roles import hr_admin_required
from connection.spreadsheets import csv_writer
from connection.team_select import team_switch
from pulse import results
from pulse.conversations import (
    ConversationError,
    answer_as_author,
    author_threads,
    can_reply,
    reply,
)
from pulse.forms import (
    AnswerForm,
    AuthorAnswerForm,
    CommentReplyForm,
    ConversationKeysForm,
    OrgResultsForm,
    PrivacyForm,
    PulseSettingsForm,
    QuestionActionForm,
    QuestionForm,
    SettingsActionForm,
)
from pulse.models import PulseSettings, Question, Response, Round, TenureBand
from pulse.services import (
    PulseError,
    change_privacy_settings,
    edit_question,
    needs_care,
    submit_response,
)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest) -> HttpResponse:
    round_ = Round.objects.open_for(request.user)
    context = {"round": round_}
    if round_ is None:
        if request.method == "POST":
            context["error"] = _("This pulse has closed. The next one opens soon.")
        return render(request, "pulse/answer.html", context)
    if round_.receipts.filter(person=request.user).exists():
        context["answered"] = True
        return render(request, "pulse/answer.html", context)
    questions = list(round_.questions.order_by("roundquestion__position"))
    form = AnswerForm(
        request.POST or None, questions=questions, comment_threshold=round_.comment_threshold
    )
    context |= {"form": form, "k": round_.min_group_size}
    if request.method == "GET":
        return render(request, "pulse/answer.html", context)
    if "team" in request.POST:
        context["error"] = _("Your team comes from your profile; it can't be sent with answers.")
        return render(request, "pulse/answer.html", context, status=400)
    if not form.is_valid():
        return render(request, "pulse/answer.html", context)
    try:
        key = submit_response(
            person=request.user,
            round_=round_,
            answers=form.answers(),
            comment=form.cleaned_data["comment"],
        )
    except PulseError as error:
        context |= {"error": str(error), "answered": error.status == 409}
        return render(request, "pulse/answer.html", context)
    # Care is decided from the answers in this request only; nothing is stored.
    return render(
        request,
        "pulse/thanks.html",
        {"care": needs_care(questions, form.answers()), "round": round_, "key": key},
    )


@login_required
@require_GET
@reads_replica
def team_results(request: HttpRequest) -> HttpResponse:
    led = Team.objects.led_by(request.user).order_by("path")
    first = led.first()
    if first is None:
        raise PermissionDenied(_("Pulse results are for managers and HR admins."))
    form = TeamPickForm(request.GET, teams=led)
    if form.has_error("team", "invalid_choice"):
        raise PermissionDenied(_("That team isn't one you look after."))
    if not form.is_valid():
        return bad_request(request, form, back=reverse("pulse_results"))
    team = form.cleaned_data["team"] or first
    rounds = results.latest_rounds()
    # The teams around this one, never all of an HR admin's thousands.
    context = {"teams": team_switch(led, team), "team": team, "rounds": rounds}
    if rounds:
        snapshot = results.OrgSnapshot(rounds)
        context["result"] = results.detail(snapshot, rounds[0], team)
        # The count covers the teams below too, as every figure of the team does.
        context["with_teams_below"] = len(snapshot.members(rounds[0], team.pk)) > 1
        points = snapshot.trend(team.pk)
        context["trend"] = points
        context["chart"] = charts.line_chart(
            points,
            title=_("%(team)s: connection score, last %(n)s rounds, 4-round rolling")
            % {"team": team.name, "n": len(points)},
            desc=_("Score from 0 to 100 per round; gaps mean not enough responses."),
        )
    return render(request, "pulse/results.html", context)


ORG_ROWS = 250  # the HR table shows whole levels below the chosen group, up to this many


def _teams() -> list[Team]:
    """Every team in tree order, with what the pulse pages show of it."""
    return list(Team.objects.order_by("path").only("pk", "name", "path", "depth"))


def _org_rows(snapshot, round_, teams, root=None, limit=None) -> tuple[list, bool]:
    """(name, team, headline) for the chosen group (or the organisation) and the teams
    below it, a whole level at a time while `limit` allows; and whether deeper
    levels were left for a narrower choice."""
    if root is not None:
        teams = [t for t in teams if t.path.startswith(root.path) and t.pk != root.pk]
    cut = False
    if limit is not None:
        per_level = Counter(t.depth for t in teams)
        shown, depths = 0, set()
        for depth in sorted(per_level):
            if shown + per_level[depth] > limit:
                cut = True
                break
            shown += per_level[depth]
            depths.add(depth)
        teams = [t for t in teams if t.depth in depths]
    snapshot.read_round(round_)
    if root is None:
        rows = [(_("Whole organisation"), None, snapshot.headline(round_, None))]
    else:
        rows = [(root.name, root, snapshot.headline(round_, root.pk))]
    rows += [(t.indented_name, t, snapshot.headline(round_, t.pk)) for t in teams]
    return rows, cut


def _page_rows(snapshot, round_, root=None) -> tuple[list, bool]:
    """`_org_rows` for the page: the levels below the chosen group that fit in ORG_ROWS
    rows, read in the database (one query: each team with how many teams are at its
    level or above it, the first ORG_ROWS + 1 in level order), then their published
    totals; never every team of the org."""
    below = Team.objects.all()
    if root is not None:
        below = below.filter(path__startswith=root.path).exclude(pk=root.pk)
    up_to_level = Window(Count("pk"), order_by=F("depth").asc())  # peers count together
    first = list(
        below.annotate(up_to_level=up_to_level)
        .order_by("depth", "path")
        .only("pk", "name", "path", "depth")[: ORG_ROWS + 1]
    )
    teams = [t for t in first if t.up_to_level <= ORG_ROWS]
    teams.sort(key=lambda t: t.path)
    snapshot.read_teams(round_, [root.pk if root else None, *(t.pk for t in teams)])
    top = (_("Whole organisation"), None) if root is None else (root.name, root)
    rows = [(*top, snapshot.headline(round_, top[1].pk if top[1] else None))]
    rows += [(t.indented_name, t, snapshot.headline(round_, t.pk)) for t in teams]
    return rows, len(teams) < len(first)


@hr_admin_required
@require_GET
@reads_replica
def org_results(request: HttpRequest) -> HttpResponse:
    form = OrgResultsForm(request.GET, teams=Team.objects.all())
    if form.has_error("team", "invalid_choice"):
        raise Http404(_("No such team."))
    if not form.is_valid():
        return bad_request(request, form, back=reverse("pulse_org"))
    rounds = results.latest_rounds()
    context = {"rounds": rounds}
    if rounds:
        snapshot = results.OrgSnapshot(rounds)
        round_ = rounds[0]
        team, by = form.cleaned_data["team"], form.cleaned_data["by"]
        rows, cut = _page_rows(snapshot, round_, team)
        context |= {
            "round": round_,
            "rows": rows,
            "deeper": cut,
            "team": team,
            "by": by,
            "form": form,
        }
        if by:
            labels = (
                dict(TenureBand.choices)
                if by == "tenure_band"
                else dict(User._meta.get_field("location").choices)
            )
            context["slices"] = [
                s | {"label": labels.get(s["value"], s["value"])}
                for s in snapshot.slices(round_, team.pk if team else None, by)
            ]
    return render(request, "pulse/org.html", context)


@hr_admin_required
@require_GET
@reads_replica
def org_results_csv(request: HttpRequest) -> HttpResponse:
    rounds = results.latest_rounds()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hearth-pulse.csv"'
    writer = csv_writer(response)
    writer.writerow(
        [
            pgettext("CSV column", "round"),
            pgettext("CSV column", "opened"),
            pgettext("CSV column", "team"),
            pgettext("CSV column", "respondents"),
            pgettext("CSV column", "connection score (4-round rolling)"),
            "eNPS",
            pgettext("CSV column", "note"),
        ]
    )
    if rounds:
        snapshot = results.OrgSnapshot(rounds)
        # The same figures the pages show: per-round counts, rolling scores.
        snapshot.read_all()
        for name, team, _headline in _org_rows(snapshot, rounds[0], _teams())[0]:
            team_id = team.pk if team else None
            for round_ in rounds:
                result = snapshot.headline(round_, team_id)
                writer.writerow(
                    [
                        round_.number,
                        round_.opens_at.date().isoformat(),
                        name.strip("\u2003"),
                        result.respondents if result.shown else "",
                        snapshot.rolling(round_, team_id) if result.shown else "",
                        result.enps if result.enps is not None else "",
                        result.reason or result.enps_reason,
                    ]
                )
    record(actor=request.user, action=AuditEntry.Action.PULSE_CSV, detail={"rounds": len(rounds)})
    return response


@hr_admin_required
@require_http_methods(["GET", "POST"])
def pulse_settings(request: HttpRequest) -> HttpResponse:
    config = PulseSettings.load()
    org = OrgSettings.load()
    settings_form = PulseSettingsForm(instance=config)
    privacy_form = PrivacyForm(
        initial={"min_group_size": org.min_group_size, "comment_threshold": org.comment_threshold}
    )
    question_form = QuestionForm()
    if request.method == "POST":
        sent = SettingsActionForm(request.POST)
        if not sent.is_valid():
            return bad_request(request, sent)
        action = sent.cleaned_data["action"]
        if action == "settings":
            settings_form = PulseSettingsForm(request.POST, instance=config)
            if settings_form.is_valid():
                save_recorded(
                    settings_form, actor=request.user, action=AuditEntry.Action.PULSE_SETTINGS
                )
                messages.success(request, _("Pulse settings saved."))
                return redirect("pulse_settings")
        elif action == "privacy":
            privacy_form = PrivacyForm(request.POST)
            if privacy_form.is_valid():
                try:
                    change_privacy_settings(changed_by=request.user, **privacy_form.cleaned_data)
                except PulseError as error:
                    privacy_form.add_error(None, str(error))
                else:
                    messages.success(request, _("Privacy thresholds saved (and recorded)."))
                    return redirect("pulse_settings")
        elif action == "add":
            question_form = QuestionForm(request.POST)
            if question_form.is_valid():
                with transaction.atomic():
                    added = _add_question(question_form)
                    record(
                        actor=request.user, action=AuditEntry.Action.QUESTION_ADDED, target=added
                    )
                messages.success(request, _("Question added to the bank."))
                return redirect("pulse_settings")
    context = {
        "settings_form": settings_form,
        "privacy_form": privacy_form,
        "question_form": question_form,
        "questions": Question.objects.current(),
        "changes": AuditEntry.objects.filter(kind="privacy").select_related("actor")[:5],
        "open_round": Round.objects.open().first(),
    }
    return render(request, "pulse/settings.html", context)


def _add_question(form: QuestionForm) -> Question:
    question = form.save(commit=False)
    base = slugify(question.text)[:30] or "item"
    code, n = base, 1
    while Question.objects.filter(code=code).exists():
        n += 1
        code = f"{base[:27]}-{n}"
    question.code = code
    question.position = (Question.objects.aggregate(p=Max("position"))["p"] or 0) + 10
    question.save()
    return question


@hr_admin_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.current(), pk=pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            new = edit_question(
                question=Question.objects.get(pk=pk),
                text=form.cleaned_data["text"],
                dimension=form.cleaned_data["dimension"],
            )
            Question.objects.filter(pk=new.pk).update(always_ask=form.cleaned_data["always_ask"])
            record(
                actor=request.user,
                action=AuditEntry.Action.QUESTION_EDITED,
                target=new,
                detail=changes(form),
            )
        messages.success(
            request, _("Saved as a new version; earlier answers keep the old wording.")
        )
        return redirect("pulse_settings")
    return render(
        request,
        "pulse/question_edit.html",
        {"form": form, "question": question},
    )


@hr_admin_required
@require_POST
@transaction.atomic
def question_action(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.current(), pk=pk)
    form = QuestionActionForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=reverse("pulse_settings"))
    action = form.cleaned_data["action"]
    if action == "retire":
        if question.is_enps:
            messages.error(request, _("eNPS stays in the bank; it can't be retired."))
        else:
            Question.objects.filter(pk=pk).update(retired=True)
            record(actor=request.user, action=AuditEntry.Action.QUESTION_RETIRED, target=question)
            messages.success(request, _("Retired. It won't be asked again; its history stays."))
    elif action in ("up", "down"):
        current = list(Question.objects.current())
        index = current.index(question)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(current):
            current[index], current[other] = current[other], current[index]
            for position, item in enumerate(current):
                Question.objects.filter(pk=item.pk).update(position=(position + 1) * 10)
            record(
                actor=request.user,
                action=AuditEntry.Action.QUESTIONS_REORDERED,
                target=question,
                detail={"moved": action},
            )
    return redirect("pulse_settings")


# ---------------------------------------------------------------- comment conversations


@login_required
@require_POST
def comment_reply(request: HttpRequest, pk) -> HttpResponse:
    """A manager's or HR admin's reply to a comment they can read."""
    response = get_object_or_404(Response.objects.exclude(comment=""), pk=pk)
    form = CommentReplyForm(request.POST)
    back = safe_next(request, "pulse_results")
    if not form.is_valid():
        return bad_request(request, form, back=back)
    try:
        reply(person=request.user, response=response, text=form.cleaned_data["text"])
    except ConversationError as error:
        if not can_reply(request.user, response):
            raise PermissionDenied(str(error)) from None
        messages.error(request, str(error))
        return HttpResponseRedirect(back)
    messages.success(request, _("Sent. The author sees it at the next batch, within six hours."))
    return HttpResponseRedirect(back)


@login_required
@require_GET
def conversations(request: HttpRequest) -> HttpResponse:
    """The page where an author reads the conversations on their comments: the page
    itself knows nothing; its script asks for them with the keys, without cookies."""
    return render(request, "pulse/conversations.html")


@csrf_exempt  # no cookie is read: the key in the body is the only credential
@require_POST
def conversations_read(request: HttpRequest) -> HttpResponse:
    form = ConversationKeysForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unreadable keys."), status=400)
    threads = author_threads(form.cleaned_data["keys"], timezone.now())
    return render(request, "pulse/conversations.html#threads", {"threads": threads})


@csrf_exempt  # no cookie is read: the key in the body is the only credential
@require_POST
def conversations_answer(request: HttpRequest) -> HttpResponse:
    form = AuthorAnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Write an answer of up to 1000 characters."), status=400)
    try:
        answer_as_author(key=form.cleaned_data["key"], text=form.cleaned_data["text"])
    except ConversationError as error:
        return HttpResponse(str(error), status=400)
    threads = author_threads([form.cleaned_data["key"]], timezone.now())
    return render(request, "pulse/conversations.html#threads", {"threads": threads})
