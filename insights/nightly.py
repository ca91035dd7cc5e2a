"""The nightly computation: per team and ISO week, what the dashboards read.

For a week it writes one `TeamWeek` per team (its whole subtree) and one for
the organisation, and the team-by-team tie matrix at every level of the
hierarchy (`TeamTie`). Re-running a week deletes and rewrites that week's
rows in one transaction, so a retry or a second beat never duplicates.

The heavy lifting is set-based SQL over the signal ledger (a handful of
GROUP BY queries, whatever the org's size); Python then only walks teams and
team pairs, rolling each figure up the materialised path. Pulse figures come
from the rounds' snapshots and are kept only where the round's stored
privacy verdict shows them.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection as db
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from connection import privacy
from connection.calendar import NEWCOMER_DAYS, monday, week_bounds
from connection.models import OrgSettings, Signal, Team, User
from insights.models import TeamTie, TeamWeek
from pulse.models import Round
from pulse.results import OrgSnapshot

NETWORK_DAYS = 90
FIRST_ASK_GRACE_DAYS = 14
HELP_SEEKING = (Signal.Kind.ASKED, Signal.Kind.BOOKED, Signal.Kind.CHECKED_IN)
KEEP_TIE_WEEKS = 13
PARTNERS = 12  # the other teams kept per team, most ties first
WORK_MEM = "256MB"  # per hash or sort of the nightly's own queries, on PostgreSQL


def _date(value) -> dt.date | None:
    # SQLite hands raw cursors text; PostgreSQL hands dates and datetimes.
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    return dt.date.fromisoformat(str(value)[:10])


@dataclass
class Figures:
    members: int = 0
    active: int = 0
    signals: int = 0
    isolated: int = 0
    internal: int = 0
    external: int = 0
    partners: dict = field(default_factory=lambda: defaultdict(int))
    newcomers: int = 0
    without_ask: int = 0
    ask_days: list = field(default_factory=list)


class Hierarchy:
    """Teams with their ancestors (from the materialised path), root first."""

    def __init__(self) -> None:
        rows = list(Team.objects.values_list("pk", "parent_id", "depth", "path"))
        self.parent = {pk: parent for pk, parent, _, _ in rows}
        self.depth = {pk: depth for pk, _, depth, _ in rows}
        self.chain = {pk: Team.ids_on_path(path) for pk, _, _, path in rows}
        self.chain[None] = []

    def up(self, team_id) -> list:
        """The team and every team above it; unknown or no team: nothing."""
        return self.chain.get(team_id, [])


def _sql(query: str, params: list) -> list[tuple]:
    """One of the set-based queries. On PostgreSQL it may use WORK_MEM for its hashes:
    with the default 4 MB, the 90 days' distinct pairs of 100,000 people (1.3 million
    of 10 million signals) spilled into so many batches that the query ran for over
    ten minutes; with room for them in memory (about 115 MB), 10 seconds."""
    tables = {"sig": Signal._meta.db_table, "usr": User._meta.db_table}
    with transaction.atomic(), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(query.format(**tables), params)
        return cursor.fetchall()


def _people(figures: dict, teams: Hierarchy, end: dt.datetime) -> dict:
    """Members of each subtree who had started by the week's end; returns direct counts."""
    started = Q(start_date__isnull=True) | Q(start_date__lt=end.date())
    rows = (
        User.objects.filter(started, is_active=True)
        .values_list("team_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    direct = dict(rows)
    for team_id, n in direct.items():
        for owner in [None, *teams.up(team_id)]:
            figures[owner].members += n
    return direct


def _activity(figures: dict, teams: Hierarchy, start: dt.datetime, end: dt.datetime) -> None:
    # Everyone who took part in any act of connecting this week, as actor or as the other.
    rows = _sql(
        """
        SELECT u.team_id, COUNT(*) FROM {usr} u
        JOIN (SELECT actor_id AS pid FROM {sig} WHERE occurred_at >= %s AND occurred_at < %s
              UNION
              SELECT other_id FROM {sig}
              WHERE other_id IS NOT NULL AND occurred_at >= %s AND occurred_at < %s) a
          ON a.pid = u.id
        WHERE u.is_active = %s
        GROUP BY u.team_id
        """,
        [start, end, start, end, True],
    )
    for team_id, n in rows:
        for owner in [None, *teams.up(team_id)]:
            figures[owner].active += n
    rows = (
        Signal.objects.filter(occurred_at__gte=start, occurred_at__lt=end, actor__is_active=True)
        .values_list("actor__team_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for team_id, n in rows:
        for owner in [None, *teams.up(team_id)]:
            figures[owner].signals += n


def _network(figures: dict, teams: Hierarchy, end: dt.datetime) -> dict:
    """Ties over the last 90 days: distinct pairs of people with a signal between them,
    counted per pair of teams. Returns {depth: {(team_a, team_b): ties}}."""
    start = end - dt.timedelta(days=NETWORK_DAYS)
    pair_rows = _sql(
        """
        SELECT ua.team_id, ub.team_id, COUNT(*) FROM (
            SELECT DISTINCT
              CASE WHEN actor_id < other_id THEN actor_id ELSE other_id END AS a,
              CASE WHEN actor_id < other_id THEN other_id ELSE actor_id END AS b
            FROM {sig}
            WHERE other_id IS NOT NULL AND other_id <> actor_id
              AND occurred_at >= %s AND occurred_at < %s
        ) p
        JOIN {usr} ua ON ua.id = p.a
        JOIN {usr} ub ON ub.id = p.b
        WHERE ua.is_active = %s AND ub.is_active = %s
        GROUP BY ua.team_id, ub.team_id
        """,
        [start, end, True, True],
    )
    matrix: dict = defaultdict(lambda: defaultdict(int))
    for team_a, team_b, ties in pair_rows:
        figures[None].internal += ties  # the organisation: every tie is inside it
        up_a, up_b = teams.up(team_a), teams.up(team_b)
        set_a, set_b = set(up_a), set(up_b)
        for owner in set_a & set_b:
            figures[owner].internal += ties
        for owner in set_a ^ set_b:
            figures[owner].external += ties
        for owner in set_a - set_b:
            figures[owner].partners[team_b] += ties
        for owner in set_b - set_a:
            figures[owner].partners[team_a] += ties
        for depth in range(min(len(up_a), len(up_b))):
            a, b = sorted((up_a[depth], up_b[depth]))
            matrix[depth][(a, b)] += ties
    # Two anti-joins on the indexed actor and other columns: a NOT IN over the
    # window's few million ids could not be hashed and rescanned per person.
    rows = _sql(
        """
        SELECT u.team_id, COUNT(*) FROM {usr} u
        WHERE u.is_active = %s AND (u.start_date IS NULL OR u.start_date < %s)
          AND NOT EXISTS (
            SELECT 1 FROM {sig} s WHERE s.actor_id = u.id AND s.other_id IS NOT NULL
              AND s.other_id <> s.actor_id AND s.occurred_at >= %s AND s.occurred_at < %s)
          AND NOT EXISTS (
            SELECT 1 FROM {sig} s WHERE s.other_id = u.id AND s.other_id <> s.actor_id
              AND s.occurred_at >= %s AND s.occurred_at < %s)
        GROUP BY u.team_id
        """,
        [True, end.date(), start, end, start, end],
    )
    for team_id, n in rows:
        for owner in [None, *teams.up(team_id)]:
            figures[owner].isolated += n
    return matrix


def _onboarding(figures: dict, teams: Hierarchy, end: dt.datetime) -> None:
    """Days from each newcomer's start date to their first help-seeking signal."""
    today = end.date() - dt.timedelta(days=1)
    kinds = [str(kind) for kind in HELP_SEEKING]
    rows = _sql(
        f"""
        SELECT u.team_id, u.start_date, MIN(s.occurred_at) FROM {{usr}} u
        LEFT JOIN {{sig}} s ON s.actor_id = u.id AND s.occurred_at < %s
          AND s.kind IN ({", ".join(["%s"] * len(kinds))})
        WHERE u.is_active = %s AND u.start_date > %s AND u.start_date <= %s
        GROUP BY u.id, u.team_id, u.start_date
        """,
        [end, *kinds, True, today - dt.timedelta(days=NEWCOMER_DAYS), today],
    )
    for team_id, started, first in rows:
        started, first = _date(started), _date(first)
        days = max(0, (first - started).days) if first else None
        late = (today - started).days >= FIRST_ASK_GRACE_DAYS and (
            days is None or days > FIRST_ASK_GRACE_DAYS
        )
        for owner in [None, *teams.up(team_id)]:
            figures[owner].newcomers += 1
            figures[owner].without_ask += late
            if days is not None:
                figures[owner].ask_days.append(days)


def _pulse(teams: Hierarchy, start: dt.datetime, end: dt.datetime) -> dict:
    """The latest reported round's figures, as the pulse results show them: the
    rolling score every week, and in the week the round opened its score,
    respondents, response rate and dimension shares (None where the round's
    stored verdicts hide them). {team id or None: dict}."""
    latest = Round.objects.reported().filter(opens_at__lt=end).order_by("-number").first()
    if latest is None:
        return {}
    snapshot = OrgSnapshot([latest])
    snapshot.read_all()
    out = {}
    for team_id in [None, *teams.parent]:
        row: dict = {
            "round_number": latest.number,
            "min_group_size": latest.min_group_size,
            "score_rolling": snapshot.rolling(latest, team_id),
        }
        if latest.opens_at >= start:
            shares = snapshot.dimension_shares(latest, team_id)
            row |= {
                "respondents": snapshot.respondents(latest, team_id),
                "score": snapshot.score(latest, team_id),
                "response_rate": snapshot.response_rate(latest, team_id),
                "dimensions": {d.value: share for d, share in shares.items()},
            }
        out[team_id] = row
    return out


def compute_week(week: dt.date, *, now: dt.datetime | None = None) -> int:
    """Compute (or recompute) one ISO week. Returns the number of TeamWeek rows."""
    now = now or timezone.now()
    week = monday(week)
    start, end = week_bounds(week)
    teams = Hierarchy()
    figures: dict = defaultdict(Figures)
    direct = _people(figures, teams, end)
    _activity(figures, teams, start, end)
    matrix = _network(figures, teams, end)
    _onboarding(figures, teams, end)
    pulse = _pulse(teams, start, end)
    verdicts = privacy.tree(
        {pk: (parent, direct.get(pk, 0)) for pk, parent in teams.parent.items()},
        OrgSettings.load().min_group_size,
        unassigned=direct.get(None, 0),
    )
    shown = {pk for pk, (_, verdict) in verdicts.items() if verdict}
    rows = [
        _team_week(team_id, week, figures[team_id], shown, pulse.get(team_id, {}), now)
        for team_id in [None, *teams.parent]
    ]
    # Only what a page may show: ties between two different teams, at least as
    # many as the smallest k ever allowed (k is re-applied on reading).
    ties = [
        TeamTie(week=week, depth=depth, team_a_id=a, team_b_id=b, ties=n)
        for depth, pairs in matrix.items()
        for (a, b), n in pairs.items()
        if a != b and n >= privacy.ABSOLUTE_MIN_K
    ]
    with transaction.atomic():
        TeamWeek.objects.filter(week=week).delete()
        TeamTie.objects.filter(week=week).delete()
        TeamTie.objects.filter(week__lt=week - dt.timedelta(weeks=KEEP_TIE_WEEKS)).delete()
        TeamWeek.objects.bulk_create(rows, batch_size=1000)
        TeamTie.objects.bulk_create(ties, batch_size=2000)
    return len(rows)


def _team_week(team_id, week: dt.date, f: Figures, shown: set, pulse: dict, now) -> TeamWeek:
    """One team's row (the organisation's with no team): `shown`, the teams whose
    people the guard lets a page count."""
    # Only teams big enough to show count as partners: naming a hidden team
    # tied to this one would tell who in it connected.
    partners = sorted(
        ((pk, n) for pk, n in f.partners.items() if pk is not None and pk in shown),
        key=lambda item: -item[1],
    )
    return TeamWeek(
        team_id=team_id,
        week=week,
        members=f.members,
        people_shown=team_id in shown,
        active_members=f.active,
        signals=f.signals,
        isolated=f.isolated,
        ties_internal=f.internal,
        ties_external=f.external,
        bridges=len(partners),
        partners={str(pk): n for pk, n in partners[:PARTNERS]},
        newcomers=f.newcomers,
        newcomers_without_ask=f.without_ask,
        newcomers_asked=len(f.ask_days),
        first_ask_median_days=statistics.median(f.ask_days) if f.ask_days else None,
        computed_at=now,
        **pulse,
    )


def nightly(now: dt.datetime | None = None) -> list[dt.date]:
    """This week so far and last week (final once its pulse round closed)."""
    now = now or timezone.now()
    today = now.astimezone(dt.UTC).date()
    weeks = [monday(today) - dt.timedelta(weeks=1), monday(today)]
    for week in weeks:
        compute_week(week, now=now)
    return weeks
