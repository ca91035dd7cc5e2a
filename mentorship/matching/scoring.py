"""How much a pair gains from meeting: the weights, and `Scorer`, which scores the pairs
of one call (and forbids those the hard rules rule out)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from mentorship.matching.hours import overlap, schedule_key
from mentorship.matching.participants import Participant, is_experienced, is_newcomer

GOOD_OVERLAP_MINUTES = 60
# Rounds within which a pair must not meet again while any alternative exists. Six let a
# 50-person org bring pairs back every seven rounds (4 repeats within 12 rounds at 50
# people, 9 at 51); twelve, about half a year of fortnightly chats, leaves none at every
# benchmark size (bench/matching.py) and still finds partners in orgs that small.
REPEAT_WINDOW = 12

# Score weights. The largest possible fit of one pair stays below PAIR_CEILING, which
# sizes the repeat penalty so that no amount of fit elsewhere pays for a recent repeat.
CROSS_TEAM = 3.0
TIME_BELOW_HOUR = 2.0  # reached linearly at just under an hour
TIME_HOUR = 6.0  # a full hour together: worth more than another team or a fairer three
TIME_MORE = 1.5  # the most that extra hours can add
TIME_MORE_SCALE = 180.0  # minutes; extra time saturates over a few hours
LEARNING_DIRECTION = 2.0
LEARNING_TOPIC = 0.25
LEARNING_TOPICS_COUNTED = 4
NEWCOMER_WITH_EXPERIENCED = 2.5
NEVER_MET = 2.5  # reached again by pairs who last met three windows ago
JITTER = 0.25
# Joining a pair as the third: prefer people who have been in fewer threes.
ODD_TURN = 3.0
PAIR_CEILING = (
    TIME_HOUR
    + TIME_MORE
    + CROSS_TEAM
    + LEARNING_DIRECTION * 2
    + LEARNING_TOPIC * LEARNING_TOPICS_COUNTED
    + NEWCOMER_WITH_EXPERIENCED
    + NEVER_MET
    + JITTER
    + 1.0
)

# Buddies: a newcomer needs someone who knows the place.
BUDDY_EXPERIENCED = 3.0
BUDDY_SETTLED = 1.0
BUDDY_NEWCOMER = -3.0

_MISSING = object()
_MASK64 = (1 << 64) - 1


def _time_score(minutes: int) -> float:
    if minutes < GOOD_OVERLAP_MINUTES:
        return TIME_BELOW_HOUR * minutes / GOOD_OVERLAP_MINUTES
    extra = minutes - GOOD_OVERLAP_MINUTES
    return TIME_HOUR + TIME_MORE * (1 - math.exp(-extra / TIME_MORE_SCALE))


def _mix(value: int) -> int:
    """splitmix64's finaliser: a cheap, well-spread hash that does not depend on PYTHONHASHSEED."""
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


class Scorer:
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
        self.schedule = [schedules.setdefault(schedule_key(p), len(schedules)) for p in people]
        self.schedule_keys = list(schedules)
        self.team = [p.team_id for p in people]
        self.newcomer = [is_newcomer(p) for p in people]
        self.experienced = [is_experienced(p) for p in people]
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
            value = overlap(self.schedule_keys[si], self.schedule_keys[sj])
            self._minutes[key] = value
        return value

    def cross(self, i: int, j: int) -> bool:
        a, b = self.team[i], self.team[j]
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
        # The solvers ask for the same pairs hundreds of thousands of times: key inlined.
        key = i * self.n + j if i < j else j * self.n + i
        value = self._weights.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if j in self.blocked[i] or i == j:
            value = None
        else:
            value = self.fit(i, j) + self.jitter(i, j)
            met = self.last_met.get(key)
            age = None if met is None else self.round_number - met
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
