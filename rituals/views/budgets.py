"""Connection budgets: the quarter's overview (HR sets them there) and a budget's spends."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from connection.calendar import next_quarter, previous_quarter, quarter_label, quarter_start
from connection.forms import PageForm
from connection.models import OrgSettings, User
from connection.responses import bad_request
from connection.roles import require_hr_admin
from rituals.forms import BudgetForm, BudgetQuarterForm, SpendForm
from rituals.models import Budget
from rituals.services.budgets import (
    budget_status,
    budget_statuses,
    budget_totals,
    copy_budgets,
    log_spend,
    set_budget,
    set_level_budgets,
)
from rituals.services.errors import RitualError


@login_required
@require_http_methods(["GET", "POST"])
def budgets(request: HttpRequest) -> HttpResponse:
    today = timezone.now().date()
    chosen = BudgetQuarterForm(request.GET)
    if not chosen.is_valid():
        return bad_request(request, chosen, back=reverse("budgets"))
    quarter = quarter_start(chosen.cleaned_data["quarter"] or today)
    copying = request.method == "POST" and "copy" in request.POST
    form = BudgetForm(None if copying else request.POST or None)
    if request.method == "POST":
        require_hr_admin(request.user)  # managers read the page; only HR sets budgets
        back = f"{reverse('budgets')}?quarter={quarter.isoformat()}"
        if copying:
            copied = copy_budgets(into=quarter, set_by=request.user)
            source = quarter_label(previous_quarter(quarter))
            messages.success(
                request,
                _("%(copied)s budgets copied from %(source)s.")
                % {"copied": copied, "source": source},
            )
            return redirect(back)
        if form.is_valid():
            messages.success(request, _save(form.cleaned_data, quarter, request.user))
            return redirect(back)
    number = PageForm(request.GET).number
    context = {"form": form, **_quarter(request.user, quarter=quarter, today=today, number=number)}
    return render(request, "rituals/budgets.html", context)


def _save(data: dict, quarter: dt.date, by: User) -> str:
    """Set the budget the form names, for a team or a whole level; what to say."""
    amounts = {k: data[k] for k in ("hours", "money", "allow_overspend")}
    if data["team"] is not None:
        set_budget(team=data["team"], quarter=quarter, set_by=by, **amounts)
        return _("Budget saved for %(team)s.") % {"team": data["team"].name}
    count = set_level_budgets(depth=data["level"], quarter=quarter, set_by=by, **amounts)
    return _("Budget saved for the %(count)s teams at level %(level)s.") % {
        "count": count,
        "level": data["level"] + 1,
    }


BUDGETS_PAGE = 50


def _quarter(user: User, *, quarter: dt.date, today: dt.date, number: int) -> dict:
    """A page of the statuses of the budgets `user` may read in the quarter, the totals
    of them all, and the quarters either side."""
    budgets = (
        Budget.objects.manageable_by(user)
        .filter(quarter=quarter)
        .select_related("team")
        .order_by("team__path")
    )
    page = Paginator(budgets, BUDGETS_PAGE).get_page(number)
    statuses = budget_statuses(list(page), today=today)
    return {
        "rows": [statuses[b.pk] for b in page],
        "page": page,
        "quarter": quarter,
        "totals": budget_totals(budgets, quarter=quarter, today=today),
        "currency": OrgSettings.load().currency,
        "previous": previous_quarter(quarter),
        "previous_label": quarter_label(previous_quarter(quarter)),
        "following": next_quarter(quarter),
        "label": quarter_label(quarter),
    }


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
            messages.success(request, _("Spend logged."))
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
    )
