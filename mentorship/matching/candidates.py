"""Candidates: each person's best few partners, the pool the solver picks and swaps from."""

from __future__ import annotations

import random
from collections.abc import Sequence

from mentorship.matching.hours import working_hours
from mentorship.matching.scoring import Scorer

CANDIDATES = 24  # per person: the pool the heuristics pick and swap from
SAMPLED_CANDIDATES = 20  # per person, on large inputs: people with good shared time
RANDOM_CANDIDATES = 4


def rank_candidates(
    sc: Scorer, pool: Sequence[int], rng: random.Random, *, exact: bool
) -> dict[int, list[int]]:
    """Each person's best `CANDIDATES` partners in `pool`, best first, allowed pairs only.

    Small pools (`exact`) are scored in full; large ones are sampled: people whose hours
    overlap by an hour or more, people offering what one wants to learn (and the
    reverse), experienced people for newcomers, and a few at random.
    """
    found: dict[int, set[int]] = {i: set() for i in pool}
    if exact:
        for x, i in enumerate(pool):
            for j in pool[x + 1 :]:
                if sc.weight(i, j) is not None:
                    found[i].add(j)
                    found[j].add(i)
    else:
        _sample_candidates(sc, pool, rng, found)
    result = {}
    for i, others in found.items():
        ranked = sorted(others, key=lambda j, i=i: (-sc.weight(i, j), j))
        result[i] = ranked[:CANDIDATES]
    # Keep the lists symmetric, so whoever one person ranks also sees them.
    for i, ranked in list(result.items()):
        for j in ranked:
            if i not in result[j]:
                result[j].append(i)
    return result


def _sample_candidates(
    sc: Scorer, pool: Sequence[int], rng: random.Random, found: dict[int, set[int]]
) -> None:
    # People indexed by the hours of the week they work: drawing one of a person's hours,
    # then someone working in it, finds partners in proportion to the time they share,
    # however many different schedules there are.
    by_hour: dict[int, list[int]] = {}
    hours_of: dict[int, tuple[int, ...]] = {}
    for i in pool:
        hours = working_hours(sc.schedule_keys[sc.schedule[i]])
        hours_of[i] = hours
        for hour in hours:
            by_hour.setdefault(hour, []).append(i)
    offering: dict[str, list[int]] = {}
    wanting: dict[str, list[int]] = {}
    if sc.learning:
        for i in pool:
            for topic in sc.people[i].skills:
                offering.setdefault(topic, []).append(i)
            for topic in sc.people[i].interests:
                wanting.setdefault(topic, []).append(i)
    experienced = [i for i in pool if sc.experienced[i]]
    newcomers = [i for i in pool if sc.newcomer[i]]

    def take(i: int, people: list[int], k: int) -> None:
        for _ in range(min(k, len(people))):
            j = people[rng.randrange(len(people))]
            if j != i and j not in sc.blocked[i]:
                found[i].add(j)
                found[j].add(i)

    for i in pool:
        hours = hours_of[i]
        for _ in range(SAMPLED_CANDIDATES if hours else 0):
            there = by_hour[hours[rng.randrange(len(hours))]]
            j = there[rng.randrange(len(there))]
            # Allowed is all that matters here: ranking scores what is found, once.
            if j != i and j not in sc.blocked[i]:
                found[i].add(j)
                found[j].add(i)
        take(i, pool, RANDOM_CANDIDATES)
        if sc.newcomer[i]:
            take(i, experienced, 6)
        elif sc.experienced[i]:
            take(i, newcomers, 2)
        if sc.learning:
            p = sc.people[i]
            for topic in sorted(p.interests)[:4]:
                take(i, offering.get(topic, []), 3)
            for topic in sorted(p.skills)[:4]:
                take(i, wanting.get(topic, []), 2)
