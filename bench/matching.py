"""Matching engine benchmark: 26 rounds of coffee pairs for 50, 500 and 2,000 people.

A synthetic org (teams of about eight, each led by its first member; teams in New York,
Lisbon, Berlin and Kolkata with some people remote from their team; a few overnight
shifts and four-day weeks; tenures from days to years; skills and interests; the odd
private avoid list) is paired for 26 rounds, each round's groups fed back as history
and everyone in a group of three counting an odd turn, as
mentorship.services.programmes does.

Reported per size, for the engine and for a baseline (shuffle, pair neighbours, then
swap people between groups until no pair met in the last six rounds, or give up):
time per round; pairs (counting each pair inside a three) that met again within 4 and
within 12 rounds; groups whose members all come from different teams; groups where every
pair shares an hour or more of working time; and groups breaking a hard rule (a manager
with their report, or someone on an avoid list), which the baseline does not know about.

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
from mentorship.matching.participants import Participant
from mentorship.matching.rounds import match

SIZES = (50, 500, 2_000)
ROUNDS = 26
WINDOW = 6
TARGET_SECONDS = 5.0  # per round, at the largest size

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


def simulate(people: list[Participant], engine: bool) -> dict:
    history: dict[frozenset[int], int] = {}
    by_id = {p.id: p for p in people}
    odd = dict.fromkeys(by_id, 0)
    timings, groups_total = [], 0
    within_4 = within_12 = cross = hour = broken = 0
    for number in range(1, ROUNDS + 1):
        current = [replace(p, odd_count=odd[p.id]) for p in people]
        started = time.perf_counter()
        if engine:
            groups = [g.members for g in match(current, history=history, round_number=number)]
        else:
            groups = baseline(current, history=history, round_number=number, seed=1)
        timings.append(time.perf_counter() - started)
        for members in groups:
            groups_total += 1
            pairs = [(a, b) for x, a in enumerate(members) for b in members[x + 1 :]]
            for a, b in pairs:
                age = number - history.get(frozenset((a, b)), -99)
                within_4 += age <= 4
                within_12 += age <= 12
            team_ids = {by_id[m].team_id for m in members}
            cross += len(team_ids) == len(members)
            hour += all(shared_minutes(by_id[a], by_id[b]) >= 60 for a, b in pairs)
            broken += any(
                by_id[a].manager_id == b
                or by_id[b].manager_id == a
                or b in by_id[a].avoid
                or a in by_id[b].avoid
                for a, b in pairs
            )
            if len(members) > 2:
                for m in members:
                    odd[m] += 1
        for members in groups:
            for x, a in enumerate(members):
                for b in members[x + 1 :]:
                    history[frozenset((a, b))] = number
    return {
        "mean": statistics.mean(timings),
        "max": max(timings),
        "within_4": within_4,
        "within_12": within_12,
        "cross": cross / groups_total,
        "hour": hour / groups_total,
        "broken": broken,
    }


def run(people: int) -> list[str]:
    """Print the table for each size up to `people`; return the problems found."""
    print(f"Matching: {ROUNDS} rounds of pairs, history fed back (repeat window {WINDOW})")
    problems, rows = [], []
    started = time.perf_counter()
    for size in [s for s in SIZES if s <= people] or SIZES[:1]:
        people = org(size)
        for label, engine in (("engine", True), ("baseline", False)):
            r = simulate(people, engine)
            rows.append(
                [
                    f"{size:,}",
                    label,
                    f"{r['mean'] * 1000:.0f}",
                    f"{r['max'] * 1000:.0f}",
                    str(r["within_4"]),
                    str(r["within_12"]),
                    f"{r['cross']:.0%}",
                    f"{r['hour']:.0%}",
                    str(r["broken"]),
                ]
            )
            if engine and r["max"] > TARGET_SECONDS:
                problems.append(f"matching {size:,} people: {r['max']:.1f} s for one round")
            if engine and r["broken"]:
                problems.append(f"matching {size:,} people: {r['broken']} groups break a hard rule")
    print_table(
        [
            "people",
            "method",
            "mean ms/round",
            "max ms",
            "repeats ≤4",
            "repeats ≤12",
            "cross-team",
            "≥1 h overlap",
            "hard-rule breaks",
        ],
        rows,
    )
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
    return problems
