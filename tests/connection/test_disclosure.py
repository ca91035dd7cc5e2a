"""The audit's exact search for isolated groups against the mixed-integer program it
replaced: on random tables of teams, tenure bands and locations, with random rows
withheld, both must find an isolated small group in exactly the same components,
and every group the search reports must really be reached by the published rows."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connection import disclosure

K = 5

CELL = st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 2), st.integers(1, 6))


@st.composite
def tables(draw):
    """Cells (team, tenure, location, respondents) under a random tree of six teams,
    and the rows an HR admin could read: every team's total and slices, some withheld."""
    cells = draw(st.lists(CELL, min_size=3, max_size=40, unique_by=lambda c: c[:3]))
    parents = [None] + [draw(st.integers(0, team - 1)) for team in range(1, 6)]

    def path(team):
        return [team] if parents[team] is None else [*path(parents[team]), team]

    rows = []
    for team in range(6):
        inside = [i for i, c in enumerate(cells) if team in path(c[0])]
        kinds = [("", "", lambda c: True)]
        kinds += [("tenure", v, lambda c, v=v: c[1] == v) for v in range(4)]
        kinds += [("location", v, lambda c, v=v: c[2] == v) for v in range(3)]
        for by, value, holds in kinds:
            chosen = frozenset(i for i in inside if holds(cells[i]))
            if chosen and draw(st.booleans()):
                rows.append(disclosure.Row((team, by, value), (by, value), chosen))
    return [c[3] for c in cells], rows


def isolated_components(attack: disclosure.Attack) -> list[bool]:
    """Per component: is some set of two or more small atoms isolated? Atoms a row
    isolates alone are left out, so that the larger sets are what is compared."""
    out = []
    for component in attack.components:
        matrix = attack._matrix(component).toarray()
        alone = []
        for unit in np.eye(len(component.atoms)):
            alpha = np.linalg.lstsq(matrix, unit, rcond=None)[0]
            alone.append(np.abs(matrix @ alpha - unit).max() < 1e-6)
        small = [
            a
            for a, single in zip(component.atoms, alone, strict=True)
            if attack.atom_n[a] < K and not single
        ]
        out.append(bool(small and attack._isolation(component, attack.atom_n, small)))
    return out


@settings(max_examples=120, deadline=None)
@given(tables())
def test_the_exact_search_finds_what_the_solver_finds(table):
    n, rows = table
    attack = disclosure.Attack(n, [0.0] * len(n), rows, K)
    exact = isolated_components(attack)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(disclosure, "HALVES_MAX", 0)  # every search hands over to the solver
        solver = isolated_components(attack)
    assert exact == solver


@settings(max_examples=60, deadline=None)
@given(tables())
def test_every_group_the_search_reports_is_reached_by_the_rows(table):
    n, rows = table
    attack = disclosure.Attack(n, [0.0] * len(n), rows, K)
    for component in attack.components:
        small = [a for a in component.atoms if attack.atom_n[a] < K]
        if not small or len(component.blocks) == 1:
            continue
        matrix = attack._matrix(component).toarray()
        position = {a: i for i, a in enumerate(component.atoms)}
        places = np.array([position[a] for a in small])
        weights = np.array([attack.atom_n[a] for a in small])
        found = disclosure._small_sets(attack._matrix(component), places, weights, K - 1)
        seen = set()
        for chosen in found:
            target = np.zeros(len(component.atoms))
            target[places[chosen]] = 1
            alpha = np.linalg.lstsq(matrix, target, rcond=None)[0]
            assert np.abs(matrix @ alpha - target).max() < 1e-6
            assert 1 <= weights[chosen].sum() <= K - 1
            assert not seen & set(places[chosen])  # no two findings share an atom
            seen |= set(places[chosen])


def test_a_team_minus_its_slices_isolates_the_one_person_left():
    """A team of 6 remote, 7 office and 1 hybrid: its total minus its remote and
    office slices is the hybrid person alone, until one of the three is withheld."""
    cells, sums = [6, 7, 1], [300.0, 350.0, 60.0]
    rows = [
        disclosure.Row("team", "", frozenset({0, 1, 2})),
        disclosure.Row("remote", "remote", frozenset({0})),
        disclosure.Row("office", "office", frozenset({1})),
    ]
    found = disclosure.Attack(cells, sums, rows, K).findings(bounds=False)
    assert [(f.what, f.respondents) for f in found] == [("isolated", 1)]
    withheld = disclosure.protect(cells, sums, rows, K, lambda key: (key == "team", key))
    assert list(withheld) == ["office"]  # the cheapest by this cost, and enough
    left = [row for row in rows if row.key not in withheld]
    assert disclosure.Attack(cells, sums, left, K).findings() == []


@pytest.mark.parametrize("bands", [2, 3, 4])
def test_the_office_people_of_a_team_are_isolated_together_but_not_alone(bands):
    """Six remote people in each of `bands` tenure bands and one office person in
    each. The team's total minus its remote slice is the office people together;
    the tenure slices (all but one band) tell them apart from the remote people
    but not from each other. The search must find the group of `bands`."""
    cells = [6] * bands + [1] * bands  # remote by band, then office by band
    sums = [300.0] * bands + [70.0] * bands
    rows = [
        disclosure.Row("team", "", frozenset(range(2 * bands))),
        disclosure.Row("remote", "location", frozenset(range(bands))),
    ]
    rows += [disclosure.Row(f"band {b}", b, frozenset({b, bands + b})) for b in range(bands - 1)]
    attack = disclosure.Attack(cells, sums, rows, K)
    assert len(attack.atom_cells) == 2 * bands  # no two cells lie in the same blocks
    found = attack.findings(bounds=False)
    assert [(f.what, f.respondents) for f in found] == [("isolated", bands)]
    assert isolated_components(attack) == [True]


@pytest.mark.parametrize("k", [3, 5, 8])
def test_no_isolation_when_every_group_is_large(k):
    cells = [k, k + 1, k + 2]
    rows = [
        disclosure.Row("team", "", frozenset({0, 1, 2})),
        disclosure.Row("remote", "remote", frozenset({0})),
        disclosure.Row("office", "office", frozenset({1})),
    ]
    attack = disclosure.Attack(cells, [50.0 * c for c in cells], rows, k)
    assert attack.findings(bounds=False) == []


def plain_blocks(n, rows) -> tuple[dict, dict]:
    """The blocks and atoms the slow way: a live cell's block in a kind is the
    smallest row of that kind holding it (of two alike, the later); an atom is the
    live cells with the same blocks, listed by their first cell."""
    owner = {}
    for i, row in enumerate(rows):
        for cell in row.cells:
            if n[cell] > 0:
                held = owner.get((row.kind, cell))
                if held is None or len(row.cells) <= len(rows[held].cells):
                    owner[(row.kind, cell)] = i
    blocks: dict = {}
    for (_, cell), i in owner.items():
        blocks.setdefault(rows[i].key, set()).add(cell)
    by_cell: dict = {}
    for (_, cell), i in owner.items():
        by_cell.setdefault(cell, []).append(rows[i].key)
    atoms: dict = {}
    for cell in (c for c in range(len(n)) if n[c] > 0):
        atoms.setdefault(tuple(sorted(by_cell.get(cell, []), key=repr)), []).append(cell)
    return blocks, atoms


def blocks_of(atoms, attack) -> set:
    return {key for a in atoms for key in attack.atom_blocks[a]}


@settings(max_examples=150, deadline=None)
@given(tables(), st.data())
def test_an_audit_of_some_rows_lays_them_out_as_if_they_were_all(table, data):
    """protect() lays out every row once and audits subsets of them: each audit must
    see the blocks, atoms and components that rows alone make, found the slow way."""
    n, rows = table
    n = [c if data.draw(st.booleans()) else 0 for c in n]  # some cells nobody answered
    some = [row for row in rows if data.draw(st.booleans())]
    rank = disclosure._rank(rows)
    layout = disclosure.Layout(rows, n, rank)
    attack = disclosure.Attack(n, [1.0] * len(n), some, K, rank, layout)
    blocks, atoms = plain_blocks(n, some)
    assert attack.block_of == {key: frozenset(cells) for key, cells in blocks.items()}
    assert dict(zip(attack.atom_blocks, attack.atom_cells, strict=True)) == atoms
    assert list(attack.atom_blocks) == list(atoms)  # in the order of their first cell
    assert attack.atom_n.tolist() == [sum(n[c] for c in cells) for cells in atoms.values()]
    parts = set()  # atoms joined through the blocks they share, one by one
    for a, keys in enumerate(attack.atom_blocks):
        mine = frozenset({a}).union(*(p for p in parts if set(keys) & blocks_of(p, attack)))
        parts = {p for p in parts if not p <= mine} | {mine}
    assert {frozenset(c.atoms) for c in attack.components} == parts
    assert [c.atoms[0] for c in attack.components] == sorted(min(p) for p in parts)
