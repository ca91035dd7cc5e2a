"""Matching engine benchmark: 26 rounds of coffee pairs for 50, 51, 500 and 2,000 people.

A synthetic org (teams of about eight, each led by its first member; teams in New York,
Lisbon, Berlin and Kolkata with some people remote from their team; a few overnight
shifts and four-day weeks; tenures from days to years; skills and interests; the odd
private avoid list) is paired for 26 rounds, each round's groups fed back as history
and everyone in a group of three counting an odd turn, as
mentorship.services.programmes does.

51 people is the tight one: an odd count, so a group of three every round, and a last
team of three. A sixth org of six people is impossible by construction (a lead whose
reports are the rest of the programme, and someone avoiding everyone): it measures
that the left-out are told why.

Reported per size, for the engine and for a baseline (shuffle, pair neighbours, then
swap people between groups until no pair met in the last 12 rounds, or give up), the
figures issue 15 is judged on: pairs (counting each pair inside a three) that met again
within 12 rounds; groups whose members all come from different teams; groups where every
pair shares an hour or more of working time; groups with a manager and their report, and
groups against a don't-pair list (the baseline knows neither rule); the most groups of
three any one person sat in; people left out of a round and how many of them get a reason
(`mentorship.matching.left_out`, which the service sends them); seconds per round, wall
clock and CPU.

No database. Run on its own with `python -m bench matching`; with `--people N` only the
sizes up to N run (the smallest always does).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import replace

from bench.measure import print_table
from mentorship.matching.hours import shared_minutes
from mentorship.matching.left_out import left_out
from mentorship.matching.participants import Participant
from mentorship.matching.rounds import match

SIZES = (50, 51, 500, 2_000)
ROUNDS = 26
WINDOW = 12  # repeats are counted within 12 rounds, the engine's REPEAT_WINDOW
# Issue 15's "done when": per round at the largest size; cross-team at the small sizes;
# groups with an hour together; groups of three per person at 51.
# Seconds are judged in CPU time: the engine runs on one core, and on a shared machine
# the wall clock (also shown) measures the neighbours' load as much as the engine.
TARGET_SECONDS = 1.0
TARGET_CROSS, CROSS_SIZES = 0.97, (50, 51)
TARGET_HOUR = 0.99
TRIO_LIMIT, TRIO_SIZE = 2, 51
RULES = "6 (rules)"

ZONES = [
    ("America/New_York", 0.3),
    ("Europe/Lisbon", 0.2),
    ("Europe/Berlin", 0.3),
    ("Asia/Kolkata", 0.2),
]
HOURS = [
    ((9, 0), (17, 0), 0.5),
    ((9, 0), (17, 30), 0.2),
    ((8, 0), (16, 0), 0.12),
    ((10, 0), (18, 0), 0.12),
    ((22, 0), (6, 0), 0.06),  # overnight
]
DAYS = [("12345", 0.85), ("1234", 0.1), ("23456", 0.05)]
TOPICS = [
    "sql",
    "python",
    "design",
    "negotiation",
    "public speaking",
    "finance",
    "hiring",
    "writing",
    "data viz",
    "kubernetes",
    "product",
    "accessibility",
]


def _pick(rng: random.Random, options: Sequence[tuple]):
    return rng.choices([o[:-1] for o in options], weights=[o[-1] for o in options])[0]


def org(people: int, seed: int = 1) -> list[Participant]:
    rng = random.Random(seed)
    result = []
    for i in range(people):
        team = i // 8
        lead = team * 8
        team_zone = _pick(random.Random(team * 7919 + seed), ZONES)[0]
        zone = team_zone if rng.random() > 0.15 else _pick(rng, ZONES)[0]
        (start_h, start_m), (end_h, end_m) = _pick(rng, HOURS)
        roll = rng.random()  # 12% newcomers, 25% in their first year, the rest longer
        if roll < 0.12:
            tenure = rng.randint(5, 89)
        elif roll < 0.37:
            tenure = rng.randint(90, 364)
        else:
            tenure = rng.randint(365, 3650)
        avoid = frozenset({rng.randrange(people)}) - {i} if rng.random() < 0.02 else frozenset()
        # Members report to their team's lead; leads to the lead of every fifth team.
        boss = lead if i != lead else (team // 5) * 40
        result.append(
            Participant(
                id=i + 1,
                team_id=team + 1,
                manager_id=boss + 1 if boss != i else None,
                time_zone=zone,
                work_start=dt.time(start_h, start_m),
                work_end=dt.time(end_h, end_m),
                working_days=_pick(rng, DAYS)[0],
                skills=frozenset(rng.sample(TOPICS, rng.randint(1, 3))),
                interests=frozenset(rng.sample(TOPICS, rng.randint(1, 2))),
                tenure_days=tenure,
                avoid=frozenset(a + 1 for a in avoid),
            )
        )
    return result


def baseline(
    people: Sequence[Participant], *, history: dict, round_number: int, seed: int
) -> list[tuple[int, ...]]:
    """Shuffle and pair neighbours, then fix recent repeats with simple swaps."""
    rng = random.Random(seed * 1000 + round_number)
    ids = [p.id for p in people]
    rng.shuffle(ids)
    groups = [ids[i : i + 2] for i in range(0, len(ids) - 1, 2)]
    if len(ids) % 2:
        groups[-1].append(ids[-1])

    def recent(group: list[int]) -> bool:
        return any(
            round_number - history.get(frozenset((a, b)), -99) <= WINDOW
            for x, a in enumerate(group)
            for b in group[x + 1 :]
        )

    for _ in range(3):
        for group in groups:
            tries = 0
            while recent(group) and tries < 20:
                tries += 1
                other = rng.choice(groups)
                if other is group:
                    continue
                x, y = rng.randrange(len(group)), rng.randrange(len(other))
                group[x], other[y] = other[y], group[x]
                if recent(group) or recent(other):
                    group[x], other[y] = other[y], group[x]
    return [tuple(sorted(g)) for g in groups]


def rules_org() -> list[Participant]:
    """Six people the hard rules keep two of out of every round: a lead whose programme is
    otherwise their four reports, and someone who asked not to meet any of the others."""
    lead = org(1)[0]
    reports = [replace(lead, id=i, manager_id=1, team_id=1) for i in range(2, 6)]
    loner = replace(lead, id=6, team_id=2, avoid=frozenset(range(1, 6)))
    return [replace(lead, manager_id=None), *reports, loner]


def _count_group(members: tuple[int, ...], number: int, history: dict, by_id: dict) -> dict:
    pairs = [(a, b) for x, a in enumerate(members) for b in members[x + 1 :]]
    return {
        "repeats": sum(number - history.get(frozenset(p), -99) <= WINDOW for p in pairs),
        "cross": len({by_id[m].team_id for m in members}) == len(members),
        "hour": all(shared_minutes(by_id[a], by_id[b]) >= 60 for a, b in pairs),
        "manager": any(by_id[a].manager_id == b or by_id[b].manager_id == a for a, b in pairs),
        "avoid": any(b in by_id[a].avoid or a in by_id[b].avoid for a, b in pairs),
    }


def simulate(people: list[Participant], engine: bool) -> dict:
    history: dict[frozenset[int], int] = {}
    by_id = {p.id: p for p in people}
    odd = dict.fromkeys(by_id, 0)
    timings, cpu_timings, groups_total = [], [], 0
    totals = dict.fromkeys(("repeats", "cross", "hour", "manager", "avoid", "left", "told"), 0)
    for number in range(1, ROUNDS + 1):
        current = [replace(p, odd_count=odd[p.id]) for p in people]
        started, cpu = time.perf_counter(), time.process_time()
        if engine:
            groups = [g.members for g in match(current, history=history, round_number=number)]
        else:
            groups = baseline(current, history=history, round_number=number, seed=1)
        timings.append(time.perf_counter() - started)
        cpu_timings.append(time.process_time() - cpu)
        placed = {m for members in groups for m in members}
        totals["left"] += len(by_id) - len(placed)
        totals["told"] += len(left_out(current, groups)) if engine else 0
        for members in groups:
            groups_total += 1
            for key, value in _count_group(members, number, history, by_id).items():
                totals[key] += value
            if len(members) > 2:
                for m in members:
                    odd[m] += 1
        for members in groups:
            for x, a in enumerate(members):
                for b in members[x + 1 :]:
                    history[frozenset((a, b))] = number
    return totals | {
        "mean": statistics.mean(timings),
        "max": max(timings),
        "cpu": statistics.mean(cpu_timings),
        "cross": totals["cross"] / max(groups_total, 1),
        "hour": totals["hour"] / max(groups_total, 1),
        "trio_max": max(odd.values()),
    }


def _problems(size: int | str, r: dict) -> list[str]:
    """What misses issue 15's targets, in words."""
    found = []
    # The rules org's four reports can only meet each other: its repeats are forced.
    if r["repeats"] and size != RULES:
        found.append(f"{r['repeats']} pairs met again within {WINDOW} rounds")
    if size in CROSS_SIZES and r["cross"] < TARGET_CROSS:
        found.append(f"cross-team {r['cross']:.1%}, under {TARGET_CROSS:.0%}")
    if size != RULES and r["hour"] < TARGET_HOUR:
        found.append(f"{r['hour']:.1%} of groups share an hour, under {TARGET_HOUR:.0%}")
    if r["manager"] or r["avoid"]:
        found.append(f"{r['manager'] + r['avoid']} groups break a hard rule")
    if size == TRIO_SIZE and r["trio_max"] > TRIO_LIMIT:
        found.append(f"someone sat in {r['trio_max']} groups of three")
    if r["told"] < r["left"]:
        found.append(f"{r['left'] - r['told']} people left out without a reason")
    if size == max(SIZES) and r["cpu"] > TARGET_SECONDS:
        found.append(f"{r['cpu']:.2f} s of CPU per round")
    return [f"matching {size if isinstance(size, str) else f'{size:,}'}: {p}" for p in found]


def _row(size: int | str, label: str, r: dict) -> list[str]:
    return [
        size if isinstance(size, str) else f"{size:,}",
        label,
        str(r["repeats"]),
        f"{r['cross']:.1%}",
        f"{r['hour']:.1%}",
        str(r["manager"]),
        str(r["avoid"]),
        str(r["trio_max"]),
        f"{r['left']}/{r['told']}",
        f"{r['mean']:.3f}",
        f"{r['max']:.3f}",
        f"{r['cpu']:.3f}",
    ]


def run(people: int) -> list[str]:
    """Print the table for each size up to `people`; return the problems found."""
    print(f"Matching: {ROUNDS} rounds of pairs, history fed back; repeats within {WINDOW} rounds")
    problems, rows = [], []
    started = time.perf_counter()
    orgs = [(s, org(s)) for s in SIZES if s <= people] or [(SIZES[0], org(SIZES[0]))]
    for size, members in [*orgs, (RULES, rules_org())]:
        for label, engine in (("engine", True), ("baseline", False)):
            r = simulate(members, engine)
            rows.append(_row(size, label, r))
            if engine:
                problems += _problems(size, r)
    headers = ["people", "method", f"repeats ≤{WINDOW}", "cross-team", "≥1 h together"]
    headers += ["manager groups", "don't-pair breaks", "most threes", "left out/told"]
    print_table([*headers, "s/round", "max s", "CPU s/round"], rows)
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
    return problems
