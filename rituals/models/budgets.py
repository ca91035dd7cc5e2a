"""Quarterly connection budgets HR sets for teams, and what teams spend from them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connection.calendar import quarter_end, quarter_label
from connection.models import Team


class BudgetQuerySet(models.QuerySet):
    def manageable_by(self, user) -> BudgetQuerySet:
        """Budgets `user` may read: those of the teams they lead (every team for HR).

        A team's members do not see its allocation, spends or notes; the page,
        the list and the API all read budgets through this one method.
        """
        if user.is_authenticated and user.is_active and user.is_hr_admin:
            return self.all()  # every team's, without "team in (every team)"
        return self.filter(team__in=Team.objects.led_by(user))


class Budget(models.Model):
    """A team's connection allocation for one quarter, set by HR."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="budgets")
    quarter = models.DateField(help_text=_("First day of the quarter."))
    hours = models.DecimalField(max_digits=8, decimal_places=1, default=0)
    money = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    allow_overspend = models.BooleanField(default=False)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter", "team"]
        constraints = [
            models.UniqueConstraint(fields=["team", "quarter"], name="one_budget_per_quarter"),
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(money__gte=0), name="budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.quarter_label}"

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def ends_on(self) -> dt.date:
        return quarter_end(self.quarter)


class Spend(models.Model):
    class Category(models.TextChoices):
        GATHERING = "gathering", _("In-person gathering")
        LEARNING_PAIR = "learning_pair", _("Learning pair")
        FACILITATION = "facilitation", _("Facilitation training")
        TRAVEL = "travel", _("Travel stipend")
        ONBOARDING = "onboarding", _("Onboarding coach")
        OTHER = "other", _("Other")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="spends")
    category = models.CharField(max_length=15, choices=Category.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    hours = models.DecimalField(max_digits=8, decimal_places=1, default=0)
    spent_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(hours__gte=0), name="spend_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"
