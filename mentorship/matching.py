"""The matching engine: who meets whom in buddies, coffee chats, micro-mentoring and pods.

Pure Python, no Django and no database: `mentorship.services` turns people and past
rounds into `Participant`s and a history, and writes the `Group`s back.

Hard rules, never broken: nobody is grouped with their own line manager (either
direction), nor with someone either of them listed in `avoid`, nor with anyone not in
`participants`. When those rules make it impossible to place someone, that person is left
out of the result rather than placed against a rule; callers can spot them as the ids in no
group. Everything else is a score to maximise:

- a pair that met within the last `repeat_window` rounds costs more than any sum of the
  other terms can win back, so a recent repeat only happens when no alternative exists,
  and then the oldest such repeat costs least;
- different teams (when `cross_team`);
- shared working time on a typical day: under an hour scores little, an hour or more
  scores a lot, and more time adds a little with diminishing returns;
- learning fit (when `learning`): one wants to learn what the other offers, each
  direction counts;
- a newcomer (under 90 days) with someone experienced (a year or more);
- a small bonus for never having met, and a seeded jitter so ties vary between rounds
  while a given seed always gives the same groups.

Pairs (size=2) use an exact maximum-weight matching (networkx) on each person's best
candidates up to `EXACT_LIMIT` people; above that, sampled candidates, a greedy matching
and 2-opt swaps between pairs. Groups of three or more are built greedily and improved
with swaps between groups.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import networkx as nx

from connection.calendar import NEWCOMER_DAYS

EXPERIENCED_DAYS = 365
GOOD_OVERLAP_MINUTES = 60

# Up to this many people, pairs come from an exact maximum-weight matching.
EXACT_LIMIT = 300

SLOT_MINUTES = 15
WEEK_SLOTS = 7 * 24 * 60 // SLOT_MINUTES
FULL_WEEK = (1 << WEEK_SLOTS) - 1
# Working hours are laid on one fixed week, a mid-January Monday to Sunday: no common
# zone changes its clocks in it, so the same hours always give the same overlap.
REFERENCE_MONDAY = dt.date(2024, 1, 15)
WEEK_START = dt.datetime(2024, 1, 15, tzinfo=dt.UTC)

# Score weights. The largest possible fit of one pair stays below PAIR_CEILING, which
# sizes the repeat penalty so that no amount of fit elsewhere pays for a recent repeat.
CROSS_TEAM = 2.0
TIME_BELOW_HOUR = 2.0  # reached linearly at just under an hour
TIME_HOUR = 4.0  # a full hour together
TIME_MORE = 1.5  # the most that extra hours can add
TIME_MORE_SCALE = 180.0  # minutes; extra time saturates over a few hours
LEARNING_DIRECTION = 2.0
LEARNING_TOPIC = 0.25
LEARNING_TOPICS_COUNTED = 4
NEWCOMER_WITH_EXPERIENCED = 2.5
NEVER_MET = 2.5  # reached again by pairs who last met three windows ago
JITTER = 0.25
# Joining a pair as the third: prefer people who have been in fewer threes.
ODD_TURN = 1.0
PAIR_CEILING = 20.0

# Buddies: a newcomer needs someone who knows the place.
BUDDY_EXPERIENCED = 3.0
BUDDY_SETTLED = 1.0
BUDDY_NEWCOMER = -3.0

CANDIDATES = 24  # per person: the pool the heuristics pick and swap from
SAMPLED_CANDIDATES = 20  # per person, on large inputs: people with good shared time
RANDOM_CANDIDATES = 4
LOCAL_SEARCH_PASSES = 6  # 2-opt between pairs, until a pass finds nothing
TWO_OPT_CANDIDATES = 12
# Swaps between bigger groups cost more and gain little after a few passes.
GROUP_SWAP_PASSES = 3
GROUP_SWAP_CANDIDATES = 10

_MISSING = object()
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class Participant:
    id: int
    team_id: int | None
    manager_id: int | None  # line manager's id
    time_zone: str  # IANA
    work_start: dt.time
    work_end: dt.time  # may be < work_start (overnight shift)
    working_days: str  # ISO weekday digits, e.g. "12345"
    skills: frozenset[str] = frozenset()  # what they can offer / teach
    interests: frozenset[str] = frozenset()  # what they want to learn
    tenure_days: int | None = None
    avoid: frozenset[int] = frozenset()  # private "don't pair me with" ids
    odd_count: int = 0  # times this person was the extra member of a group of 3


@dataclass(frozen=True)
class Group:
    members: tuple[int, ...]  # participant ids, sorted
    score: float  # the mean fit of the pairs in the group (no jitter, no repeat penalty)
    reasons: tuple[str, ...]  # short sentences for the members, most telling first


# ---------------------------------------------------------------- working time


def _schedule_key(p: Participant) -> tuple[str, dt.time, dt.time, str]:
    return (p.time_zone, p.work_start, p.work_end, p.working_days)


@functools.lru_cache(maxsize=4096)
def _schedule(
    time_zone: str, start: dt.time, end: dt.time, days: str
) -> tuple[tuple[int, ...], int]:
    """One bitmask of 15-minute UTC slots per working day, and their union for the week.

    The week wraps around, so a Friday night shift in New York or a Monday morning in
    Kolkata (Sunday in UTC) still lands in it. Equal start and end mean round the clock.
    """
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    shifts = []
    for day in sorted({int(ch) for ch in days if ch in "1234567"}):
        date = REFERENCE_MONDAY + dt.timedelta(days=day - 1)
        begin = dt.datetime.combine(date, start, tzinfo=zone)
        finish = dt.datetime.combine(date, end, tzinfo=zone)
        if finish <= begin:
            finish += dt.timedelta(days=1)
        first = round((begin - WEEK_START).total_seconds() / (60 * SLOT_MINUTES))
        last = round((finish - WEEK_START).total_seconds() / (60 * SLOT_MINUTES))
        length = min(max(last - first, 0), WEEK_SLOTS)
        mask = ((1 << length) - 1) << (first % WEEK_SLOTS)
        shifts.append((mask | (mask >> WEEK_SLOTS)) & FULL_WEEK)
    week = 0
    for mask in shifts:
        week |= mask
    return tuple(shifts), week


@functools.lru_cache(maxsize=1 << 17)
def _overlap(a: tuple, b: tuple) -> int:
    """Minutes two schedules share on their best common working day."""
    shifts_a, week_a = _schedule(*a)
    shifts_b, week_b = _schedule(*b)
    if not week_a & week_b:
        return 0
    best = 0
    for mask_a in shifts_a:
        # What a day of `a` shares with all of `b`'s week bounds what it shares with one day.
        if (mask_a & week_b).bit_count() > best:
            for mask_b in shifts_b:
                best = max(best, (mask_a & mask_b).bit_count())
    return best * SLOT_MINUTES


@functools.lru_cache(maxsize=4096)
def _working_hours(key: tuple) -> tuple[int, ...]:
    """The hours of the reference week (0 to 167, UTC) in which the schedule works at all."""
    week = _schedule(*key)[1]
    per_hour = 60 // SLOT_MINUTES
    block = (1 << per_hour) - 1
    return tuple(h for h in range(7 * 24) if (week >> (h * per_hour)) & block)


def shared_minutes(a: Participant, b: Participant) -> int:
    """Typical weekday overlap in minutes: the best common working day's overlap.

    Computed on a fixed reference week, so daylight-saving changes do not move it.
    """
    return _overlap(_schedule_key(a), _schedule_key(b))


def _group_minutes(people: Sequence[Participant]) -> int:
    """Minutes everyone in the group shares on the best day of the first member."""
    first, *others = (_schedule(*_schedule_key(p)) for p in people)
    common = FULL_WEEK
    for _, week in others:
        common &= week
    return max(((mask & common).bit_count() for mask in first[0]), default=0) * SLOT_MINUTES


def _time_score(minutes: int) -> float:
    if minutes < GOOD_OVERLAP_MINUTES:
        return TIME_BELOW_HOUR * minutes / GOOD_OVERLAP_MINUTES
    extra = minutes - GOOD_OVERLAP_MINUTES
    return TIME_HOUR + TIME_MORE * (1 - math.exp(-extra / TIME_MORE_SCALE))


# ---------------------------------------------------------------- scoring


def _mix(value: int) -> int:
    """splitmix64's finaliser: a cheap, well-spread hash that does not depend on PYTHONHASHSEED."""
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def _is_newcomer(p: Participant) -> bool:
    return p.tenure_days is not None and p.tenure_days < NEWCOMER_DAYS


def _is_experienced(p: Participant) -> bool:
    return p.tenure_days is not None and p.tenure_days >= EXPERIENCED_DAYS


class _Scorer:
    """Pair weights for one call, by position in `people`; None marks a forbidden pair."""

    def __init__(
        self,
        people: Sequence[Participant],
        *,
        history: Mapping[frozenset[int], int],
        round_number: int,
        repeat_window: int,
        learning: bool,
        cross_team: bool,
        seed: int,
        max_size: int,
    ) -> None:
        self.people = people
        self.n = n = len(people)
        self.round_number = round_number
        self.repeat_window = repeat_window
        self.learning = learning
        self.cross_team = cross_team
        self.index = {p.id: i for i, p in enumerate(people)}
        schedules: dict[tuple, int] = {}
        self.schedule = [schedules.setdefault(_schedule_key(p), len(schedules)) for p in people]
        self.schedule_keys = list(schedules)
        self.newcomer = [_is_newcomer(p) for p in people]
        self.experienced = [_is_experienced(p) for p in people]
        self.blocked: list[set[int]] = [set() for _ in people]
        for i, p in enumerate(people):
            others = set(p.avoid)
            if p.manager_id is not None:
                others.add(p.manager_id)
            for other in others:
                j = self.index.get(other)
                if j is not None and j != i:
                    self.blocked[i].add(j)
                    self.blocked[j].add(i)
        self.last_met: dict[int, int] = {}
        for pair, met in history.items():
            if len(pair) != 2:
                continue
            a, b = (self.index.get(pid) for pid in pair)
            if a is not None and b is not None:
                key = self._key(a, b)
                self.last_met[key] = max(met, self.last_met.get(key, met))
        # One recent repeat must outweigh the fit of every pair in the result.
        self.penalty = PAIR_CEILING * (n * max(max_size, 2) + 1)
        self.salt = _mix((seed & _MASK64) * 0x9E3779B97F4A7C15 + (round_number & _MASK64))
        self._weights: dict[int, float | None] = {}
        self._minutes: dict[int, int] = {}

    def _key(self, i: int, j: int) -> int:
        return i * self.n + j if i < j else j * self.n + i

    def jitter(self, i: int, j: int = -1) -> float:
        a, b = self.people[i].id, (self.people[j].id if j >= 0 else -1)
        lo, hi = (a, b) if a < b else (b, a)
        value = _mix(self.salt ^ ((lo * 0xC2B2AE3D27D4EB4F + hi) & _MASK64))
        return JITTER * value / 2**64

    def minutes(self, i: int, j: int) -> int:
        si, sj = self.schedule[i], self.schedule[j]
        key = si * len(self.schedule_keys) + sj
        value = self._minutes.get(key)
        if value is None:
            value = _overlap(self.schedule_keys[si], self.schedule_keys[sj])
            self._minutes[key] = value
        return value

    def cross(self, i: int, j: int) -> bool:
        a, b = self.people[i].team_id, self.people[j].team_id
        return a is None or a != b

    def fit(self, i: int, j: int) -> float:
        """What the pair gains from meeting: no jitter, no history."""
        score = _time_score(self.minutes(i, j))
        if self.cross_team and self.cross(i, j):
            score += CROSS_TEAM
        if self.learning:
            a, b = self.people[i], self.people[j]
            forward = len(a.interests & b.skills)
            backward = len(b.interests & a.skills)
            score += LEARNING_DIRECTION * ((forward > 0) + (backward > 0))
            score += LEARNING_TOPIC * min(forward + backward, LEARNING_TOPICS_COUNTED)
        if (self.newcomer[i] and self.experienced[j]) or (self.newcomer[j] and self.experienced[i]):
            score += NEWCOMER_WITH_EXPERIENCED
        return score

    def rounds_since(self, i: int, j: int) -> int | None:
        met = self.last_met.get(self._key(i, j))
        return None if met is None else self.round_number - met

    def weight(self, i: int, j: int) -> float | None:
        key = self._key(i, j)
        value = self._weights.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if j in self.blocked[i] or i == j:
            value = None
        else:
            value = self.fit(i, j) + self.jitter(i, j)
            age = self.rounds_since(i, j)
            if age is None:
                value += NEVER_MET
            elif age <= self.repeat_window:
                # Older repeats cost less, so an unavoidable repeat is the oldest one.
                value -= self.penalty * (self.repeat_window + 1 - max(age, 1))
            else:
                spread = 2 * self.repeat_window + 1
                value += NEVER_MET * min(1.0, (age - self.repeat_window) / spread)
        self._weights[key] = value
        return value

    def group_weight(self, person: int, members: Sequence[int]) -> float | None:
        """Sum of `person`'s weights with `members` (skipping themself), None if forbidden."""
        total = 0.0
        for m in members:
            if m != person:
                w = self.weight(person, m)
                if w is None:
                    return None
                total += w
        return total


# ---------------------------------------------------------------- candidates


def _candidates(sc: _Scorer, pool: Sequence[int], rng: random.Random) -> dict[int, list[int]]:
    """Each person's best `CANDIDATES` partners in `pool`, best first, allowed pairs only.

    Small pools are scored in full; large ones are sampled: people whose hours overlap
    by an hour or more, people offering what one wants to learn (and the reverse),
    experienced people for newcomers, and a few at random.
    """
    found: dict[int, set[int]] = {i: set() for i in pool}
    if len(pool) <= EXACT_LIMIT:
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
    sc: _Scorer, pool: Sequence[int], rng: random.Random, found: dict[int, set[int]]
) -> None:
    # People indexed by the hours of the week they work: drawing one of a person's hours,
    # then someone working in it, finds partners in proportion to the time they share,
    # however many different schedules there are.
    by_hour: dict[int, list[int]] = {}
    hours_of: dict[int, tuple[int, ...]] = {}
    for i in pool:
        hours = _working_hours(sc.schedule_keys[sc.schedule[i]])
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
            if j != i and sc.weight(i, j) is not None:
                found[i].add(j)
                found[j].add(i)

    for i in pool:
        hours = hours_of[i]
        for _ in range(SAMPLED_CANDIDATES if hours else 0):
            there = by_hour[hours[rng.randrange(len(hours))]]
            j = there[rng.randrange(len(there))]
            if j != i and sc.weight(i, j) is not None:
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


# ---------------------------------------------------------------- pairs


def _pair_up(sc: _Scorer, pool: list[int], rng: random.Random) -> tuple[dict[int, int], list[int]]:
    """Pair everyone in `pool` (an even count, ideally); returns mates and the unpaired."""
    candidates = _candidates(sc, pool, rng)
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


def _repair_pairs(sc: _Scorer, mate: dict[int, int], unpaired: list[int]) -> list[int]:
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
    sc: _Scorer, mate: dict[int, int], candidates: dict[int, list[int]], pool: list[int]
) -> None:
    """Swap partners between two pairs while that raises the total weight."""
    for _ in range(LOCAL_SEARCH_PASSES):
        improved = False
        for a in pool:
            if a not in mate:
                continue
            for c in candidates[a][:TWO_OPT_CANDIDATES]:
                b, d = mate[a], mate.get(c)
                if d is None or c == b:
                    continue
                w_ac, w_bd = sc.weight(a, c), sc.weight(b, d)
                if w_ac is None or w_bd is None:
                    continue
                if w_ac + w_bd > sc.weight(a, b) + sc.weight(c, d) + 1e-9:
                    mate[a], mate[c], mate[b], mate[d] = c, a, d, b
                    improved = True
        if not improved:
            return


def _attach(
    sc: _Scorer, groups: list[list[int]], extra: int, max_size: int, *, turn_cost: float = 0.0
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


def _match_pairs(sc: _Scorer, max_size: int, rng: random.Random) -> list[list[int]]:
    """Pairs, plus one three for an odd count (or one person sitting out if max_size is 2)."""
    everyone = list(range(sc.n))
    if sc.n % 2 == 0:
        tries: list[int | None] = [None]
    else:
        # The extra member of the group of three is whoever has been it least often.
        by_turns = sorted(everyone, key=lambda i: (sc.people[i].odd_count, sc.jitter(i)))
        tries = by_turns[:3] if max_size >= 3 else by_turns[:1]
    result: list[list[int]] = []
    for extra in tries:
        pool = [i for i in everyone if i != extra]
        mate, unpaired = _pair_up(sc, pool, rng)
        groups = [[i, mate[i]] for i in pool if i in mate and i < mate[i]]
        leftovers = unpaired + ([] if extra is None else [extra])
        # Pairs stay pairs while a three can take the person; only then make more threes.
        # Everyone in a three counts a turn (mentorship.services), so spread the turns.
        left_out = [
            i
            for i in leftovers
            if not _attach(sc, [g for g in groups if len(g) == 2], i, max_size, turn_cost=ODD_TURN)
            and not _attach(sc, groups, i, max_size, turn_cost=ODD_TURN)
        ]
        if extra is not None and not left_out:
            _settle_three(sc, groups, extra)
        if not result or not left_out:
            result = groups
        if not left_out:
            break
    return result


def _three_value(sc: _Scorer, three: list[int]) -> float | None:
    total = 0.0
    for x, i in enumerate(three):
        gain = sc.group_weight(i, three[x + 1 :])
        if gain is None:
            return None
        total += gain - ODD_TURN * sc.people[i].odd_count
    return total


def _settle_three(sc: _Scorer, groups: list[list[int]], extra: int) -> None:
    """Trade the extra's two partners for people with fewer threes behind them, if it pays.

    Everyone in a three counts a turn (mentorship.services), so the pair the extra joined
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


def _group_sizes(n: int, size: int, max_size: int) -> list[int]:
    """As few groups as keep everyone within `max_size`, sizes differing by at most one.

    With room above `size`, leftovers join existing groups (14 people in fours with a
    maximum of five: 5, 5, 4); without it they make the groups smaller (4, 4, 3, 3).
    """
    for count in range(max(1, n // size), n // 2 + 1):
        if -(-n // count) <= max_size:
            small, extra = divmod(n, count)
            return [small + 1] * extra + [small] * (count - extra)
    return [2] * (n // 2)  # not reached: the caller asks for groups of three or more


def _match_groups(
    sc: _Scorer, sizes: list[int], max_size: int, rng: random.Random
) -> list[list[int]]:
    everyone = list(range(sc.n))
    candidates = _candidates(sc, everyone, rng)
    order = everyone[:]
    rng.shuffle(order)
    # The hardest to place go first, while every group still has room.
    order.sort(key=lambda i: len(sc.blocked[i]), reverse=True)
    where = [-1] * sc.n
    groups: list[list[int]] = []
    unplaced = set(everyone)

    def best_addition(group: list[int], pool) -> int | None:
        best, best_gain = None, None
        for j in pool:
            if where[j] < 0:
                gain = sc.group_weight(j, group)
                if gain is not None and (best_gain is None or (gain, -j) > (best_gain, -best)):
                    best, best_gain = j, gain
        return best

    for i in order:
        if where[i] >= 0 or len(groups) == len(sizes):
            continue
        group = [i]
        where[i] = len(groups)
        unplaced.discard(i)
        groups.append(group)
        while len(group) < sizes[where[i]]:
            nearby = {j for m in group for j in candidates[m]}
            j = best_addition(group, sorted(nearby))
            if j is None:
                j = best_addition(group, sorted(unplaced))
            if j is None:
                break
            group.append(j)
            where[j] = where[i]
            unplaced.discard(j)

    # Mop up: people who fit no group, and groups too small to stand.
    for x, group in enumerate(groups):
        if len(group) < 2:
            for m in group:
                where[m] = -1
                unplaced.add(m)
            groups[x] = []
    for i in sorted(unplaced):
        home = [g for g in groups if len(g) >= 2]
        if _attach(sc, home, i, max_size):
            continue
        for g in home:  # swap someone out to make room, if they fit elsewhere
            swapped = False
            for m in list(g):
                rest = [k for k in g if k != m]
                if sc.group_weight(i, rest) is None:
                    continue
                others = [h for h in home if h is not g]
                if _attach(sc, others, m, max_size):
                    g.remove(m)
                    g.append(i)
                    swapped = True
                    break
            if swapped:
                break
    groups = [g for g in groups if len(g) >= 2]
    for x, group in enumerate(groups):
        for m in group:
            where[m] = x
    _swap_between_groups(sc, groups, where, candidates)
    return groups


def _swap_between_groups(
    sc: _Scorer, groups: list[list[int]], where: list[int], candidates: dict[int, list[int]]
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


# ---------------------------------------------------------------- reasons


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def _reasons(sc: _Scorer, members: list[int]) -> tuple[str, ...]:
    people = [sc.people[i] for i in members]
    pair = len(members) == 2
    reasons = []
    if sc.learning:
        offered = set()
        for a in people:
            for b in people:
                if a is not b:
                    offered.update(a.interests & b.skills)
        for topic in sorted(offered)[:2]:
            if pair:
                reasons.append(f"one of you wants to learn {topic}, the other offers it")
            else:
                reasons.append(f"someone wants to learn {topic} and someone else here offers it")
    if any(sc.newcomer[i] for i in members):
        veterans = [
            p.tenure_days for i, p in zip(members, people, strict=True) if sc.experienced[i]
        ]
        if veterans:
            years = max(veterans) // 365
            unit = "year" if years == 1 else "years"
            reasons.append(f"a newcomer with someone who has been here {years} {unit}")
    minutes = shared_minutes(*people) if pair else _group_minutes(people)
    if minutes >= SLOT_MINUTES:
        reasons.append(f"{_duration(minutes)} of shared working time (your hours)")
    teams = {p.team_id for p in people}
    if sc.cross_team and None not in teams and len(teams) == len(people):
        reasons.append("different teams" if pair else f"{len(teams)} different teams")
    ages = [sc.rounds_since(i, j) for x, i in enumerate(members) for j in members[x + 1 :]]
    if all(age is None for age in ages):
        reasons.append(
            "your first time matched together" if pair else "none of you have met here before"
        )
    elif pair:
        age = ages[0]
        reasons.append("you met last round" if age <= 1 else f"you last met {age} rounds ago")
    return tuple(reasons)


def _to_group(sc: _Scorer, members: list[int]) -> Group:
    members = sorted(members, key=lambda i: sc.people[i].id)
    fits = [sc.fit(i, j) for x, i in enumerate(members) for j in members[x + 1 :]]
    return Group(
        members=tuple(sc.people[i].id for i in members),
        score=round(sum(fits) / len(fits), 3),
        reasons=_reasons(sc, members),
    )


# ---------------------------------------------------------------- entry points


def match(
    participants: Sequence[Participant],
    *,
    history: Mapping[frozenset[int], int],
    round_number: int,
    size: int = 2,
    max_size: int | None = None,
    repeat_window: int = 6,
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
    sc = _Scorer(
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
        groups = _match_pairs(sc, max_size, rng)
    else:
        groups = _match_groups(sc, _group_sizes(len(people), size, max_size), max_size, rng)
    result = [_to_group(sc, g) for g in groups]
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
    sc = _Scorer(
        people,
        history=history,
        round_number=round_number,
        repeat_window=6,
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
    return None if best is None else _to_group(sc, [0, best])
