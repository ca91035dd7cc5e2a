"""Team selects that never hold the whole organisation, and the teams a page showing
one team at a time offers to switch to.

An org of 100,000 people has about 8,000 teams: a select of them all is half a
megabyte on every page that has one. Past TEAMS_LISTED teams a select holds the
chosen team and the first TEAMS_LISTED in tree order, and (with htmx) a search box
fills it with the teams matching what is typed (`connection.views.teams_pick`).
"""

from __future__ import annotations

from django import forms
from django.db.models import Case, Q, When
from django.urls import reverse
from django.utils.http import urlencode

from connection.models import Team

TEAMS_LISTED = 100  # a team select lists all the teams up to this many


class TeamSelect(forms.Select):
    """A team select that never holds the whole org: every team when there are at
    most TEAMS_LISTED, else the chosen one and the first TEAMS_LISTED in tree order,
    with a search box (htmx, `teams_pick`) that fills the select with the teams whose
    name holds what is typed. `scope` is the set the search looks in: the teams the
    person leads ("led") or may see ("visible"); the form's own queryset decides what
    may be chosen."""

    template_name = "_partials/team_select.html"

    def __init__(self, attrs=None, *, scope: str = "visible") -> None:
        super().__init__(attrs)
        self.scope = scope

    def get_context(self, name, value, attrs):
        # Widget's own context only: Select would build an option a team.
        context = forms.Widget.get_context(self, name, value, attrs)
        many = self.allow_multiple_selected
        if many:
            context["widget"]["attrs"]["multiple"] = True
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {pk for v in values if (pk := _team_id(v)) is not None}
        teams = self.choices.queryset.order_by("path").only("pk", "name", "path", "depth")
        listed = list(teams[: TEAMS_LISTED + 1])
        more = len(listed) > TEAMS_LISTED
        listed = listed[:TEAMS_LISTED]
        missing = chosen - {team.pk for team in listed}
        if missing:
            listed = [*teams.filter(pk__in=missing), *listed]
        label = self.choices.field.label_from_instance
        empty = None if many else self.choices.field.empty_label
        query = {"name": name, "scope": self.scope, "many": int(many)}
        if empty is not None:
            query |= {"blank": 1, "empty": empty}
        context["team_select"] = {
            "empty": empty,
            "options": [(t.pk, label(t), t.pk in chosen) for t in listed],
            "more": more,
            "search_url": f"{reverse('teams_pick')}?{urlencode(query)}",
        }
        return context


class TeamSelectMultiple(TeamSelect):
    """`TeamSelect` for several teams."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False  # an empty multiple select sends nothing


def _team_id(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


SWITCH = 50  # a switch lists every team up to this many


def team_switch(teams, team: Team) -> list[Team]:
    """The teams a page showing one team at a time offers to switch to: all of
    `teams` when there are at most SWITCH; else `team`'s line above it, itself and the
    teams right below it (at most SWITCH), so the list stays short however large the
    org. One query either way: those near `team` first, then the rest in tree order."""
    near = Q(pk__in=team.lineage_ids) | Q(parent=team)
    listed = list(
        teams.annotate(far=Case(When(near, then=0), default=1)).order_by("far", "path")[
            : SWITCH + 1
        ]
    )
    if len(listed) <= SWITCH:
        return sorted(listed, key=lambda t: t.path)
    return [t for t in listed if not t.far][:SWITCH]
