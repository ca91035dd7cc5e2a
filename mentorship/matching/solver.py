"""The solver: pairs, and groups of three or more, from the scored candidates.

Pairs use an exact maximum-weight matching (networkx) up to `EXACT_LIMIT` people; above
that, a greedy matching. Then leftovers are repaired, 2-opt swaps between pairs run,
and an odd count makes one three. Bigger groups are built greedily, leftovers placed,
then swaps between groups run.
"""

from __future__ import annotations

import random

import networkx as nx

from mentorship.matching.candidates import rank_candidates
from mentorship.matching.scoring import ODD_TURN, PAIR_CEILING, Scorer

# Up to this many people, every pair is scored and pairs come from an exact maximum-weight
# matching; above it, candidates are sampled and pairs matched greedily.
EXACT_LIMIT = 300
LOCAL_SEARCH_PASSES = 6  # 2-opt between pairs, until a pass finds nothing
TWO_OPT_CANDIDATES = 12
# Swaps between bigger groups cost more and gain little after a few passes.
GROUP_SWAP_PASSES = 3
GROUP_SWAP_CANDIDATES = 10
# The group of three is chosen among this many people at each of the two lowest counts
# of turns in one, rotated by the round's jitter: enough for a good three, few enough
# that trying every three of them stays cheap at 2,000 people.
THREE_COHORT = 24


# ---------------------------------------------------------------- pairs


def _pair_up(sc: Scorer, pool: list[int], rng: random.Random) -> tuple[dict[int, int], list[int]]:
    """Pair everyone in `pool` (an even count, ideally); returns mates and the unpaired."""
    candidates = rank_candidates(sc, pool, rng, exact=len(pool) <= EXACT_LIMIT)
    mate: dict[int, int] = {}
    if len(pool) <= EXACT_LIMIT:
        graph = nx.Graph()
        graph.add_nodes_from(pool)
        # Every matching of maximum size has the same number of edges, so shifting all
        # weights up by a constant keeps the optimum and keeps the solver in positives.
        offset = sc.penalty * (sc.repeat_window + 1) + PAIR_CEILING
        for i in pool:
            for j in candidates[i]:
                if i < j:
                    graph.add_edge(i, j, weight=sc.weight(i, j) + offset)
        for i, j in nx.max_weight_matching(graph, maxcardinality=True):
            mate[i], mate[j] = j, i
    else:
        edges = sorted((-sc.weight(i, j), i, j) for i in pool for j in candidates[i] if i < j)
        for _, i, j in edges:
            if i not in mate and j not in mate:
                mate[i], mate[j] = j, i
    unpaired = [i for i in pool if i not in mate]
    unpaired = _repair_pairs(sc, mate, unpaired)
    _two_opt(sc, mate, candidates, pool)
    return mate, unpaired


def _repair_pairs(sc: Scorer, mate: dict[int, int], unpaired: list[int]) -> list[int]:
    """Pair leftovers among themselves, then through one swap with an existing pair."""
    options = sorted(
        (-w, i, j)
        for x, i in enumerate(unpaired)
        for j in unpaired[x + 1 :]
        if (w := sc.weight(i, j)) is not None
    )
    for _, i, j in options:
        if i not in mate and j not in mate:
            mate[i], mate[j] = j, i
    left = [i for i in unpaired if i not in mate]
    for u in list(left):
        if u in mate:
            continue
        done = False
        for a in sorted(mate):
            if sc.weight(u, a) is None:
                continue
            b = mate[a]
            for v in left:
                if v != u and v not in mate and sc.weight(b, v) is not None:
                    mate[u], mate[a], mate[b], mate[v] = a, u, v, b
                    done = True
                    break
            if done:
                break
    return [i for i in left if i not in mate]


def _two_opt(
    sc: Scorer, mate: dict[int, int], candidates: dict[int, list[int]], pool: list[int]
) -> None:
    """Swap partners between two pairs while that raises the total weight."""
    weight = sc.weight
    # Candidates are allowed pairs, and their weights never change: looked up once.
    near = {
        a: [(c, weight(a, c)) for c in candidates[a][:TWO_OPT_CANDIDATES]]
        for a in pool
        if a in mate
    }
    held = {a: weight(a, mate[a]) for a in near}  # each person's weight with their mate
    for _ in range(LOCAL_SEARCH_PASSES):
        improved = False
        for a, options in near.items():
            for c, w_ac in options:
                b, d = mate[a], mate.get(c)
                if d is None or c == b:
                    continue
                w_bd = weight(b, d)
                if w_bd is None:
                    continue
                if w_ac + w_bd > held[a] + held[c] + 1e-9:
                    mate[a], mate[c], mate[b], mate[d] = c, a, d, b
                    held[a] = held[c] = w_ac
                    held[b] = held[d] = w_bd
                    improved = True
        if not improved:
            return


def _attach(
    sc: Scorer, groups: list[list[int]], extra: int, max_size: int, *, turn_cost: float = 0.0
) -> bool:
    """Add `extra` to the group it fits best without breaking a hard rule.

    `turn_cost` is taken off for every odd turn the group's members have had already.
    """
    best, best_gain = None, None
    for group in groups:
        if len(group) >= max_size:
            continue
        gain = sc.group_weight(extra, group)
        if gain is None:
            continue
        gain -= turn_cost * sum(sc.people[m].odd_count for m in group)
        if best_gain is None or gain > best_gain:
            best, best_gain = group, gain
    if best is None:
        return False
    best.append(extra)
    return True


def match_pairs(sc: Scorer, max_size: int, rng: random.Random) -> list[list[int]]:
    """Pairs, plus one three for an odd count (or one person sitting out if max_size is 2).

    Whoever the hard rules keep from everyone else is set aside first: the count that
    decides on a three is the count of people who can be placed.
    """
    everyone = [i for i in range(sc.n) if len(sc.blocked[i]) < sc.n - 1]
    if len(everyone) % 2 == 0:
        tries: list[int | None] = [None]
    else:
        three = _fair_three(sc, everyone) if max_size >= 3 else None
        if three is not None:
            rest = [i for i in everyone if i not in three]
            mate, unpaired = _pair_up(sc, rest, rng)
            if not unpaired:
                return [three, *([i, mate[i]] for i in rest if i < mate[i])]
        # The extra member of the group of three is whoever has been it least often.
        tries = sorted(everyone, key=lambda i: (sc.people[i].odd_count, sc.jitter(i)))[:3]
    best: tuple[int, list[list[int]]] | None = None
    for extra in tries:
        groups, missing = _pairs_around(sc, everyone, extra, max_size, rng)
        if best is None or missing < best[0]:
            best = (missing, groups)
        # Without room for a three the extra sits out: that one is expected.
        if missing <= (extra is not None and max_size < 3):
            break
    return [] if best is None else best[1]


def _fair_three(sc: Scorer, everyone: list[int]) -> list[int] | None:
    """The group of three, chosen before the pairs, among those with the fewest turns in
    one (mentorship.services.programmes counts a turn for each member).

    Allowed and with no recent repeat, it is drawn from those with the least turns while
    three of them can make one, so turns stay within one of each other; then it prefers
    everyone sharing an hour, then the best fit. People one turn above the least join
    only when fewer than three at the least can. None if no such three is found.
    """
    fewest = min(sc.people[i].odd_count for i in everyone)
    levels = ([i for i in everyone if sc.people[i].odd_count == k] for k in (fewest, fewest + 1))
    cohort = [i for level in levels for i in sorted(level, key=sc.jitter)[:THREE_COHORT]]
    best, best_key = None, None
    for x, i in enumerate(cohort):
        for y in range(x + 1, len(cohort)):
            j = cohort[y]
            w_ij = sc.weight(i, j)
            if w_ij is None or w_ij < 0:  # forbidden, or a recent repeat (its penalty)
                continue
            for k in cohort[y + 1 :]:
                w_ik, w_jk = sc.weight(i, k), sc.weight(j, k)
                if w_ik is None or w_jk is None or w_ik < 0 or w_jk < 0:
                    continue
                hour = min(sc.minutes(i, j), sc.minutes(i, k), sc.minutes(j, k)) >= 60
                turns = sum(sc.people[m].odd_count for m in (i, j, k)) - 3 * fewest
                key = (not turns, hour, -turns, w_ij + w_ik + w_jk)
                if best_key is None or key > best_key:
                    best, best_key = [i, j, k], key
    return best


def _pairs_around(
    sc: Scorer, everyone: list[int], extra: int | None, max_size: int, rng: random.Random
) -> tuple[list[list[int]], int]:
    """Pair everyone but `extra`, then seat `extra` and any leftovers in threes; returns the
    groups and how many are in none."""
    pool = [i for i in everyone if i != extra]
    mate, unpaired = _pair_up(sc, pool, rng)
    groups = [[i, mate[i]] for i in pool if i in mate and i < mate[i]]
    leftovers = unpaired + ([] if extra is None else [extra])
    # Pairs stay pairs while a three can take the person; only then make more threes.
    # Everyone in a three counts a turn (mentorship.services.programmes), so spread the turns.
    left_out = [
        i
        for i in leftovers
        if not _attach(sc, [g for g in groups if len(g) == 2], i, max_size, turn_cost=ODD_TURN)
        and not _attach(sc, groups, i, max_size, turn_cost=ODD_TURN)
    ]
    if extra is not None and not left_out:
        _settle_three(sc, groups, extra)
    return groups, len(left_out)


def _three_value(sc: Scorer, three: list[int]) -> float | None:
    total = 0.0
    for x, i in enumerate(three):
        gain = sc.group_weight(i, three[x + 1 :])
        if gain is None:
            return None
        total += gain - ODD_TURN * sc.people[i].odd_count
    return total


def _settle_three(sc: Scorer, groups: list[list[int]], extra: int) -> None:
    """Trade the extra's two partners for people with fewer threes behind them, if it pays.

    Everyone in a three counts a turn (mentorship.services.programmes), so the pair the extra joined
    matters too; a swap costs some fit and is taken when fewer turns make up for it.
    """
    three = next((g for g in groups if len(g) == 3 and extra in g), None)
    if three is None:
        return
    pairs = [g for g in groups if len(g) == 2]
    for _ in range(3):
        improved = False
        for m in [i for i in three if i != extra]:
            stay = [i for i in three if i != m]
            for pair in pairs:
                for c, d in (pair, pair[::-1]):
                    before = _three_value(sc, three)
                    after = _three_value(sc, [*stay, c])
                    w_pair, w_md = sc.weight(pair[0], pair[1]), sc.weight(m, d)
                    if after is None or w_md is None or after + w_md <= before + w_pair + 1e-9:
                        continue
                    three[three.index(m)] = c
                    pair[:] = [m, d]
                    improved = True
                    break
                if improved:
                    break
            if improved:
                break
        if not improved:
            return


# ---------------------------------------------------------------- groups of three or more


def group_sizes(n: int, size: int, max_size: int) -> list[int]:
    """As few groups as keep everyone within `max_size`, sizes differing by at most one.

    With room above `size`, leftovers join existing groups (14 people in fours with a
    maximum of five: 5, 5, 4); without it they make the groups smaller (4, 4, 3, 3).
    """
    for count in range(max(1, n // size), n // 2 + 1):
        if -(-n // count) <= max_size:
            small, extra = divmod(n, count)
            return [small + 1] * extra + [small] * (count - extra)
    return [2] * (n // 2)  # not reached: the caller asks for groups of three or more


def match_groups(
    sc: Scorer, sizes: list[int], max_size: int, rng: random.Random
) -> list[list[int]]:
    """Groups of `sizes`: grown greedily, leftovers placed, then swaps between groups."""
    candidates = rank_candidates(sc, list(range(sc.n)), rng, exact=sc.n <= EXACT_LIMIT)
    groups, unplaced = _grow_groups(sc, sizes, candidates, rng)
    _place_leftovers(sc, groups, unplaced, max_size)
    groups = [g for g in groups if len(g) >= 2]
    where = [-1] * sc.n
    for x, group in enumerate(groups):
        for m in group:
            where[m] = x
    _swap_between_groups(sc, groups, where, candidates)
    return groups


def _grow_groups(
    sc: Scorer, sizes: list[int], candidates: dict[int, list[int]], rng: random.Random
) -> tuple[list[list[int]], set[int]]:
    """Start a group per size with whoever is hardest to place, and fill it with the best
    allowed additions, its members' candidates first. Returns the groups (some may fall
    short of their size) and the people in none."""
    order = list(range(sc.n))
    rng.shuffle(order)
    # The hardest to place go first, while every group still has room.
    order.sort(key=lambda i: len(sc.blocked[i]), reverse=True)
    groups: list[list[int]] = []
    unplaced = set(range(sc.n))
    for i in order:
        if i not in unplaced or len(groups) == len(sizes):
            continue
        group = [i]
        unplaced.discard(i)
        size = sizes[len(groups)]
        groups.append(group)
        while len(group) < size:
            nearby = {j for m in group for j in candidates[m]}
            j = _best_addition(sc, group, sorted(nearby), unplaced)
            if j is None:
                j = _best_addition(sc, group, sorted(unplaced), unplaced)
            if j is None:
                break
            group.append(j)
            unplaced.discard(j)
    return groups, unplaced


def _best_addition(sc: Scorer, group: list[int], pool: list[int], unplaced: set[int]) -> int | None:
    """Whoever in `pool`, not yet placed, adds most to `group`; the lowest index on a tie."""
    best, best_gain = None, None
    for j in pool:
        if j in unplaced:
            gain = sc.group_weight(j, group)
            if gain is not None and (best_gain is None or (gain, -j) > (best_gain, -best)):
                best, best_gain = j, gain
    return best


def _place_leftovers(
    sc: Scorer, groups: list[list[int]], unplaced: set[int], max_size: int
) -> None:
    """Mop up: break up groups too small to stand, then put each person in no group where
    they fit best, or in place of a member who fits elsewhere; if neither, they stay out."""
    for x, group in enumerate(groups):
        if len(group) < 2:
            unplaced.update(group)
            groups[x] = []
    for i in sorted(unplaced):
        home = [g for g in groups if len(g) >= 2]
        if not _attach(sc, home, i, max_size):
            _swap_in(sc, home, i, max_size)


def _swap_in(sc: Scorer, groups: list[list[int]], extra: int, max_size: int) -> bool:
    """Give `extra` the place of a member who can join another of `groups` instead."""
    for g in groups:
        for m in list(g):
            if sc.group_weight(extra, [k for k in g if k != m]) is None:
                continue
            if _attach(sc, [h for h in groups if h is not g], m, max_size):
                g.remove(m)
                g.append(extra)
                return True
    return False


def _swap_between_groups(
    sc: Scorer, groups: list[list[int]], where: list[int], candidates: dict[int, list[int]]
) -> None:
    """Move a person next to someone they fit, trading places with a member there."""
    # stay[i]: i's summed weight with their own group; groups only ever hold allowed pairs.
    stay = [0.0] * sc.n
    for group in groups:
        for i in group:
            stay[i] = sc.group_weight(i, group)
    for _ in range(GROUP_SWAP_PASSES):
        improved = False
        for a in range(sc.n):
            for c in candidates[a][:GROUP_SWAP_CANDIDATES]:
                ga, gc = where[a], where[c]
                if ga < 0 or gc < 0 or ga == gc:
                    continue
                home, away = groups[ga], groups[gc]
                with_away = [sc.weight(a, m) for m in away]
                conflicts = with_away.count(None)
                if conflicts > 1:
                    continue
                total = sum(w for w in with_away if w is not None)
                best, best_gain = None, 1e-9
                for d, w_ad in zip(away, with_away, strict=True):
                    # d leaves for a's group; a may only go where d was a's one conflict.
                    if d == c or (conflicts and w_ad is not None):
                        continue
                    d_there = sc.group_weight(d, [m for m in home if m != a])
                    if d_there is None:
                        continue
                    gain = total - (w_ad or 0.0) + d_there - stay[a] - stay[d]
                    if gain > best_gain:
                        best, best_gain = d, gain
                if best is not None:
                    home[home.index(a)] = best
                    away[away.index(best)] = a
                    where[a], where[best] = gc, ga
                    for i in home + away:
                        stay[i] = sc.group_weight(i, groups[where[i]])
                    improved = True
        if not improved:
            return
