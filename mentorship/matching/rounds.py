"""The engine's entry points: one round of groups (`match`) and a newcomer's buddy
(`choose_buddy`)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace

from connection.calendar import NEWCOMER_DAYS
from mentorship.matching.participants import EXPERIENCED_DAYS, Group, Participant
from mentorship.matching.reasons import to_group
from mentorship.matching.scoring import (
    BUDDY_EXPERIENCED,
    BUDDY_NEWCOMER,
    BUDDY_SETTLED,
    REPEAT_WINDOW,
    Scorer,
)
from mentorship.matching.solver import group_sizes, match_groups, match_pairs


def match(
    participants: Sequence[Participant],
    *,
    history: Mapping[frozenset[int], int],
    round_number: int,
    size: int = 2,
    max_size: int | None = None,
    repeat_window: int = REPEAT_WINDOW,
    learning: bool = False,
    cross_team: bool = True,
    seed: int = 0,
) -> list[Group]:
    """Split `participants` into groups of `size` (pairs by default).

    `max_size` defaults to `size + 1`: an odd count of pairs makes exactly one three, and
    leftovers of bigger groups join other groups rather than shrink them. Pass
    `max_size=size` to get smaller groups instead (sizes never drop below two). With fewer
    than two people there is nothing to do. Results depend only on the inputs and `seed`.
    """
    if size < 2:
        raise ValueError("size must be at least 2")
    max_size = size + 1 if max_size is None else max_size
    if max_size < size:
        raise ValueError("max_size must be at least size")
    unique = {p.id: p for p in reversed(participants)}  # the first of any duplicate id wins
    people = sorted(unique.values(), key=lambda p: p.id)
    if len(people) < 2:
        return []
    sc = Scorer(
        people,
        history=history,
        round_number=round_number,
        repeat_window=repeat_window,
        learning=learning,
        cross_team=cross_team,
        seed=seed,
        max_size=max_size,
    )
    rng = random.Random(f"hearth-matching:{seed}:{round_number}")
    if size == 2:
        groups = match_pairs(sc, max_size, rng)
    else:
        groups = match_groups(sc, group_sizes(len(people), size, max_size), max_size, rng)
    result = [to_group(sc, g) for g in groups]
    return sorted(result, key=lambda g: g.members)


def choose_buddy(
    newcomer: Participant,
    candidates: Sequence[Participant],
    *,
    history: Mapping[frozenset[int], int],
    round_number: int,
    seed: int = 0,
) -> Group | None:
    """The best buddy for a newcomer: experienced, ideally on another team, with shared hours.

    None when no candidate is allowed (their manager, an avoid list, or nobody at all).
    """
    if newcomer.tenure_days is None:
        newcomer = replace(newcomer, tenure_days=0)
    others = {c.id: c for c in reversed(candidates) if c.id != newcomer.id}
    people = [newcomer, *sorted(others.values(), key=lambda p: p.id)]
    sc = Scorer(
        people,
        history=history,
        round_number=round_number,
        repeat_window=REPEAT_WINDOW,
        learning=True,
        cross_team=True,
        seed=seed,
        max_size=2,
    )
    best, best_score = None, None
    for j in range(1, len(people)):
        score = sc.weight(0, j)
        if score is None:
            continue
        tenure = people[j].tenure_days
        if tenure is not None:
            if tenure >= EXPERIENCED_DAYS:
                score += BUDDY_EXPERIENCED
            elif tenure >= NEWCOMER_DAYS:
                score += BUDDY_SETTLED
            else:
                score += BUDDY_NEWCOMER
        if best_score is None or score > best_score:
            best, best_score = j, score
    return None if best is None else to_group(sc, [0, best])
