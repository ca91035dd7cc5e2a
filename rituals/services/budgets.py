"""Connection budgets: HR sets them, teams spend from them, the status sums it up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import DateField, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from connection.audit import record
from connection.calendar import previous_quarter, quarter_end, quarter_start
from connection.models import AuditEntry, Team, User
from rituals.models import Attendance, Budget, Spend
from rituals.models.rituals import Format
from rituals.services.errors import RitualError


def set_budget(
    *,
    team: Team,
    quarter: dt.date,
    hours: Decimal,
    money: Decimal,
    allow_overspend: bool = False,
    set_by: User | None = None,
) -> Budget:
    """Set a team's budget for a quarter; recorded in the audit trail (`set_by`
    None is Hearth itself, such as the demo set-up)."""
    if hours < 0 or money < 0:
        raise RitualError(_("A budget can't be negative."))
    wanted = {"hours": hours, "money": money, "allow_overspend": allow_overspend}
    with transaction.atomic():
        before = (
            Budget.objects.select_for_update()
            .filter(team=team, quarter=quarter_start(quarter))
            .values(*wanted)
            .first()
        ) or dict.fromkeys(wanted, "")
        budget, _created = Budget.objects.update_or_create(
            team=team, quarter=quarter_start(quarter), defaults=wanted
        )
        record(
            actor=set_by,
            action=AuditEntry.Action.BUDGET_SET,
            target=budget,
            detail={"changed": {k: [str(before[k]), str(v)] for k, v in wanted.items()}},
        )
    return budget


def set_level_budgets(
    *,
    depth: int,
    quarter: dt.date,
    hours: Decimal,
    money: Decimal,
    allow_overspend: bool = False,
    set_by: User | None = None,
) -> int:
    """The same budget for every team at one level of the chart, in one step: all of
    them or, if one fails, none. How many teams were set."""
    teams = list(Team.objects.filter(depth=depth).order_by("path"))
    with transaction.atomic():
        for team in teams:
            set_budget(
                team=team,
                quarter=quarter,
                hours=hours,
                money=money,
                allow_overspend=allow_overspend,
                set_by=set_by,
            )
    return len(teams)


def copy_budgets(*, into: dt.date, set_by: User | None = None) -> int:
    """Last quarter's budgets again for the quarter of `into` (a team's budget already
    set there is overwritten). How many were copied."""
    source = previous_quarter(quarter_start(into))
    with transaction.atomic():
        budgets = list(Budget.objects.filter(quarter=source).select_related("team"))
        for budget in budgets:
            set_budget(
                team=budget.team,
                quarter=into,
                hours=budget.hours,
                money=budget.money,
                allow_overspend=budget.allow_overspend,
                set_by=set_by,
            )
    return len(budgets)


def ritual_hours(budget: Budget) -> Decimal:
    """Hours spent in the team's synchronous rituals this quarter: duration x attendees."""
    start = dt.datetime.combine(budget.quarter, dt.time(0), tzinfo=dt.UTC)
    end = dt.datetime.combine(budget.ends_on + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    minutes = (
        Attendance.objects.filter(
            attended=True,
            occurrence__ritual__team=budget.team,
            occurrence__ritual__format=Format.SYNC,
            occurrence__starts_at__gte=start,
            occurrence__starts_at__lt=end,
        ).aggregate(m=Sum("occurrence__ritual__duration"))["m"]
        or 0
    )
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@dataclass
class BudgetStatus:
    budget: Budget
    money_spent: Decimal
    hours_logged: Decimal
    hours_in_rituals: Decimal
    money_left: Decimal
    hours_left: Decimal
    money_projected: Decimal
    hours_projected: Decimal

    @property
    def hours_spent(self) -> Decimal:
        return self.hours_logged + self.hours_in_rituals


def budget_status(budget: Budget, *, today: dt.date | None = None) -> BudgetStatus:
    return budget_statuses([budget], today=today)[budget.pk]


def budget_statuses(budgets, *, today: dt.date | None = None) -> dict[int, BudgetStatus]:
    """Each budget's status by its id, in two queries however many budgets: the spends
    summed per budget (with the budgets themselves when `budgets` is a queryset), and
    the hours in synchronous rituals per team and quarter."""
    budgets, spent = _with_spends(budgets)
    if not budgets:
        return {}
    today = today or timezone.now().date()
    start = dt.datetime.combine(min(b.quarter for b in budgets), dt.time(0), tzinfo=dt.UTC)
    last = max(b.ends_on for b in budgets) + dt.timedelta(days=1)
    minutes = {
        (row["team"], row["in_quarter"]): row["minutes"]
        for row in Attendance.objects.filter(
            attended=True,
            occurrence__ritual__team__in={b.team_id for b in budgets},
            occurrence__ritual__format=Format.SYNC,
            occurrence__starts_at__gte=start,
            occurrence__starts_at__lt=dt.datetime.combine(last, dt.time(0), tzinfo=dt.UTC),
        )
        .annotate(
            team=F("occurrence__ritual__team"),
            in_quarter=TruncQuarter(
                "occurrence__starts_at", output_field=DateField(), tzinfo=dt.UTC
            ),
        )
        .values("team", "in_quarter")
        .annotate(minutes=Sum("occurrence__ritual__duration"))
    }
    return {
        b.pk: _status(
            b,
            spent.get(b.pk, {}),
            Decimal(minutes.get((b.team_id, b.quarter)) or 0),
            today,
        )
        for b in budgets
    }


def budget_totals(budgets: QuerySet, *, quarter: dt.date, today: dt.date | None = None) -> dict:
    """The quarter's budgets of the queryset added up, as one budget's status reads
    (allocated, spent, projected, hours), in three queries however many budgets: the
    page lists them a page at a time, the totals are of them all."""
    today = today or timezone.now().date()
    allocated = budgets.order_by().aggregate(money=Sum("money"), hours=Sum("hours"))
    spent = Spend.objects.filter(budget__in=budgets).aggregate(
        money=Sum("amount"), hours=Sum("hours")
    )
    start = dt.datetime.combine(quarter, dt.time(0), tzinfo=dt.UTC)
    end = dt.datetime.combine(quarter_end(quarter) + dt.timedelta(days=1), dt.time(0), dt.UTC)
    minutes = Attendance.objects.filter(
        attended=True,
        occurrence__ritual__team__in=budgets.values("team"),
        occurrence__ritual__format=Format.SYNC,
        occurrence__starts_at__gte=start,
        occurrence__starts_at__lt=end,
    ).aggregate(m=Sum("occurrence__ritual__duration"))["m"]
    whole = Budget(
        quarter=quarter,
        money=allocated["money"] or Decimal(0),
        hours=allocated["hours"] or Decimal(0),
    )
    status = _status(whole, spent, Decimal(minutes or 0), today)
    return {
        "money": whole.money,
        "spent": status.money_spent,
        "projected": status.money_projected,
        "hours": whole.hours,
        "hours_spent": status.hours_spent,
    }


def _with_spends(budgets) -> tuple[list[Budget], dict[int, dict]]:
    """The budgets, and the sums of each one's spends by its id; a queryset's in one
    query (the sums as subqueries of its rows), a list's in one more."""
    if isinstance(budgets, QuerySet):
        listed = list(budgets.annotate(spent=_spends("amount"), logged=_spends("hours")))
        return listed, {b.pk: {"money": b.spent, "hours": b.logged} for b in listed}
    listed = list(budgets)
    spent = {
        row["budget"]: row
        for row in Spend.objects.filter(budget__in=listed)
        .values("budget")
        .annotate(money=Sum("amount"), hours=Sum("hours"))
    }
    return listed, spent


def _spends(field: str) -> Subquery:
    """The sum of a budget's spends' `field`, as a subquery of the budget's row."""
    return Subquery(
        Spend.objects.filter(budget=OuterRef("pk"))
        .order_by()
        .values("budget")
        .annotate(total=Sum(field))
        .values("total")
    )


def _status(budget: Budget, spent: dict, minutes: Decimal, today: dt.date) -> BudgetStatus:
    money = spent.get("money") or Decimal(0)
    logged = spent.get("hours") or Decimal(0)
    in_rituals = (minutes / 60).quantize(Decimal("0.1"))
    length = (budget.ends_on - budget.quarter).days + 1
    elapsed = min(max((today - budget.quarter).days + 1, 1), length)
    factor = Decimal(length) / Decimal(elapsed)
    return BudgetStatus(
        budget=budget,
        money_spent=money,
        hours_logged=logged,
        hours_in_rituals=in_rituals,
        money_left=budget.money - money,
        hours_left=budget.hours - logged - in_rituals,
        money_projected=(money * factor).quantize(Decimal("0.01")),
        hours_projected=((logged + in_rituals) * factor).quantize(Decimal("0.1")),
    )


def log_spend(
    *,
    budget: Budget,
    category: str,
    amount: Decimal,
    hours: Decimal,
    spent_on: dt.date,
    note: str,
    logged_by: User,
) -> Spend:
    """Record a spend; the budget row is locked, so two spends can't both take the last of it."""
    if amount < 0 or hours < 0:
        raise RitualError(_("Amounts and hours can't be negative."))
    if amount == 0 and hours == 0:
        raise RitualError(_("Enter an amount, hours, or both."))
    if category not in Spend.Category.values:
        raise RitualError(_("Choose a category."))
    today = timezone.now().date()
    if budget.ends_on < today:
        raise RitualError(
            _("%(quarter)s is closed; log it against this quarter.")
            % {"quarter": budget.quarter_label}
        )
    if not budget.quarter <= spent_on <= budget.ends_on:
        raise RitualError(
            _("The date must fall in %(quarter)s.") % {"quarter": budget.quarter_label}
        )
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        status = budget_status(locked, today=today)
        if not locked.allow_overspend:
            if amount > status.money_left:
                raise RitualError(
                    _("That would go over the budget: %(left)s left this quarter.")
                    % {"left": status.money_left}
                )
            if hours > status.hours_left:
                raise RitualError(
                    _("That would go over the budget: %(left)s hours left this quarter.")
                    % {"left": status.hours_left}
                )
        spend = Spend.objects.create(
            budget=locked,
            category=category,
            amount=amount,
            hours=hours,
            spent_on=spent_on,
            note=note,
            logged_by=logged_by,
        )
        record(
            actor=logged_by,
            action=AuditEntry.Action.SPEND_LOGGED,
            target=locked,
            detail={"amount": str(amount), "hours": str(hours), "category": category},
        )
    return spend
