"""The 30-day pilot: a few teams run a few catalogue rituals, then a report says whether
it made them more connected than teams that were not in it.

Starting one adopts each chosen ritual in each pilot team (with its reminders, as any
adoption), and takes the baseline: the teams' last pulse rounds, or a first round
opened now when none of them has a scored round in the last BASELINE_WEEKS. The report
reads only figures the dashboards already show (each team's published weekly score,
the guarded activity share), so it reveals nothing they do not; its verdict is the
evidence cards' difference in differences (insights/evidence) over the pilot's rounds,
which says "too small to tell" rather than guess when there are too few teams or
rounds. A pilot can be extended, and its rituals rolled out to more teams, in one step.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from connection import privacy
from connection.audit import record
from connection.calendar import monday
from connection.i18n import speaking
from connection.models import AuditEntry, Team, User
from connection.nudges import NudgeSpec, plan_nudges
from insights import evidence
from insights.dashboards.common import min_group_size
from insights.dashboards.evidence import alerted_before
from insights.evidence import changes
from insights.models import Alert, Pilot, TeamWeek
from pulse.services import open_round
from rituals.models import Attendance, RitualTemplate, Spend, TeamRitual
from rituals.models.rituals import Format
from rituals.services.occurrences import Health, with_health
from rituals.services.rituals import adopt_ritual, suggest_slots

PILOT_DAYS = 30
MAX_TEAMS = 6
MAX_RITUALS = 3
MAX_LEAD_DAYS = 60  # how far ahead a pilot may be planned
MAX_EXTENSION_WEEKS = 8
BASELINE_WEEKS = 8  # a scored round this recent is a baseline
BEFORE = 4  # the rounds before the start the report compares with
MIN_TEAMS = 3  # as the evidence cards: fewer adopting teams can't be told from chance
HISTORY = dt.timedelta(weeks=26)
DEFAULT_START = dt.time(10, 0)
TOO_SMALL = "too small to tell"  # the pilot's verdict beside the evidence cards' own
TOO_SMALL_LABEL = gettext_lazy("too small to tell")


class PilotError(Exception):
    """Why a pilot can't be started, extended or rolled out, in words for the page."""


def _names(items) -> str:
    return ", ".join(item.name for item in items)


def _refuse_unfit_teams(teams: list[Team], templates: list[RitualTemplate]) -> None:
    parents = [t for t in teams if t.children.exists()]
    if parents:
        raise PilotError(
            ngettext(
                "%(teams)s has sub-teams: a pilot needs teams without them, since a team's "
                "score mixes its sub-teams'.",
                "%(teams)s have sub-teams: a pilot needs teams without them, since a team's "
                "score mixes its sub-teams'.",
                len(parents),
            )
            % {"teams": _names(parents)}
        )
    running = (
        TeamRitual.objects.active()
        .filter(team__in=teams, template__in=templates)
        .select_related("team", "template")
        .order_by("team__name", "template__name")
    )
    found = [
        _("%(team)s already runs %(ritual)s") % {"team": r.team.name, "ritual": r.template.name}
        for r in running
    ]
    if found:
        raise PilotError(
            _("%(found)s: its “before” would already hold the ritual. Pick other teams or rituals.")
            % {"found": "; ".join(found)}
        )


def _schedule(team: Team, template: RitualTemplate, on: dt.date) -> tuple[dt.time, str]:
    """(start time, time zone): the best slot in the team's shared hours on the first
    day, else ten o'clock in the time zone of the team's first manager."""
    slots = suggest_slots(team=team, duration=template.default_duration, on=on, count=1)
    if slots:
        return slots[0].starts_at.astimezone(dt.UTC).time(), "UTC"
    manager = team.managers.order_by("pk").first()
    return DEFAULT_START, manager.time_zone if manager else "UTC"


def _adopt(
    pilot: Pilot,
    teams: list[Team],
    templates: list[RitualTemplate],
    by: User,
    *,
    starts_on: dt.date,
    review_on: dt.date,
) -> list[TeamRitual]:
    rituals = []
    for team in teams:
        for template in templates:
            start_time, zone = _schedule(team, template, starts_on)
            rituals.append(
                adopt_ritual(
                    team=team,
                    created_by=by,
                    name=template.name,
                    format=template.format,
                    rule=template.default_rule,
                    start_time=start_time,
                    time_zone=zone,
                    duration=template.default_duration,
                    hypothesis=(
                        template.hypothesis
                        or _("Part of the pilot “%(name)s”") % {"name": pilot.name}
                    )[:200],
                    template=template,
                    review_on=review_on,
                    starts_on=starts_on,
                    confirm_outside_hours=True,  # the slot is the team's best; leads can move it
                )
            )
    return rituals


def has_baseline(teams: list[Team], today: dt.date) -> bool:
    """Whether some pilot team has a scored pulse round in the last BASELINE_WEEKS."""
    since = monday(today) - dt.timedelta(weeks=BASELINE_WEEKS)
    return TeamWeek.objects.filter(team__in=teams, week__gte=since, score__isnull=False).exists()


def start_pilot(
    *,
    name: str,
    teams: list[Team],
    templates: list[RitualTemplate],
    starts_on: dt.date,
    by: User,
    now: dt.datetime | None = None,
) -> Pilot:
    """Adopt each ritual in each team from `starts_on`, for PILOT_DAYS, and take the
    baseline. Refused (PilotError, nothing written) for parent teams, a ritual a team
    already runs, or a start in the past or too far ahead."""
    now = now or timezone.now()
    today = now.date()
    if not 1 <= len(teams) <= MAX_TEAMS:
        raise PilotError(_("Choose between 1 and %(max)s teams.") % {"max": MAX_TEAMS})
    if not 1 <= len(templates) <= MAX_RITUALS:
        raise PilotError(_("Choose between 1 and %(max)s rituals.") % {"max": MAX_RITUALS})
    if not today <= starts_on <= today + dt.timedelta(days=MAX_LEAD_DAYS):
        raise PilotError(
            _("A pilot starts between today and %(days)s days from now.") % {"days": MAX_LEAD_DAYS}
        )
    with transaction.atomic():
        # One pilot at a time per team: a second, racing start waits here and then
        # finds the rituals the first adopted.
        list(Team.objects.select_for_update().filter(pk__in=[t.pk for t in teams]))
        _refuse_unfit_teams(teams, templates)
        pilot = Pilot.objects.create(
            name=name,
            started_by=by,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=PILOT_DAYS),
        )
        pilot.teams.set(teams)
        pilot.templates.set(templates)
        rituals = _adopt(pilot, teams, templates, by, starts_on=starts_on, review_on=pilot.ends_on)
        pilot.rituals.set(rituals)
        if not has_baseline(teams, today):
            pilot.first_round = open_round(now=now, now_anyway=True)
            pilot.save(update_fields=["first_round"])
        record(
            actor=by,
            action=AuditEntry.Action.PILOT_STARTED,
            target=pilot,
            detail={
                "teams": sorted(t.name for t in teams),
                "rituals": sorted(t.name for t in templates),
                "starts_on": starts_on.isoformat(),
                "ends_on": pilot.ends_on.isoformat(),
            },
        )
    return pilot


def extend_pilot(*, pilot: Pilot, weeks: int, by: User) -> Pilot:
    """The pilot and its rituals' review run `weeks` longer; the report waits for it."""
    if not 1 <= weeks <= MAX_EXTENSION_WEEKS:
        raise PilotError(_("Extend by 1 to %(max)s weeks.") % {"max": MAX_EXTENSION_WEEKS})
    with transaction.atomic():
        pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
        pilot.ends_on += dt.timedelta(weeks=weeks)
        pilot.report_sent_on = None
        pilot.save(update_fields=["ends_on", "report_sent_on"])
        TeamRitual.objects.filter(pilots=pilot).update(review_on=pilot.ends_on, review_sent_on=None)
        record(
            actor=by,
            action=AuditEntry.Action.PILOT_EXTENDED,
            target=pilot,
            detail={"weeks": weeks, "ends_on": pilot.ends_on.isoformat()},
        )
    return pilot


def roll_out(*, pilot: Pilot, teams: list[Team], by: User) -> int:
    """Adopt the pilot's rituals in more teams, starting today; the rituals adopted.
    The report keeps judging the pilot's own teams and lists these."""
    if not teams:
        raise PilotError(_("Choose at least one team."))
    inside = [t for t in teams if pilot.teams.filter(pk=t.pk).exists()]
    if inside:
        raise PilotError(
            ngettext("%(teams)s is in the pilot.", "%(teams)s are in the pilot.", len(inside))
            % {"teams": _names(inside)}
        )
    templates = list(pilot.templates.order_by("name"))
    with transaction.atomic():
        list(Team.objects.select_for_update().filter(pk__in=[t.pk for t in teams]))
        _refuse_unfit_teams(teams, templates)
        today = timezone.now().date()
        review_on = today + dt.timedelta(days=PILOT_DAYS)
        adopted = _adopt(pilot, teams, templates, by, starts_on=today, review_on=review_on)
        pilot.rolled_out_to.add(*teams)
        record(
            actor=by,
            action=AuditEntry.Action.PILOT_ROLLED_OUT,
            target=pilot,
            detail={"teams": sorted(t.name for t in teams), "rituals": len(adopted)},
        )
    return len(adopted)


def send_pilot_reports(*, now: dt.datetime | None = None) -> int:
    """Tell whoever started each pilot that just ended that its report is ready."""
    today = (now or timezone.now()).date()
    due = list(
        Pilot.objects.filter(ends_on__lte=today, report_sent_on__isnull=True).select_related(
            "started_by"
        )
    )
    specs = []
    for pilot in due:
        if pilot.started_by is None or not pilot.started_by.is_active:
            continue
        with speaking(pilot.started_by):
            payload = {
                "title": _("The pilot “%(name)s” is over: its report is ready")
                % {"name": pilot.name},
                "body": _(
                    "Before and after for each team, against comparable teams, with "
                    "what to keep, adjust or retire."
                ),
                "url": f"/insights/pilots/{pilot.pk}/",
            }
        specs.append(
            NudgeSpec(
                recipient=pilot.started_by,
                kind="pilot_report",
                dedupe_key=f"pilot:{pilot.pk}:report:{pilot.ends_on.isoformat()}",
                payload=payload,
            )
        )
    with transaction.atomic():
        plan_nudges(specs)
        Pilot.objects.filter(pk__in=[p.pk for p in due]).update(report_sent_on=today)
    return len(specs)


# ---------------------------------------------------------------- the report


@dataclass
class TeamRow:
    team: Team
    before: float | None  # mean published score over its baseline rounds
    after: float | None  # over the pilot's rounds
    compared: float | None  # the comparable teams' mean change over the same rounds
    rounds_before: int
    rounds_after: int
    active_before: int | None  # share of people active in the ledger, guarded
    active_after: int | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def beyond(self) -> float | None:
        """Its change beyond the comparable teams' over the same rounds."""
        if self.change is None or self.compared is None:
            return None
        return self.change - self.compared


@dataclass
class RitualRow:
    ritual: TeamRitual
    health: Health


@dataclass
class Usage:
    person_hours: Decimal  # hours people spent in the pilot's synchronous rituals
    money: Decimal  # spends logged on the pilot teams' budgets during the pilot
    hours_logged: Decimal


@dataclass
class Report:
    pilot: Pilot
    state: str
    card: evidence.Card
    explain: str
    verdict: str
    advice: str
    teams: list[TeamRow]
    rituals: list[RitualRow]
    usage: Usage
    rounds_after: int
    comparison_teams: int
    rolled_out: list[Team] = field(default_factory=list)

    @property
    def verdict_label(self) -> str:
        """The verdict in words for the page (`verdict` stays the identifier)."""
        if self.verdict == TOO_SMALL:
            return str(TOO_SMALL_LABEL)
        return str(evidence.VERDICT_LABELS.get(self.verdict, self.verdict))

    @property
    def before(self) -> float | None:
        return _mean([row.before for row in self.teams])

    @property
    def after(self) -> float | None:
        return _mean([row.after for row in self.teams])

    @property
    def team_names(self) -> str:
        return ", ".join(row.team.name for row in self.teams)

    @property
    def ritual_names(self) -> str:
        """The rituals tried, each once (read from the pilot's rituals, no query)."""
        names = {(r.ritual.template or r.ritual).name: None for r in self.rituals}
        return ", ".join(names)

    @property
    def rounds_before(self) -> int:
        """The baseline rounds: at most BEFORE, fewer when the pulse is young."""
        return max((row.rounds_before for row in self.teams), default=0)

    @property
    def attendance(self) -> int | None:
        rates = [r.health.attendance_rate for r in self.rituals]
        return round(statistics.fmean(rates)) if rates and None not in rates else None

    @property
    def worth_it(self) -> int | None:
        """The share of "worth it" taps over every rated session of the pilot."""
        rated = [(r.health.worth_it_share, r.health.ratings) for r in self.rituals]
        total = sum(n for share, n in rated if share is not None)
        if not total:
            return None
        return round(sum(share * n for share, n in rated if share is not None) / total)

    @property
    def ratings(self) -> int:
        return sum(r.health.ratings for r in self.rituals)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _weeks(pilot: Pilot) -> list[tuple]:
    """Each team without sub-teams' weekly figures from HISTORY before the start until
    the pilot's end, in one query: (team, week, score, respondents, active, members,
    shown)."""
    return list(
        TeamWeek.objects.filter(
            team__in=Team.objects.filter(children__isnull=True).values("pk"),
            week__gte=monday(pilot.starts_on) - HISTORY,
            week__lt=pilot.ends_on,
        ).values_list(
            "team_id", "week", "score", "respondents", "active_members", "members", "people_shown"
        )
    )


def _scores(weeks: list[tuple]) -> tuple[dict, dict]:
    """Each team's published weekly scores, and the respondents behind them."""
    scores: dict = defaultdict(dict)
    respondents: dict = defaultdict(dict)
    for team_id, week, score, n, *_behaviour in weeks:
        if score is not None:
            scores[team_id][week] = score
            respondents[team_id][week] = n or 0
    return scores, respondents


def _others(pilot_teams: set[int]) -> dict[int, list[dt.date]]:
    """Every other team's adoptions of catalogue rituals: a team that adopted one within
    the pilot's rounds is no comparison for it."""
    others: dict = defaultdict(list)
    for team_id, starts_on in (
        TeamRitual.objects.filter(template__isnull=False)
        .exclude(team__in=pilot_teams)
        .values_list("team_id", "starts_on")
    ):
        others[team_id].append(monday(starts_on))
    return others


def _active(pilot: Pilot, weeks: list[tuple], teams: set[int], today: dt.date) -> dict[int, tuple]:
    """Each team's guarded share of people active in the ledger: the mean over the
    BEFORE weeks before the start, and over the pilot's weeks so far."""
    start = monday(pilot.starts_on)
    first, end = start - dt.timedelta(weeks=BEFORE), min(pilot.ends_on, today)
    k = min_group_size()
    sides: dict = defaultdict(lambda: ([], []))
    for team_id, week, _score, _n, active, members, shown in weeks:
        if team_id in teams and first <= week < end:
            share = privacy.people_share(active, members, k, shown)
            sides[team_id][0 if week < start else 1].append(share)
    # The mean over the weeks whose share the guard shows (each one a page may show).
    return {
        team_id: tuple(
            round(statistics.fmean(shown))
            if (shown := [s for s in side if s is not None])
            else None
            for side in sides[team_id]
        )
        for team_id in teams
    }


def _usage(pilot: Pilot, teams: list[int]) -> Usage:
    end = dt.datetime.combine(pilot.ends_on, dt.time(0), tzinfo=dt.UTC)
    start = dt.datetime.combine(pilot.starts_on, dt.time(0), tzinfo=dt.UTC)
    minutes = Attendance.objects.filter(
        attended=True,
        occurrence__ritual__in=pilot.rituals.filter(format=Format.SYNC),
        occurrence__starts_at__gte=start,
        occurrence__starts_at__lt=end,
    ).aggregate(m=Sum(F("occurrence__ritual__duration")))["m"]
    spends = Spend.objects.filter(
        budget__team__in=teams, spent_on__gte=pilot.starts_on, spent_on__lt=pilot.ends_on
    ).aggregate(money=Sum("amount"), hours=Sum("hours"))
    return Usage(
        person_hours=(Decimal(minutes or 0) / 60).quantize(Decimal("0.1")),
        money=spends["money"] or Decimal(0),
        hours_logged=spends["hours"] or Decimal(0),
    )


def _verdict(card: evidence.Card, teams: int) -> tuple[str, str, str]:
    """(verdict, why, what to do) for the pilot as a whole."""
    if teams < MIN_TEAMS and card.verdict == evidence.TOO_EARLY:
        return (
            TOO_SMALL,
            ngettext(
                "With %(n)s team in the pilot, a change can't be told from chance: at least "
                "%(min)s teams are needed, each with pulse rounds before and during the pilot.",
                "With %(n)s teams in the pilot, a change can't be told from chance: at least "
                "%(min)s teams are needed, each with pulse rounds before and during the pilot.",
                teams,
            )
            % {"n": teams, "min": MIN_TEAMS},
            _(
                "Roll the rituals out to more teams and read the evidence cards in a few "
                "weeks, or keep the rituals the teams found worth their time."
            ),
        )
    advice = {
        evidence.HELPS: _("Roll it out to more teams, keeping the rituals people found worth it."),
        evidence.MAY_HURT: _(
            "Retire or rethink the rituals before going further, and ask the "
            "teams what got in the way."
        ),
        evidence.NO_CLEAR_EFFECT: _(
            "Keep the rituals the teams found worth their time; adjust or retire the rest."
        ),
        evidence.TOO_EARLY: _(
            "Extend the pilot for a few more pulse rounds, or roll it out to "
            "more teams so there are enough to compare."
        ),
    }[card.verdict]
    return card.verdict, card.reason, advice


def pilot_report(pilot: Pilot, *, now: dt.datetime | None = None) -> Report:
    """Before and after for each pilot team and for the pilot as a whole, against
    comparable teams over the same rounds, with participation, "worth it", budget used
    and what to do next. Reads only published scores and guarded shares."""
    now = now or timezone.now()
    today = now.date()
    teams = list(pilot.teams.order_by("name"))
    team_ids = {t.pk for t in teams}
    weeks = _weeks(pilot)
    scores, respondents = _scores(weeks)
    start = monday(pilot.starts_on)
    during = [w for w in changes.pulse_rounds(scores) if start < w < min(pilot.ends_on, today)]
    adopted = {t: start for t in team_ids if t in scores}
    alerts: dict = defaultdict(list)
    for team_id, week in Alert.objects.filter(team__in=team_ids).values_list("team_id", "week"):
        alerts[team_id].append(week)
    windows = {
        "others": _others(team_ids),
        "alerted": alerted_before(adopted, alerts),
        "before": BEFORE,
        "min_teams": MIN_TEAMS,
    }
    after = max(len(during), 1)
    min_rounds = min(2, after)
    # Scores after the pilot's end or after today are not the pilot's.
    scores = {
        team: {w: s for w, s in series.items() if w <= start or w in during}
        for team, series in scores.items()
    }
    found = changes.measure(
        scores, respondents, adopted, after=after, min_rounds=min_rounds, **windows
    )
    if during:
        card = evidence.difference_in_differences(
            scores, respondents, adopted, after=after, min_rounds=min_rounds, **windows
        )
    else:
        card = evidence.Card(
            None,
            None,
            None,
            0,
            0,
            0,
            evidence.TOO_EARLY,
            _(
                "No pulse round has been scored since the pilot started: the first “after” "
                "figures come with the next round."
            ),
        )
    active = _active(pilot, weeks, team_ids, today)
    rows = []
    for team in teams:
        series = scores.get(team.pk, {})
        own = found.own.get(team.pk)
        pre = [w for w in changes.pulse_rounds(scores) if w < start][-BEFORE:]
        before, used_before = changes.window_mean(series, pre, 1)
        after_mean, used_after = changes.window_mean(series, during, 1)
        compared = None
        if own is not None and found.window_changes.get(own[1]):
            compared = statistics.fmean(found.window_changes[own[1]].values())
        rows.append(
            TeamRow(
                team,
                before,
                after_mean,
                compared,
                len(used_before),
                len(used_after),
                *active[team.pk],
            )
        )
    verdict, reason, advice = _verdict(card, len(teams))
    card = replace(card, reason=reason)
    rituals = with_health(
        pilot.rituals.select_related("team", "template").order_by("template__name", "team__name"),
        now=min(now, dt.datetime.combine(pilot.ends_on, dt.time(0), tzinfo=dt.UTC)),
    )
    return Report(
        pilot=pilot,
        state=pilot.state(today),
        card=card,
        explain=evidence.explain(card) if card.effect is not None else "",
        verdict=verdict,
        advice=advice,
        teams=rows,
        rituals=[RitualRow(ritual, health) for ritual, health in rituals],
        usage=_usage(pilot, list(team_ids)),
        rounds_after=len(during),
        comparison_teams=len(found.pool),
        rolled_out=list(pilot.rolled_out_to.order_by("name")),
    )
