"""Evidence benchmark: does "which rituals work" hold up on orgs where the truth is known?

Synthetic orgs (no database), ORGS of each scenario:

- 20-60 teams of 5-15 people over 26 weeks. Each person has a level of their own;
  each week they answer (with a team-wide response rate of 60-95 %) around their
  team's level, a common trend and a seasonal dip, a team shock and noise, on
  0-100. A team's weekly score is the mean of those who answered, shown only with
  at least K answers (as the guard does: about one week in six is hidden).
- 3-12 teams adopt the ritual, staggered between weeks 6 and 19, and from the
  week after their adoption score `effect` points more.
- Scenarios: effects 0, ±2.5, ±5, +7.5, +10; no effect with teams adopting the
  week after a falling-score alert (regression to the mean); no effect while
  another ritual, adopted by other teams, really works (+10); five rituals
  with no effect judged at once (an org counts as wrong if any card is);
  pulses every two and four weeks; and no effect while the adopters were
  rising faster than the others all along (a pre-trend, which the estimate
  can't tell from an effect: no target, it shows what the pre-trend check
  catches).

Each org is judged exactly as the dashboard judges it: every ritual some team
adopted, each told the others' adoptions and the alerts behind its own, then
`judge_together`. Reported per
scenario: how often the card says "helps", "may hurt" and "too early", how often
its 95 % interval holds the planted effect, the mean estimate, and how often the
card's pre-trend check could be run and how often it flagged (adopters already
moving differently before adopting; a flag turns "helps" or "may hurt" into no clear
effect, so it costs power and must stay near 5 % without a pre-trend). The targets
(issue "Evidence that holds up"): with no effect, "helps" or "may hurt" in at most
5 % of orgs; coverage 93-97 %; +10 found in at least 90 % of orgs with six or more
adopters, +5 in at least 80 % with twelve or more; every cadence reaches a
verdict. Misses are listed as problems.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np

from bench.measure import print_table
from insights import evidence
from insights.evidence import HELPS, MAY_HURT

ORGS = 500
WEEKS = 26
K = 5
FIRST_MONDAY = dt.date(2026, 1, 5)
FALSE_ALARMS_MAX = 0.05
COVERAGE = (0.93, 0.97)


@dataclass(frozen=True)
class Scenario:
    name: str
    effect: float = 0.0
    cadence: int = 1  # a pulse every `cadence` weeks
    after_alert: bool = False  # adopters adopt the week after their score fell
    other_effect: float = 0.0  # another ritual, adopted by other teams, works this much
    adopters: tuple[int, int] = (3, 12)
    rituals: int = 1  # rituals judged at once, all with this effect, by different teams
    lead: float = 0.0  # adopters rise this many points a week more than the others, always


SCENARIOS = [
    Scenario("no effect"),
    Scenario("no effect, adopted after an alert", after_alert=True),
    Scenario("no effect, another ritual works", other_effect=10.0),
    Scenario("no effect, five rituals (any card)", rituals=5, adopters=(3, 6)),
    Scenario("-5", effect=-5.0),
    Scenario("-2.5", effect=-2.5),
    Scenario("+2.5", effect=2.5),
    Scenario("+5", effect=5.0),
    Scenario("+5, 12 adopters", effect=5.0, adopters=(12, 12)),
    Scenario("+7.5", effect=7.5),
    Scenario("+10", effect=10.0),
    Scenario("+10, 6 or more adopters", effect=10.0, adopters=(6, 12)),
    Scenario("+10, pulse every two weeks", effect=10.0, cadence=2),
    Scenario("+10, pulse every four weeks", effect=10.0, cadence=4),
    Scenario("no effect, adopters rising 0.5 a week", lead=0.5),
    Scenario("no effect, adopters rising 1 a week", lead=1.0),
]


def _answers(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each team's people's answers, 0-100, and whether they answered, by week."""
    teams = int(rng.integers(20, 61))
    week = np.arange(WEEKS)
    common = 0.15 * week - 3.0 * np.exp(-(((week - 13) / 2.5) ** 2))
    levels = rng.normal(62, 6, teams)  # low enough that +10 is rarely cut off at 100
    shocks = rng.normal(0, 2.0, (teams, WEEKS))
    answers = []
    for team in range(teams):
        size = int(rng.integers(5, 16))
        people = rng.normal(0, 8, size)
        rate = rng.uniform(0.6, 0.95)
        answered = rng.random((size, WEEKS)) < rate
        values = (
            levels[team]
            + people[:, None]
            + common
            + shocks[team]
            + rng.normal(0, 12, (size, WEEKS))
        )
        answers.append((np.clip(values, 0, 100), answered))
    return answers


def _scores(answers: list, extra: np.ndarray, cadence: int) -> np.ndarray:
    """Team by week: the mean of those who answered, shifted by `extra`, where shown."""
    out = np.full((len(answers), WEEKS), np.nan)
    for team, (values, answered) in enumerate(answers):
        shifted = np.clip(values + extra[team], 0, 100)
        total = (shifted * answered).sum(axis=0)
        n = answered.sum(axis=0)
        shown = (n >= K) & (np.arange(WEEKS) % cadence == 0)
        out[team, shown] = total[shown] / n[shown]
    return out


def org(rng: np.random.Generator, scenario: Scenario):
    """One synthetic org: (scores, respondents, every judged ritual's adopters, the
    alerts behind adoptions), the scenario's ritual first."""
    answers = _answers(rng)
    teams, week = len(answers), np.arange(WEEKS)
    counts = [answered.sum(axis=0) for _, answered in answers]

    def scores_of(extra: np.ndarray) -> np.ndarray:
        return _scores(answers, extra, scenario.cadence)

    base = scores_of(np.zeros((teams, WEEKS)))
    low, high = scenario.adopters
    count = int(rng.integers(low, high + 1))
    order = rng.permutation(teams)
    if scenario.after_alert:
        adoption = _after_alerts(base, order, count)
    else:
        adoption = {int(t): int(rng.integers(6, 20)) for t in order[:count]}
    extra = np.zeros((teams, WEEKS))
    rituals = [adoption]
    for _ in range(scenario.rituals - 1):  # more rituals, by the next teams in line
        taken = sum(len(r) for r in rituals)
        size = int(rng.integers(low, high + 1))
        rituals.append({int(t): int(rng.integers(6, 20)) for t in order[taken : taken + size]})
    for ritual in rituals:
        for team, start in ritual.items():
            extra[team, start + 1 :] += scenario.effect
    for team in adoption:
        extra[team] += scenario.lead * week
    if scenario.other_effect:
        taken = sum(len(r) for r in rituals)
        working = {}
        for team in order[taken : taken + int(rng.integers(3, 9))]:
            working[int(team)] = int(rng.integers(6, 20))
            extra[team, working[int(team)] + 1 :] += scenario.other_effect
        rituals.append(working)
    final = scores_of(extra)
    monday = [FIRST_MONDAY + dt.timedelta(weeks=int(w)) for w in week]
    scores = {
        team: {monday[w]: float(final[team, w]) for w in week if not np.isnan(final[team, w])}
        for team in range(teams)
    }
    respondents = {
        team: {monday[w]: int(counts[team][w]) for w in week if not np.isnan(final[team, w])}
        for team in range(teams)
    }
    judged = [{team: monday[start] for team, start in r.items()} for r in rituals]
    alerted = {team: monday[start - 1] for team, start in adoption.items()}
    return scores, respondents, judged, alerted if scenario.after_alert else {}


def _after_alerts(scores: np.ndarray, order: np.ndarray, count: int) -> dict[int, int]:
    """Teams adopt the week after their shown score fell 5 points or more below the mean
    of their previous four shown weeks (the falling-score alert), first alerts first."""
    alerts = []
    for team in order:
        for w in range(6, 20):
            earlier = scores[team, w - 4 : w]
            earlier = earlier[~np.isnan(earlier)]
            shown = not np.isnan(scores[team, w])
            if shown and len(earlier) >= 2 and earlier.mean() - scores[team, w] >= 5:
                alerts.append((w, int(team)))
                break
    return {team: w + 1 for w, team in sorted(alerts)[:count] if w + 1 < 20}


def judge(scenario: Scenario, orgs: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    verdicts: Counter = Counter()
    covered = intervals = checked = flagged = 0
    estimates = []
    for _ in range(orgs):
        scores, respondents, rituals, alerted = org(rng, scenario)
        cards = []
        for i, adopted in enumerate(rituals):  # every ritual, as the dashboard judges them
            others: dict = {}
            for j, their in enumerate(rituals):
                for team, start in their.items():
                    if j != i:
                        others.setdefault(team, []).append(start)
            mine = {team: week for team, week in alerted.items() if team in adopted}
            cards.append(
                evidence.difference_in_differences(
                    scores, respondents, adopted, others=others, alerted=mine
                )
            )
        cards = evidence.judge_together(cards)
        card = cards[0]
        if scenario.rituals > 1:  # an org is wrong when any of its cards is
            alarms = [c for c in cards[: scenario.rituals] if c.verdict in (HELPS, MAY_HURT)]
            card = alarms[0] if alarms else card
        verdicts[card.verdict] += 1
        checked += card.trend is not None
        flagged += card.trend_flagged
        if card.low is not None:
            intervals += 1
            covered += card.low <= scenario.effect <= card.high
            estimates.append(card.effect)
    return {
        "helps": verdicts[HELPS] / orgs,
        "hurts": verdicts[MAY_HURT] / orgs,
        "early": verdicts[evidence.TOO_EARLY] / orgs,
        "coverage": covered / intervals if intervals else None,
        "mean": float(np.mean(estimates)) if estimates else None,
        "trend checked": checked / orgs,
        "trend flags": flagged / orgs,
    }


def problems_of(scenario: Scenario, result: dict) -> list[str]:
    out = []
    alarms = result["helps"] + result["hurts"]
    if scenario.lead:
        return out  # a planted pre-trend: no target, the row shows what the check catches
    if scenario.effect == 0 and alarms > FALSE_ALARMS_MAX:
        out.append(f"{scenario.name}: false alarms in {alarms:.1%} of orgs (at most 5%)")
    coverage = result["coverage"]
    if coverage is not None and not COVERAGE[0] <= round(coverage, 3) <= COVERAGE[1]:
        out.append(f"{scenario.name}: interval coverage {coverage:.1%} (93-97%)")
    if scenario.name == "+10, 6 or more adopters" and result["helps"] < 0.90:
        out.append(f"{scenario.name}: found in {result['helps']:.0%} of orgs (at least 90%)")
    if scenario.name == "+5, 12 adopters" and result["helps"] < 0.80:
        out.append(f"{scenario.name}: found in {result['helps']:.0%} of orgs (at least 80%)")
    if scenario.cadence > 1 and result["early"] == 1.0:
        out.append(f"{scenario.name}: never past 'too early'")
    return out


def run(people: int) -> list[str]:
    orgs = ORGS if people >= 10_000 else max(50, ORGS * people // 10_000)
    print(f"Evidence: {orgs} synthetic orgs per scenario, judged as the dashboard judges them")
    rows, problems = [], []
    for seed, scenario in enumerate(SCENARIOS):
        result = judge(scenario, orgs, seed)
        problems += problems_of(scenario, result)

        def percent(value):
            return "-" if value is None else f"{value:.1%}"

        rows.append(
            [
                scenario.name,
                percent(result["helps"]),
                percent(result["hurts"]),
                percent(result["early"]),
                percent(result["coverage"]),
                "-" if result["mean"] is None else f"{result['mean']:+.1f}",
                percent(result["trend checked"]),
                percent(result["trend flags"]),
            ]
        )
    head = ["scenario", "helps", "may hurt", "too early", "interval covers", "mean"]
    print_table([*head, "trend checked", "trend flags"], rows)
    print(
        "(20-60 teams of 5-15 people, 26 weeks, 3-12 staggered adopters unless said; "
        "coverage among cards with an interval; the pre-trend check's runs and flags "
        "among all orgs)"
    )
    return problems
