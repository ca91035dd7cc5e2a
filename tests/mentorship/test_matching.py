"""The matching engine on its own: no database, just participants in and groups out."""

import datetime as dt
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorship.matching import solver as matching_solver
from mentorship.matching.hours import shared_minutes
from mentorship.matching.left_out import AVOIDED, NO_ROOM, REPORTING, left_out
from mentorship.matching.participants import Group, Participant
from mentorship.matching.rounds import choose_buddy, match

NINE, FIVE = dt.time(9), dt.time(17)
LISBON, BERLIN = "Europe/Lisbon", "Europe/Berlin"
KOLKATA, NEW_YORK = "Asia/Kolkata", "America/New_York"


def person(pid: int, *, team: int | None = None, zone: str = LISBON, **fields) -> Participant:
    """Someone working 9 to 5 on weekdays, on a team of their own unless told otherwise."""
    defaults = {
        "team_id": pid if team is None else team,
        "manager_id": None,
        "time_zone": zone,
        "work_start": NINE,
        "work_end": FIVE,
        "working_days": "12345",
    }
    return Participant(id=pid, **(defaults | fields))


def pairs_in(groups: list[Group]) -> set[frozenset[int]]:
    return {
        frozenset((a, b))
        for g in groups
        for i, a in enumerate(g.members)
        for b in g.members[i + 1 :]
    }


def together(groups: list[Group], a: int, b: int) -> bool:
    return frozenset((a, b)) in pairs_in(groups)


def partner(groups: list[Group], pid: int) -> set[int]:
    return next(set(g.members) - {pid} for g in groups if pid in g.members)


def assert_partition(groups: list[Group], people: list[Participant], largest: int) -> None:
    placed = [m for g in groups for m in g.members]
    assert sorted(placed) == sorted(p.id for p in people)
    for g in groups:
        assert 2 <= len(g.members) <= largest
        assert list(g.members) == sorted(g.members)


def simulate(people: list[Participant], rounds: int, **options) -> list[list[Group]]:
    """Run rounds the way mentorship.services.programmes does: history and odd turns fed back."""
    history: dict[frozenset[int], int] = {}
    turns: Counter[int] = Counter()
    result = []
    for number in range(1, rounds + 1):
        current = [replace(p, odd_count=turns[p.id]) for p in people]
        groups = match(current, history=history, round_number=number, **options)
        for g in groups:
            if len(g.members) == 3:
                turns.update(g.members)
        history.update(dict.fromkeys(pairs_in(groups), number))
        result.append(groups)
    return result


@pytest.fixture(params=["exact", "heuristic"])
def solver(request, monkeypatch):
    """Run a test through the exact matching and through the large-input heuristic."""
    if request.param == "heuristic":
        monkeypatch.setattr(matching_solver, "EXACT_LIMIT", 0)
    return request.param


# ---------------------------------------------------------------- repeats


def test_no_pair_meets_twice_within_the_window_over_26_rounds(solver):
    zones = [LISBON, BERLIN, NEW_YORK, KOLKATA]
    people = [person(i, team=i // 5, zone=zones[i % 4]) for i in range(1, 25)]
    last_met: dict[frozenset[int], int] = {}
    for number, groups in enumerate(simulate(people, 26, repeat_window=6), start=1):
        assert_partition(groups, people, largest=3)
        for pair in pairs_in(groups):
            assert number - last_met.get(pair, -100) > 6, f"{set(pair)} again in round {number}"
            last_met[pair] = number


def test_threes_avoid_repeats_too(solver):
    people = [person(i) for i in range(1, 16)]
    rounds = simulate(people, 26, repeat_window=4)
    last_met: dict[frozenset[int], int] = {}
    for number, groups in enumerate(rounds, start=1):
        assert_partition(groups, people, largest=3)
        assert sum(len(g.members) == 3 for g in groups) == 1
        for pair in pairs_in(groups):
            assert number - last_met.get(pair, -100) > 4
            last_met[pair] = number


def test_an_unavoidable_repeat_is_the_oldest_one():
    a, b, c, d = (person(i) for i in (1, 2, 3, 4))
    history = {
        frozenset((1, 2)): 9,
        frozenset((3, 4)): 9,
        frozenset((1, 3)): 5,
        frozenset((2, 4)): 5,
        frozenset((1, 4)): 7,
        frozenset((2, 3)): 7,
    }
    for seed in range(10):
        groups = match([a, b, c, d], history=history, round_number=10, seed=seed)
        assert [g.members for g in groups] == [(1, 3), (2, 4)]
        # Within the window, a repeat says so first: the introduction quotes two reasons.
        assert groups[0].reasons[0] == (
            "you last met 5 rounds ago: the only way we found to seat everyone"
        )


def test_pairs_that_met_long_ago_are_fine_again():
    history = {frozenset((1, 2)): 1}
    groups = match([person(1), person(2)], history=history, round_number=20)
    assert [g.members for g in groups] == [(1, 2)]


# ---------------------------------------------------------------- odd counts


def test_the_odd_one_out_rotates_across_rounds(solver):
    people = [person(i, team=i % 4, zone=[LISBON, BERLIN][i % 2]) for i in range(1, 16)]
    rounds = simulate(people, 15)
    turns: Counter[int] = Counter()
    for groups in rounds:
        (three,) = [g.members for g in groups if len(g.members) == 3]
        # The third is always someone who has been in the fewest threes so far.
        fewest = min(turns[p.id] for p in people)
        assert any(turns[m] == fewest for m in three)
        turns.update(three)
    # 45 turns among 15 people, three each on average; better fits may shift one or two.
    assert min(turns[p.id] for p in people) >= 2
    assert max(turns.values()) <= 5


def test_the_person_with_fewest_odd_turns_is_the_third():
    people = [person(i, odd_count=0 if i == 4 else 3) for i in range(1, 8)]
    for seed in range(10):
        groups = match(people, history={}, round_number=1, seed=seed)
        assert sorted(len(g.members) for g in groups) == [2, 2, 3]
        assert 4 in next(g.members for g in groups if len(g.members) == 3)


def test_pairs_without_room_for_a_three_leave_one_person_out():
    people = [person(i, odd_count=1 if i != 2 else 0) for i in range(1, 6)]
    groups = match(people, history={}, round_number=1, max_size=2)
    assert [len(g.members) for g in groups] == [2, 2]
    assert 2 not in {m for g in groups for m in g.members}


# ---------------------------------------------------------------- hard rules


def test_nobody_is_paired_with_their_own_manager(solver):
    boss = person(1)
    reports = [person(i, manager_id=1) for i in (2, 3, 4)]
    outsider = person(5)
    sixth = person(6)
    for seed in range(20):
        groups = match([boss, *reports, outsider, sixth], history={}, round_number=1, seed=seed)
        assert_partition(groups, [boss, *reports, outsider, sixth], largest=3)
        assert partner(groups, 1) <= {5, 6}


def test_a_manager_and_report_alone_are_not_matched():
    assert match([person(1), person(2, manager_id=1)], history={}, round_number=1) == []


def test_three_where_two_must_not_meet_makes_one_pair():
    people = [person(1, avoid=frozenset({2})), person(2), person(3)]
    groups = match(people, history={}, round_number=1)
    assert len(groups) == 1
    assert not together(groups, 1, 2)


@pytest.mark.parametrize("who_avoids", ["first", "second"])
def test_dont_pair_lists_work_in_both_directions(solver, who_avoids):
    # 1 and 2 are each other's best fit on paper: each offers what the other wants.
    people = [
        person(1, skills=frozenset({"sql"}), interests=frozenset({"go"})),
        person(2, skills=frozenset({"go"}), interests=frozenset({"sql"})),
        *(person(i) for i in range(3, 7)),
    ]
    a, b = (0, 1) if who_avoids == "first" else (1, 0)
    people[a] = replace(people[a], avoid=frozenset({people[b].id}))
    for seed in range(20):
        groups = match(people, history={}, round_number=1, seed=seed, learning=True)
        assert_partition(groups, people, largest=3)
        assert not together(groups, 1, 2)


def test_hard_rules_hold_in_groups_too(solver):
    boss = person(1)
    people = [boss] + [person(i, manager_id=1, avoid=frozenset({i + 1})) for i in range(2, 13)]
    for seed in range(10):
        groups = match(people, history={}, round_number=1, size=4, seed=seed)
        for g in groups:
            assert not ({1} < set(g.members))
            assert not any(i in g.members and i + 1 in g.members for i in range(2, 13))


def test_only_participants_are_matched():
    history = {frozenset((1, 99)): 1}
    people = [person(1, avoid=frozenset({50})), person(2, manager_id=77), person(3)]
    members = {m for g in match(people, history=history, round_number=2) for m in g.members}
    assert members == {1, 2, 3}


# ---------------------------------------------------------------- what makes a good match


def test_shared_minutes_on_a_reference_week():
    lisbon, berlin = person(1, zone=LISBON), person(2, zone=BERLIN)
    kolkata, new_york = person(3, zone=KOLKATA), person(4, zone=NEW_YORK)
    assert shared_minutes(lisbon, berlin) == 7 * 60
    assert shared_minutes(lisbon, kolkata) == 150  # 9:00 in Kolkata is 3:30 in Lisbon
    assert shared_minutes(new_york, kolkata) == 0
    assert shared_minutes(lisbon, lisbon) == 8 * 60
    night = person(5, zone=NEW_YORK, work_start=dt.time(22), work_end=dt.time(6))
    assert shared_minutes(night, kolkata) == 7 * 60 + 30  # 03:00–11:00 UTC vs 03:30–11:30
    weekend = person(6, working_days="67")
    assert shared_minutes(weekend, lisbon) == 0
    assert shared_minutes(person(7, time_zone="Not/A_Zone"), lisbon) == 8 * 60


def test_lisbon_pairs_with_berlin_rather_than_kolkata_or_new_york(solver):
    people = [
        person(1, zone=LISBON),
        person(2, zone=BERLIN),
        person(3, zone=KOLKATA),
        person(4, zone=KOLKATA),
        person(5, zone=NEW_YORK),
        person(6, zone=NEW_YORK),
    ]
    for seed in range(20):
        groups = match(people, history={}, round_number=1, seed=seed)
        assert [g.members for g in groups] == [(1, 2), (3, 4), (5, 6)]
    lisbon_berlin = groups[0]
    assert "7 h of shared working time (your hours)" in lisbon_berlin.reasons
    assert "different teams" in lisbon_berlin.reasons


def test_an_hour_together_beats_a_colleague_on_the_same_team():
    people = [
        person(1, team=1, zone=NEW_YORK),
        person(2, team=1, zone=NEW_YORK),
        person(3, team=2, zone=KOLKATA),
        person(4, team=2, zone=KOLKATA),
    ]
    for seed in range(10):
        groups = match(people, history={}, round_number=1, seed=seed)
        assert [g.members for g in groups] == [(1, 2), (3, 4)]


def test_cross_team_is_preferred_only_when_asked():
    people = [person(1, team=1), person(2, team=1), person(3, team=2), person(4, team=2)]
    for seed in range(10):
        groups = match(people, history={}, round_number=1, seed=seed)
        assert not together(groups, 1, 2)
    outcomes = {
        tuple(
            g.members for g in match(people, history={}, round_number=1, seed=s, cross_team=False)
        )
        for s in range(30)
    }
    assert ((1, 2), (3, 4)) in outcomes


def test_newcomers_meet_experienced_people(solver):
    people = [
        person(1, tenure_days=20),
        person(2, tenure_days=40),
        person(3, tenure_days=800),
        person(4, tenure_days=2000),
    ]
    for seed in range(10):
        groups = match(people, history={}, round_number=1, seed=seed)
        for g in groups:
            assert len({m <= 2 for m in g.members}) == 2  # one newcomer, one veteran
    reasons = {r for g in groups for r in g.reasons}
    assert reasons & {
        "a newcomer with someone who has been here 2 years",
        "a newcomer with someone who has been here 5 years",
    }


def test_learning_fit_pairs_wants_with_offers(solver):
    people = [
        person(1, interests=frozenset({"sql"})),
        person(2, interests=frozenset({"design"})),
        person(3, skills=frozenset({"sql"})),
        person(4, skills=frozenset({"design"})),
    ]
    for seed in range(10):
        groups = match(people, history={}, round_number=1, seed=seed, learning=True)
        assert [g.members for g in groups] == [(1, 3), (2, 4)]
    assert groups[0].reasons[0] == "one of you wants to learn sql, the other offers it"


def test_reasons_never_mention_the_rules():
    people = [person(1), person(2, manager_id=1), person(3, avoid=frozenset({1})), person(4)]
    text = " ".join(r for g in match(people, history={}, round_number=1) for r in g.reasons)
    assert "manager" not in text
    assert "avoid" not in text


# ---------------------------------------------------------------- determinism


def test_the_same_seed_gives_the_same_groups_and_other_seeds_vary(solver):
    people = [person(i, team=i // 4) for i in range(1, 21)]
    first = match(people, history={}, round_number=3, seed=7)
    assert match(people, history={}, round_number=3, seed=7) == first
    assert match(list(reversed(people)), history={}, round_number=3, seed=7) == first
    others = {tuple(match(people, history={}, round_number=3, seed=s)) for s in range(8)}
    assert len(others) > 1


# ---------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("count", "size", "max_size", "sizes"),
    [
        (14, 4, None, [4, 5, 5]),
        (14, 4, 4, [3, 3, 4, 4]),
        (7, 3, None, [3, 4]),
        (7, 3, 3, [2, 2, 3]),
        (12, 5, None, [6, 6]),
        (12, 5, 5, [4, 4, 4]),
        (3, 4, None, [3]),
        (9, 2, None, [2, 2, 2, 3]),
    ],
)
def test_groups_take_their_size_and_spread_the_leftovers(count, size, max_size, sizes):
    people = [person(i, team=i % 3) for i in range(1, count + 1)]
    groups = match(people, history={}, round_number=1, size=size, max_size=max_size)
    assert sorted(len(g.members) for g in groups) == sizes
    assert_partition(groups, people, largest=max_size or size + 1)


def test_learning_pods_of_three_to_five(solver):
    topics = ["sql", "python", "design", "writing"]
    people = [
        person(
            i,
            team=i % 4,
            zone=[LISBON, BERLIN][i % 2],
            skills=frozenset({topics[i % 4]}),
            interests=frozenset({topics[(i + 1) % 4]}),
        )
        for i in range(1, 24)
    ]
    for seed in range(3):
        groups = match(
            people, history={}, round_number=1, size=4, max_size=5, learning=True, seed=seed
        )
        assert_partition(groups, people, largest=5)
        assert all(3 <= len(g.members) <= 5 for g in groups)
        assert any("wants to learn" in r for g in groups for r in g.reasons)


def test_pods_avoid_recent_repeats(solver):
    people = [person(i, team=i % 6) for i in range(1, 31)]
    last_met: dict[frozenset[int], int] = {}
    for number, groups in enumerate(simulate(people, 4, size=3, repeat_window=3), start=1):
        for pair in pairs_in(groups):
            assert number - last_met.get(pair, -100) > 3
            last_met[pair] = number


@pytest.mark.parametrize("count", [0, 1])
def test_nobody_or_one_person_makes_no_groups(count):
    assert match([person(i) for i in range(1, count + 1)], history={}, round_number=1) == []


def test_two_people_make_a_pair():
    (group,) = match([person(1), person(2, zone=BERLIN)], history={}, round_number=1)
    assert group.members == (1, 2)
    assert group.score > 0
    assert group.reasons == (
        "7 h of shared working time (your hours)",
        "different teams",
        "your first time matched together",
    )


def test_three_people_make_one_three():
    groups = match([person(1), person(2), person(3)], history={}, round_number=1)
    assert [g.members for g in groups] == [(1, 2, 3)]
    assert "3 different teams" in groups[0].reasons


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError):
        match([person(1), person(2)], history={}, round_number=1, size=1)
    with pytest.raises(ValueError):
        match([person(1), person(2)], history={}, round_number=1, size=4, max_size=3)


# ---------------------------------------------------------------- buddies


def test_a_buddy_is_experienced_and_allowed():
    newcomer = person(1, manager_id=2, tenure_days=3, avoid=frozenset({5}))
    candidates = [
        person(2, tenure_days=3000),  # the newcomer's manager
        person(3, tenure_days=30),
        person(4, tenure_days=900, zone=BERLIN),
        person(5, tenure_days=2000),  # on the newcomer's avoid list
        person(6, tenure_days=150),
    ]
    group = choose_buddy(newcomer, candidates, history={}, round_number=1)
    assert group is not None
    assert group.members == (1, 4)
    assert "a newcomer with someone who has been here 2 years" in group.reasons


def test_no_buddy_when_nobody_is_allowed():
    newcomer = person(1, manager_id=2)
    assert choose_buddy(newcomer, [person(2)], history={}, round_number=1) is None
    assert choose_buddy(newcomer, [], history={}, round_number=1) is None


# ---------------------------------------------------------------- properties

ZONES = [LISBON, BERLIN, KOLKATA, NEW_YORK, "Pacific/Auckland", "America/Los_Angeles"]


@st.composite
def populations(draw, *, most: int = 24) -> list[Participant]:
    ids = draw(st.lists(st.integers(1, 10_000), min_size=0, max_size=most, unique=True))
    people = []
    for pid in ids:
        others = [i for i in ids if i != pid]
        some_other = st.sampled_from(others) if others else st.nothing()
        people.append(
            Participant(
                id=pid,
                team_id=draw(st.none() | st.integers(1, 4)),
                manager_id=draw(st.none() | some_other | st.integers(20_000, 20_010)),
                time_zone=draw(st.sampled_from(ZONES)),
                work_start=dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))),
                work_end=dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15]))),
                working_days=draw(st.sampled_from(["12345", "1234", "67", "1234567", ""])),
                skills=frozenset(draw(st.lists(st.sampled_from(["sql", "go", "art"]), max_size=2))),
                interests=frozenset(draw(st.lists(st.sampled_from(["sql", "go"]), max_size=1))),
                tenure_days=draw(st.none() | st.integers(0, 4000)),
                avoid=frozenset(draw(st.lists(some_other, max_size=2))) if others else frozenset(),
                odd_count=draw(st.integers(0, 3)),
            )
        )
    return people


def conflicts(people: list[Participant]) -> dict[int, set[int]]:
    ids = {p.id for p in people}
    found: dict[int, set[int]] = {p.id: set() for p in people}
    for p in people:
        for other in (p.avoid | {p.manager_id}) & ids - {p.id}:
            found[p.id].add(other)
            found[other].add(p.id)
    return found


def histories(people: list[Participant]):
    ids = sorted(p.id for p in people)
    pairs = [frozenset((a, b)) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    if not pairs:
        return st.just({})
    return st.dictionaries(st.sampled_from(pairs), st.integers(0, 9), max_size=len(pairs))


def check_structure(people, groups, largest):
    by_id = {p.id: p for p in people}
    placed = [m for g in groups for m in g.members]
    assert len(placed) == len(set(placed))
    assert set(placed) <= set(by_id)
    blocked = conflicts(people)
    for g in groups:
        assert 2 <= len(g.members) <= largest
        assert list(g.members) == sorted(g.members)
        for m in g.members:
            assert not blocked[m] & set(g.members), "a manager or avoid pair was grouped"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), people=populations())
def test_pairs_respect_the_rules_for_any_population(data, people):
    history = data.draw(histories(people))
    max_size = data.draw(st.sampled_from([2, 3, 4]))
    groups = match(
        people,
        history=history,
        round_number=10,
        max_size=max_size,
        learning=data.draw(st.booleans()),
        seed=data.draw(st.integers(0, 5)),
    )
    check_structure(people, groups, max_size)
    n = len(people)
    placed = {m for g in groups for m in g.members}
    least_allowed = min((n - 1 - len(c) for c in conflicts(people).values()), default=0)
    # With everyone allowed to meet more than half the others (Dirac), everyone fits:
    # a perfect matching exists, and the odd one out fits with both members of some pair.
    if n >= 2 and least_allowed >= n // 2 + 1 and (n % 2 == 0 or max_size >= 3):
        assert placed == {p.id for p in people}
    if n >= 2 and n % 2 == 0 and least_allowed >= n // 2 + 1:
        assert all(len(g.members) == 2 for g in groups)
    if n % 2 and max_size >= 3 and placed == {p.id for p in people}:
        assert sum(len(g.members) == 3 for g in groups) == 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), people=populations(most=30))
def test_groups_respect_the_rules_for_any_population(data, people):
    size = data.draw(st.integers(3, 5))
    max_size = data.draw(st.sampled_from([size, size + 1]))
    groups = match(
        people,
        history=data.draw(histories(people)),
        round_number=10,
        size=size,
        max_size=max_size,
        seed=data.draw(st.integers(0, 5)),
    )
    check_structure(people, groups, max_size)
    n = len(people)
    # Few conflicts, enough people: everyone must be placed.
    if n >= 2 * size and all(len(c) <= 1 for c in conflicts(people).values()):
        assert {m for g in groups for m in g.members} == {p.id for p in people}


@settings(max_examples=60, deadline=None)
@given(people=populations(most=40), seed=st.integers(0, 3))
def test_exact_and_heuristic_pairing_agree_on_the_rules(people, seed):
    exact = match(people, history={}, round_number=1, seed=seed)
    original = matching_solver.EXACT_LIMIT
    matching_solver.EXACT_LIMIT = 0
    try:
        heuristic = match(people, history={}, round_number=1, seed=seed)
    finally:
        matching_solver.EXACT_LIMIT = original
    check_structure(people, heuristic, 3)
    assert len({m for g in heuristic for m in g.members}) >= (
        len({m for g in exact for m in g.members}) - 2
    )


# ---------------------------------------------------------------- window, threes, left out


def test_no_pair_meets_again_within_12_rounds_by_default(solver):
    zones = [LISBON, BERLIN, NEW_YORK, KOLKATA]
    people = [person(i, team=i // 5, zone=zones[i % 4]) for i in range(1, 26)]
    last_met: dict[frozenset[int], int] = {}
    for number, groups in enumerate(simulate(people, 16), start=1):
        assert_partition(groups, people, largest=3)
        for pair in pairs_in(groups):
            assert number - last_met.get(pair, -100) > 12, f"{set(pair)} again in round {number}"
            last_met[pair] = number


def test_nobody_sits_in_a_three_more_than_twice_while_others_have_had_fewer(solver):
    # 13 threes make 39 seats for 27 people: two each at most, as at 51 people over 26.
    zones = [LISBON, BERLIN, NEW_YORK, KOLKATA]
    people = [person(i, team=i // 6, zone=zones[i % 4]) for i in range(1, 28)]
    turns: Counter[int] = Counter()
    for groups in simulate(people, 13):
        (three,) = [g.members for g in groups if len(g.members) == 3]
        fewest = min(turns[p.id] for p in people)
        assert all(turns[m] <= fewest + 1 for m in three)  # within one of the least
        turns.update(three)
    assert max(turns.values()) <= 2


def test_a_three_says_which_two_met_before_and_why():
    ana, ben, cy = person(1, name="Ana"), person(2, name="Ben"), person(3, name="Cy")
    history = {frozenset((1, 2)): 4}
    (recent,) = match([ana, ben, cy], history=history, round_number=6)
    assert (
        recent.reasons[0]
        == "Ana and Ben met before, in round 4: the only way we found to seat everyone"
    )
    (older,) = match([ana, ben, cy], history=history, round_number=30)
    assert older.reasons[-1] == "Ana and Ben met before, in round 4"
    assert not any("only way" in r for r in older.reasons)
    (nameless,) = match([person(1), person(2), person(3)], history=history, round_number=6)
    assert nameless.reasons[0].startswith("two of you met before, in round 4")


def test_the_left_out_get_a_reason():
    lead = person(1)
    reports = [person(i, manager_id=1) for i in (2, 3)]
    loner = person(4, avoid=frozenset({1, 2, 3, 5}))
    avoided = person(5)
    people = [lead, *reports, loner, avoided]
    groups = match(people, history={}, round_number=1)
    assert left_out(people, [g.members for g in groups]) == {4: AVOIDED}
    pairs_only = match([lead, *reports], history={}, round_number=1, max_size=2)
    assert left_out([lead, *reports], [g.members for g in pairs_only]) == {1: REPORTING}
    odd = [person(i) for i in range(1, 6)]
    assert left_out(odd, [(1, 2), (3, 4)]) == {5: NO_ROOM}
