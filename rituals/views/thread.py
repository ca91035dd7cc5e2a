"""The team thread: reading and posting, replies, reactions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from connection.forms import PageForm
from connection.models import Team, User
from connection.responses import bad_request
from connection.team_select import team_switch
from rituals.forms import PostForm, ReactionForm, ReplyForm, ThreadPickForm
from rituals.models import Reaction, ThreadPost
from rituals.services.errors import RitualError
from rituals.services.thread import can_post, post_to_thread, toggle_reaction

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
        raise Http404(_("No such team thread."))
    if not picker.is_valid():
        return bad_request(request, picker, back=reverse("ritual_thread"))
    team = picker.cleaned_data["team"] or teams.filter(pk=request.user.team_id).first()
    if team is None:
        # No team of their own: the first teams to open one of (an HR admin sees them all).
        return render(request, "rituals/thread.html", {"team": None, "teams": teams[:50]})
    form = PostForm(request.POST or None)
    if request.method == "POST":
        posted = _post(request, team, form)
        if posted and not request.htmx:
            return redirect(f"{reverse('ritual_thread')}?team={team.pk}")
        if request.htmx:
            return _feed(request, team, form=PostForm() if posted else form)
    after = picker.cleaned_data["after"]
    if request.htmx and after is not None:
        new = _decorate(list(_thread_posts(team).filter(pk__gt=after)), request.user)
        return render(request, "rituals/thread.html#new_posts", {"posts": new, "team": team})
    return _thread_page(request, team, teams=teams, form=form)


def _post(request: HttpRequest, team: Team, form: PostForm) -> bool:
    """Post the form's update to the team's thread; False leaves the reasons on the form."""
    if not form.is_valid():
        return False
    try:
        post_to_thread(author=request.user, team=team, **form.cleaned_data)
    except RitualError as error:
        form.add_error(None, str(error))
        return False
    return True


def _feed(request: HttpRequest, team: Team, *, form: PostForm) -> HttpResponse:
    """The first page of posts and the post form, for htmx to swap in after posting."""
    posts = _decorate(list(_thread_posts(team)[:THREAD_PAGE]), request.user)
    return render(
        request,
        "rituals/thread.html#feed",
        {"team": team, "posts": posts, "form": form, "page": None},
    )


def _thread_page(request: HttpRequest, team: Team, *, teams, form: PostForm) -> HttpResponse:
    page = Paginator(_thread_posts(team), THREAD_PAGE).get_page(PageForm(request.GET).number)
    posts = _decorate(list(page.object_list), request.user)
    return render(
        request,
        "rituals/thread.html",
        {
            "team": team,
            "teams": team_switch(teams, team),
            "posts": posts,
            "page": page,
            "form": form,
            "can_post": can_post(request.user, team),
        },
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
        messages.error(request, _("Write a reply first (up to 500 characters)."))
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
