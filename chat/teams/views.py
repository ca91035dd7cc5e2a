"""The page a Teams card's buttons open: it says what will happen, and its one button
does it. The signed link is the credential (chat.teams.links), so nobody has to sign
in first; only the POST acts, because link scanners and previews open links too."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chat.teams.links import ActionLinkError, read_action
from connection.i18n import speaking
from connection.models import User
from mentorship.models import CheckIn, MatchGroup
from mentorship.services.errors import MentorshipError
from mentorship.services.programmes import check_in

TEMPLATE = "chat/teams_action.html"


def _names(people: list[User]) -> str:
    names = [p.get_short_name() for p in people]
    if len(names) == 1:
        return names[0]
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def _question(group: MatchGroup, person: User, answer: str) -> str:
    others = _names([m for m in group.members.all() if m.pk != person.pk]) or _("your group")
    if answer == CheckIn.Answer.MET:
        return _("Record that you met %(others)s this week?") % {"others": others}
    if answer == CheckIn.Answer.NOT_YET:
        return _("Record that you haven't met %(others)s yet?") % {"others": others}
    return _("Record that you and %(others)s rescheduled?") % {"others": others}


@require_http_methods(["GET", "POST"])
def one_click(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person, _action, params = read_action(token)  # "checkin" is the one action so far
    except ActionLinkError as error:
        return render(request, TEMPLATE, {"invalid": str(error)}, status=400)
    with speaking(person):  # the card's reader, who may not be signed in here
        return _answer(request, token, person, params)


def _answer(request: HttpRequest, token: str, person: User, params: dict) -> HttpResponse:
    group = (
        MatchGroup.objects.of(person).filter(pk=params["group"]).prefetch_related("members").first()
    )
    if group is None:
        return render(
            request, TEMPLATE, {"refused": _("That isn't one of your groups.")}, status=400
        )
    context = {
        "person": person,
        "token": token,
        "question": _question(group, person, params["answer"]),
    }
    if request.method == "GET":
        # Link scanners and chat previews open links: a GET only asks, the POST acts.
        return render(request, TEMPLATE, context | {"confirm": True})
    try:
        check_in(group=group, person=person, answer=params["answer"], week=params["week"])
    except MentorshipError as error:
        return render(request, TEMPLATE, {"refused": str(error)}, status=400)
    return render(request, TEMPLATE, context | {"done": True})
