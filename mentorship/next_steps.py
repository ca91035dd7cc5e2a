"""Ways to meet someone this week: join the next coffee-chat round in one click, or
book a colleague's office hours. The pulse's thank-you page loads this for everyone
who answers, whatever they answered, so the request says nothing about the answers."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mentorship.models import Membership, Programme
from mentorship.services.office_hours import open_slots

HOSTS_SHOWN = 2


@login_required
@require_GET
def next_steps(request):
    user = request.user
    now = timezone.now()
    coffee = (
        Programme.objects.visible_to(user).filter(kind=Programme.Kind.COFFEE, active=True).first()
    )
    joined = (
        coffee is not None
        and Membership.objects.filter(
            programme=coffee, person=user, status=Membership.Status.ACTIVE
        ).exists()
    )
    last = coffee.rounds.order_by("-run_on").first() if coffee else None
    next_round = last.run_on + dt.timedelta(weeks=coffee.cadence_weeks) if last else None
    today = user.local_now(now).date()
    if next_round is not None:
        next_round = max(next_round, today)  # a round due today runs later today
    # The soonest among the nearest hosts (the first page of office hours).
    open_hours = sorted(
        ((slot, blocks) for slot, blocks in open_slots(user, now) if blocks),
        key=lambda item: item[1][0],
    )
    context = {
        "coffee": coffee,
        "joined": joined,
        "next_round": next_round,
        "today": today,
        "hosts": open_hours[:HOSTS_SHOWN],
    }
    return render(request, "mentorship/_next_steps.html", context)
