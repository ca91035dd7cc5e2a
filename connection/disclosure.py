"""The attacker the guard runs before anything is published.

Every figure of a round that any role may see (each team's total, each tenure
band and location slice, at every level) is a row: a set of cells, the finest
groups the data holds (a team's own members of one tenure band and location),
with its respondents and its score sum. An HR admin who reads all of them can
add and subtract rows as she likes. This module plays that attacker, with
linear algebra and linear programming over all the rows together, and reports
every group of 1 to k-1 respondents that some combination isolates, or whose
mean it bounds within ±10 points. `protect` then withholds the cheapest rows
until nothing is found.

The attacker is given more than the pages show, so that what passes here
passes against any reader of the pages: each row's exact score sum (pages show
a rounded mean) and each cell's respondent count (an insider may know who
answered).

How it stays fast: rows of one kind (one slice value, or the team totals) nest
like the team tree, so each row is replaced by its *block*, the cells it holds
that no published row of the same kind below it holds. Blocks span the same
combinations as the rows, and a cell lies in at most one block of each kind,
so the blocks fall apart into independent components that are solved one by
one. Cells that every block treats alike are merged into atoms first: no
combination can tell them apart. A group of fewer than k respondents holds at
most k-1 atoms, so isolated groups are found by an exact search over small sets
of atoms (projections onto what the blocks cannot reach must cancel), which
stays fast when withheld figures merge components into thousands of atoms; a
mixed-integer program remains for the questions the search cannot bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.linalg import splu

from connection.layout import Component, Layout

WIDTH = 20  # a small group's mean known to within ±10 points counts as disclosed
TOP = 100  # the highest score a respondent can give
SOLVER_SECONDS = 3  # per component; an undecided component is treated as disclosing
RIDGE = 1e-10  # keeps the blocks' Gram matrix invertible when two blocks coincide
HALVES_MAX = 10_000_000  # sets the exact search lists per half; beyond it, the solver searches
NEAR_MAX = 400  # blocks around a group within which its attack is sought
UNDO_ATOMS = 12_000  # how much re-solving the offers of withheld rows may take
DRAWS = 4  # random vectors projected: a set that is not reached cancels in all only by chance


@dataclass(frozen=True)
class Row:
    """A published figure: `cells` are indexes into the table's cells; rows of one
    `kind` must nest or be disjoint (a tree's teams for one slice value)."""

    key: Hashable
    kind: Hashable
    cells: frozenset
    index: np.ndarray = field(init=False, repr=False, compare=False)  # the cells, in an array

    def __post_init__(self):
        object.__setattr__(self, "index", np.fromiter(self.cells, np.intp, len(self.cells)))


@dataclass(frozen=True)
class Finding:
    what: str  # "isolated" (a small group's sum is exact) or "bounded" (within ±10)
    respondents: int  # how many people the group holds
    rows: tuple  # the rows the attack combines: withholding one of them helps
    nearby: tuple = ()  # every row of the component, should none of `rows` be free


class Attack:
    """The published rows over a table of cells, taken apart for the attacker."""

    def __init__(
        self,
        n: Sequence[int],
        sums: Sequence[float],
        rows: Sequence[Row],
        k: int,
        rank: dict | None = None,
        layout: Layout | None = None,
    ):
        """`rank`, if given, holds each row key's place in the order of their repr for
        a superset of `rows`, and `layout` lays out such a superset over these cells:
        both worked out once for many audits of subsets of them."""
        self.k = k
        self.n = n
        # Row keys are listed in the order of their repr wherever an order is needed;
        # each key's place in it, computed once.
        self.rank = rank or _rank(rows)
        split = (layout or Layout(rows, n, self.rank)).split(rows)
        self.block_of, self.inside = split.block_of, split.inside
        # Atoms: live cells inside exactly the same blocks (listed in that order).
        self.atom_blocks, self.atom_cells = split.atom_blocks, split.atom_cells
        self._atom_of, self._live = split.atom_of, split.live
        self.atom_n = self._per_atom(n)
        self.atom_sum = self._per_atom(sums)
        self.components = split.components
        self.work = 0  # atoms of the components `findings` solved (not remembered)
        self._around: dict = {}  # {row key: it and the rows of its kind just inside it}

    def _per_atom(self, values: Sequence[float]) -> np.ndarray:
        """Each atom's total of a value per cell (added in the order of its cells)."""
        weights = np.asarray(values, float)[self._live]
        return np.bincount(self._atom_of, weights, minlength=len(self.atom_cells))

    def findings(
        self, *, bounds: bool = True, memo: dict | None = None, passed: set | None = None
    ) -> list[Finding]:
        """Every component's findings. `memo` keeps them between audits of the same
        table: a component whose blocks are unchanged is not solved again. `passed`
        holds the groups whose range was wide enough in an earlier audit with more
        rows: with fewer rows it can only be wider, so they are not solved again."""
        memo = {} if memo is None else memo
        self.passed = set() if passed is None else passed
        out = []
        for component in self.components:
            key = frozenset(
                (block, self.block_of[block], frozenset(self.inside.get(block, ())))
                for block in component.blocks
            )
            if key not in memo:
                memo[key] = self._component_findings(component, bounds)
                self.work += len(component.atoms)
            out += memo[key]
        return out

    def _component_findings(self, component: Component, bounds: bool) -> list[Finding]:
        if not component.blocks:  # no published row covers these cells
            return []
        small = [a for a in component.atoms if self.atom_n[a] < self.k]
        found = self._isolation(component, self.atom_n, small) if small else []
        if not found and bounds:
            found = self._bounded(component)
        nearby = self._component_rows(component)
        return [replace(f, nearby=f.nearby or nearby) for f in found]

    def lopsided(self, sides: Sequence[float]) -> list[Finding]:
        """Groups with answers of which fewer than k are on `sides` (per cell: the
        answers on one side of a share; the table's counts are all its answers): a
        side of 1 to k-1 describes those few, a side of none describes everyone."""
        side = self._per_atom(sides)
        out = []
        for component in self.components:
            # Unions of atoms that each hold at least k on that side hold at least k.
            if component.blocks and any(side[a] < self.k for a in component.atoms):
                for found in self._isolation(component, side, component.atoms, True):
                    nearby = found.nearby or self._component_rows(component)
                    out.append(replace(found, nearby=nearby))
        return out

    def _rows(self, blocks) -> tuple:
        """The published rows behind some blocks: each block's row and the rows of its
        kind just inside it, which were subtracted to make the block."""
        out = []
        for key in blocks:
            around = self._around.get(key)
            if around is None:
                inner = sorted(self.inside.get(key, ()), key=self.rank.__getitem__)
                around = self._around[key] = [key, *inner]
            out += around
        return tuple(dict.fromkeys(out))

    def _component_rows(self, component: Component) -> tuple:
        """The rows behind all of a component's blocks, worked out once."""
        if component.rows is None:
            component.rows = self._rows(component.blocks)
        return component.rows

    def _matrix(self, component: Component) -> sparse.csr_array:
        """Atoms x blocks of one component: 1 where the atom lies in the block."""
        column = {key: j for j, key in enumerate(component.blocks)}
        rows, columns = [], []
        for i, a in enumerate(component.atoms):
            for key in self.atom_blocks[a]:
                rows.append(i)
                columns.append(column[key])
        shape = (len(component.atoms), len(component.blocks))
        return sparse.csr_array((np.ones(len(rows)), (rows, columns)), shape=shape)

    def _isolation(
        self, component: Component, weight: np.ndarray, candidates: list, at_least_one=False
    ) -> list[Finding]:
        """Combinations of the component's blocks that equal 1 on a set of candidate
        atoms and 0 elsewhere, with a weight of 1 to k-1 on that set (0 to k-1 if
        `at_least_one`: the set then only has to hold someone). The exact search
        (`_small_sets`) answers when every candidate weighs at least 1, with every
        such set it finds that shares no atom with another; a mixed-integer program
        answers the rest, with one set."""
        low = 0 if at_least_one else 1
        if len(component.blocks) == 1:  # one block is one atom: it is the only group
            (a,) = component.atoms
            if low <= weight[a] <= self.k - 1:
                return [Finding("isolated", int(self.atom_n[a]), self._component_rows(component))]
            return []
        matrix = self._matrix(component)
        position = {a: i for i, a in enumerate(component.atoms)}
        places = np.array([position[a] for a in candidates])
        weights = np.array([weight[a] for a in candidates])
        people = np.array([self.atom_n[a] for a in candidates])
        answers = _UNDECIDED
        if weights.min() >= 1:
            answers = _small_sets(matrix, places, weights, self.k - 1)
        if answers is _UNDECIDED:
            answers = _solver(matrix, places, weights, people, low, self.k - 1)
        if answers is _UNDECIDED:  # undecided in time: assume the worst
            return [Finding("isolated", 0, self._component_rows(component))]
        out, by_block, listed = [], matrix.T.tocsr(), np.asarray(candidates)
        for chosen in answers:
            # The rows to withhold: those of a combination near the group if there is
            # one; else those of the blocks holding it (withholding one adds the group
            # into a larger block), then any of the component's (`withhold` takes the
            # cheapest of a finding's rows: they are sets, their order is no choice).
            near = _nearest(matrix, places[chosen], by_block)
            holding = sorted(
                {key for a in listed[chosen] for key in self.atom_blocks[a]},
                key=self.rank.__getitem__,
            )
            rows = self._rows(component.blocks[j] for j in near) if near else tuple(holding)
            nearby = self._component_rows(component)
            out.append(Finding("isolated", int(round(people[chosen].sum())), rows, nearby))
        return out

    def _bounded(self, component: Component) -> list[Finding]:
        """Groups of 1 to k-1 respondents whose mean the published block sums pin
        within WIDTH: a small atom, or some of an atom's cells when the atom's sum is
        near 0 or near the top (a group of 6 scoring 5 on average says that any 4 of
        them average under 8). Each atom that could be one gets the lowest and highest
        sum the blocks allow (two linear programs, unless a quick proof of room
        suffices)."""
        matrix = self._matrix(component)
        atoms = component.atoms
        n = self.atom_n[atoms]
        sums = self.atom_sum[atoms]
        roomy = _Room(matrix, sums, n)
        out = []
        for i, a in enumerate(atoms):
            cells = frozenset(self.atom_cells[a])
            parts = {j for j in self._parts(a, sums[i]) if (cells, j) not in self.passed}
            if self.atom_n[a] < self.k and int(n[i]) in parts and roomy(i):
                parts.discard(int(n[i]))
                self.passed.add((cells, int(n[i])))
            if not parts:
                continue
            low, high, duals = self._range(matrix, sums, n, i)
            narrow = {j for j in parts if _narrow(low, high, n[i], j)}
            self.passed |= {(cells, j) for j in parts - narrow}
            if narrow:
                used = self._rows(
                    key
                    for key, d in zip(component.blocks, duals, strict=True)
                    if d > 1e-9 or key in self.atom_blocks[a]
                )
                out.append(Finding("bounded", min(narrow), used))
        return out

    def _parts(self, a: int, total: float) -> set:
        """Sizes from 1 to k-1 of the groups of this atom's cells (the whole atom when it
        is small) whose mean could be narrow: all of them only when the atom's sum lies
        near an end, since its range holds that sum."""
        sizes = {0}
        for cell in self.atom_cells[a]:
            sizes |= {size + self.n[cell] for size in sizes if size + self.n[cell] < self.k}
        whole = int(self.atom_n[a])

        def near_an_end(j: int) -> bool:
            return total < WIDTH * j or total > TOP * whole - WIDTH * j

        return {
            j
            for j in sizes
            if 0 < j <= whole and ((j == whole and whole < self.k) or near_an_end(j))
        }

    def _range(self, matrix, sums, n, i) -> tuple[float, float, np.ndarray]:
        """The lowest and highest sum of atom i the block sums allow, and which blocks
        bind (the linear programs' duals)."""
        span, duals = [], np.zeros(matrix.shape[1])
        for sign in (1, -1):
            objective = np.zeros(len(n))
            objective[i] = sign
            result = linprog(
                objective,
                A_eq=matrix.T.tocsr(),
                b_eq=matrix.T @ sums,
                bounds=list(zip(np.zeros(len(n)), TOP * n, strict=True)),
                method="highs",
            )
            span.append(sign * result.fun)
            duals += np.abs(result.eqlin.marginals)
        return span[0], span[1], duals


def _narrow(low: float, high: float, whole: float, j: int) -> bool:
    """Does an atom's sum between `low` and `high` pin the mean of some j of its
    `whole` respondents within WIDTH? (The others hold between 0 and TOP each.)"""
    top = min(TOP, high / j)
    bottom = max(0.0, (low - TOP * (whole - j)) / j)
    return top - bottom < WIDTH - 1e-6


class _Room:
    """A quick proof that an atom's mean can move by WIDTH: two feasible points found
    by moving along one direction that leaves every block sum unchanged (the part of
    the atom's unit vector outside the span of the blocks), as far as the bounds
    allow. False means "no proof", not "disclosed": the linear programs decide."""

    def __init__(self, matrix: sparse.csr_array, sums: np.ndarray, n: np.ndarray):
        self.matrix, self.sums, self.upper = matrix, sums, TOP * n
        # Only atoms strictly inside their bounds move, so that no step is cut to
        # nothing by an atom already at 0 or at the top.
        self.inside = (sums > 1e-9) & (sums < self.upper - 1e-9)
        self.free = sparse.diags(self.inside.astype(float)) @ matrix
        self.solve = _Reach(self.free).solve  # the free atoms' Gram matrix, factorised
        self.across, self.every = matrix.T.tocsr(), np.arange(matrix.shape[1])

    def __call__(self, i: int) -> bool:
        if not self.inside[i]:
            return False
        row = _dense(self.matrix, np.array([i]), self.every).ravel()
        direction = -(self.free @ self.solve(row))
        direction[i] += 1
        if direction[i] < 1e-6 or np.abs(self.across @ direction).max() > 1e-6:
            return False
        direction /= direction[i]
        up = down = np.inf
        rising, falling = direction > 1e-12, direction < -1e-12
        if rising.any():
            d, s, u = direction[rising], self.sums[rising], self.upper[rising]
            up, down = min(up, ((u - s) / d).min()), min(down, (s / d).min())
        if falling.any():
            d, s, u = -direction[falling], self.sums[falling], self.upper[falling]
            up, down = min(up, (s / d).min()), min(down, ((u - s) / d).min())
        return up + down >= WIDTH * self.upper[i] / TOP


_UNDECIDED = object()


class _Reach:
    """Which vectors over a component's atoms some combination of its blocks equals:
    least squares on the blocks' Gram matrix, refined, splits a target into the
    nearest combination and the rest, which no combination reaches."""

    def __init__(self, matrix: sparse.csr_array):
        self.matrix, self.across = matrix, matrix.T.tocsr()
        size = matrix.shape[1]
        gram = (matrix.T @ matrix).tocsc() + RIDGE * sparse.identity(size, format="csc")
        self.solve = splu(gram).solve

    def split(self, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(block coefficients, what they leave of the target)."""
        rest = np.array(target, float)
        alpha = np.zeros((self.matrix.shape[1], *rest.shape[1:]))
        for _ in range(3):  # each pass removes what the ridge and rounding left
            step = self.solve(self.across @ rest)
            alpha += step
            rest = rest - self.matrix @ step
        return alpha, rest


def _small_sets(matrix: sparse.csr_array, places: np.ndarray, weights: np.ndarray, most: int):
    """The exact search: [chosen] (indexes into `places`, ascending) for sets of the
    candidate atoms at `places`, weighing 1 to `most` each, that some combination of
    blocks equals (no two sharing an atom); [] if there is none; _UNDECIDED if the
    search would be too large.

    A combination equals a set's 0/1 vector exactly when that vector has no part
    outside the blocks' span, that is when the set's atoms' projections onto the
    rest (of a random vector) add up to zero. Each atom weighs at least 1, so such
    a set holds at most `most` atoms. Sets are sought by size, one atom first:
    every set of up to half the size is listed with the sum of its projections,
    and two halves whose sums cancel for each of DRAWS random vectors are a set
    found. A set that is reached always cancels, so none is missed; one that is not
    reached cancels for all DRAWS independent vectors only by chance, and a chance
    finding would only withhold a row more, never show one that discloses. (An
    exact least-squares check of each set cost a 100,000-person round a third of
    its audit; the rows named for a set are still found by least squares, in
    `_nearest`.) Atoms already found are left out of larger sets: the withholding
    they cause sends the table to another audit, and an audit that finds nothing
    has left nothing out."""
    order = np.argsort(weights, kind="stable")  # lighter first: sets extend to the right
    places, weights = places[order], weights[order]
    size = int(np.searchsorted(np.cumsum(weights), most, side="right"))
    reach = _Reach(matrix)
    rng = np.random.default_rng(0)  # any fixed draw: chance could only withhold more
    _, rest = reach.split(rng.standard_normal((matrix.shape[0], DRAWS)))
    if np.abs(matrix.T @ rest).max(initial=0) > 1e-9:  # the projection did not converge
        return _UNDECIDED
    projected = rest[places]
    found, taken = [], np.zeros(len(places), bool)
    made = None  # (half, members, pairs): the halves' pairs, kept for the next width
    for width in range(1, size + 1):
        half = math.ceil(width / 2)
        if made is None or made[0] != half:
            free = np.flatnonzero(~taken)
            if not free.size:
                break
            halves = _halves(weights[free], most, half, projected[free])
            if halves is None:
                return found or _UNDECIDED
            members = np.where(halves[0] >= 0, free[halves[0]], -1)
            widths = (halves[0] >= 0).sum(axis=1)
            made = (half, members, _cancelling(halves[2], halves[1], widths, most))
        _, members, pairs = made
        for i, j in pairs(width):
            atoms = [m for m in (*members[i], *members[j]) if m >= 0]
            if len(set(atoms)) < width or taken[atoms].any():
                continue  # the halves share an atom, or one was found just now
            found.append(np.sort(order[atoms]))  # back in the caller's order
            taken[atoms] = True
            # Sets of 2 half atoms are sought among the same halves' pairs as those of
            # 2 half - 1, unless one was found: the halves are then made without it.
            made = None
    return found


def _cancelling(sums: np.ndarray, heft, widths, most: int) -> Callable:
    """The pairs (i, j), i <= j, of halves whose projections cancel in every draw and
    that weigh 1 to `most` together: a function of the width, the atoms they hold."""
    tolerance = 1e-8
    ranked = np.argsort(sums[:, 0], kind="stable")
    ordered = sums[ranked, 0]
    wanted = -ordered[::-1]  # what each half needs, ascending: searches run in order
    lows = np.searchsorted(ordered, wanted - tolerance, side="left")
    highs = np.searchsorted(ordered, wanted + tolerance, side="right")
    first = np.repeat(ranked[::-1], highs - lows)
    second = ranked[_ranges(lows, highs - lows)]
    total = heft[first] + heft[second]
    keep = (second >= first) & (total >= 1) & (total <= most)
    first, second = first[keep], second[keep]
    keep = np.abs(sums[first, 1:] + sums[second, 1:]).max(axis=1, initial=0) <= tolerance
    first, second = first[keep], second[keep]
    width = widths[first] + widths[second]

    def of(size: int):
        chosen = width == size
        return zip(first[chosen], second[chosen], strict=True)

    return of


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """start, start+1, ... (count of them) for each pair, one after the other."""
    return np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())


def _halves(weights: np.ndarray, most: int, size: int, points: np.ndarray):
    """Every set of 0 to `size` candidates (sorted by weight) weighing at most
    `most`: (members, one row per set padded with -1, their weights, and the sums of
    their `points`, a row per candidate); None when there would be more than
    HALVES_MAX."""
    members = [np.full((1, size), -1)]
    level = np.arange(len(weights))[weights <= most][:, None]
    heft = [np.zeros(1), weights[level[:, 0]]]
    total = [np.zeros((1, points.shape[1])), points[level[:, 0]]]
    for width in range(1, size + 1):
        members.append(np.hstack([level, np.full((len(level), size - width), -1)]))
        if width == size or not len(level):
            break
        # Extend each set by an atom to the right of its last one (so no lighter)
        # that keeps it within `most`: those lie between last+1 and a bound.
        weight = heft[-1]
        bound = np.searchsorted(weights, most - weight, side="right")
        extra = np.maximum(bound - level[:, -1] - 1, 0)
        if sum(len(m) for m in members) + extra.sum() > HALVES_MAX:
            return None
        row = np.repeat(np.arange(len(level)), extra)
        nxt = _ranges(level[:, -1] + 1, extra)
        level = np.hstack([level[row], nxt[:, None]])
        heft.append(weight[row] + weights[nxt])
        total.append(total[-1][row] + points[nxt])
    return (
        np.vstack(members),
        np.concatenate(heft[: len(members)]),
        np.vstack(total[: len(members)]),
    )


def _nearest(matrix: sparse.csr_array, atoms: np.ndarray, by_block: sparse.csr_array) -> list:
    """The blocks of a combination that reaches these atoms using only blocks near
    them (those holding them, then those sharing an atom with those, and so on),
    found by least squares as the neighbourhood grows; [] if it grows too large. A
    nearby combination names the rows whose withholding protects the group.
    `by_block` is the matrix's transpose, in rows, made once for all the groups."""
    blocks = _columns(matrix, atoms)
    while len(blocks) <= NEAR_MAX:
        rows = _columns(by_block, blocks)
        local = _dense(matrix, rows, blocks)
        target = np.isin(rows, atoms).astype(float)
        alpha = np.linalg.lstsq(local, target, rcond=None)[0]
        if np.abs(local @ alpha - target).max() < 1e-6:
            return list(blocks[np.abs(alpha) > 1e-7])
        wider = _columns(matrix, rows)
        if len(wider) == len(blocks):
            return []
        blocks = wider
    return []


def _entries(matrix: sparse.csr_array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the entries of these rows lie in the matrix's arrays, and their rows'
    places in `rows` (scipy's own row indexing costs more than the work here)."""
    counts = matrix.indptr[rows + 1] - matrix.indptr[rows]
    return _ranges(matrix.indptr[rows], counts), np.repeat(np.arange(len(rows)), counts)


def _columns(matrix: sparse.csr_array, rows: np.ndarray) -> np.ndarray:
    """The columns where these rows have entries, ascending."""
    return np.unique(matrix.indices[_entries(matrix, rows)[0]])


def _dense(matrix: sparse.csr_array, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """matrix[rows][:, columns] as a dense array, for ascending `columns`."""
    out = np.zeros((len(rows), len(columns)))
    if not len(columns):
        return out
    at, line = _entries(matrix, rows)
    column = matrix.indices[at]
    place = np.minimum(np.searchsorted(columns, column), len(columns) - 1)
    kept = columns[place] == column
    out[line[kept], place[kept]] = matrix.data[at][kept]
    return out


def _solver(matrix, places, weights, people, low, most):
    """The same question as one mixed-integer program (HiGHS): [chosen] for one set,
    [] for none, or _UNDECIDED when it does not finish in time."""
    rows_n, blocks_n = matrix.shape
    picks = sparse.csr_array(
        (np.ones(len(places)), (places, list(range(len(places))))),
        shape=(rows_n, len(places)),
    )
    zeros = np.zeros(blocks_n)
    constraints = [
        LinearConstraint(sparse.hstack([matrix, -picks]), 0, 0),
        LinearConstraint(np.concatenate([zeros, weights])[None, :], low, most),
        LinearConstraint(np.concatenate([zeros, people])[None, :], 1, np.inf),
    ]
    result = milp(
        c=np.zeros(blocks_n + len(places)),  # any such set will do: no optimum to prove
        constraints=constraints,
        integrality=np.concatenate([np.zeros(blocks_n), np.ones(len(places))]),
        bounds=Bounds(
            np.concatenate([np.full(blocks_n, -np.inf), np.zeros(len(places))]),
            np.concatenate([np.full(blocks_n, np.inf), np.ones(len(places))]),
        ),
        options={"time_limit": SOLVER_SECONDS},
    )
    if result.status == 2:  # infeasible: no such combination
        return []
    if result.x is None:
        return _UNDECIDED
    return [np.flatnonzero(result.x[blocks_n:] > 0.5)]


def _rank(rows: Sequence[Row]) -> dict:
    return {key: i for i, key in enumerate(sorted({r.key for r in rows}, key=repr))}


def protect(
    n: Sequence[int],
    sums: Sequence[float],
    rows: Sequence[Row],
    k: int,
    cost: Callable[[Hashable], tuple],
    fixed: Sequence[Row] = (),
) -> dict:
    """Withhold rows until the attacker finds nothing; {row key: Finding that hid it}.

    Each round of the loop audits what is still published and, for every finding,
    withholds the cheapest row the attack used (by `cost`), then audits again. It
    ends: withholding every row leaves nothing to find. Then each withheld row is
    offered back, dearest first, and stays published if the audit still passes
    (a greedy choice made early can be undone by a later one), until the audits
    of the offers have solved UNDO_ATOMS atoms: past that, in a large org whose
    components have grown to thousands of atoms, the cheaper rows stay withheld.
    `fixed` rows are published already and are never withheld."""
    published = list(rows)
    withheld: dict = {}

    memo: dict = {}  # the same cells and sums throughout: solved components are kept
    passed: set = set()  # while rows are only withheld, what passed stays passed
    rank = _rank([*fixed, *rows])
    layout = Layout([*fixed, *rows], n, rank)

    def audit(candidate: list, passed: set | None = None) -> Attack:
        attack = Attack(n, sums, [*fixed, *candidate], k, rank, layout)
        attack.found = attack.findings(memo=memo, passed=passed)
        return attack

    while findings := audit(published, passed).found:
        withhold(findings, published, withheld, cost)
        published = [row for row in published if row.key not in withheld]
    by_key = {row.key: row for row in rows}
    work = 0
    for key in sorted(withheld, key=cost, reverse=True):
        if work > UNDO_ATOMS:
            break
        attack = audit([*published, by_key[key]])
        work += attack.work
        if not attack.found:
            published.append(by_key[key])
            del withheld[key]
    return withheld


def withhold(findings: list[Finding], published: Sequence[Row], withheld: dict, cost) -> None:
    """For each finding whose attack uses no row withheld in this pass, withhold the
    cheapest row it used (or, should none of them be published, the cheapest row
    near it). The next audit tells whether that was enough. Rows that cost the same
    are told apart by their keys: which is withheld never depends on the order a
    finding lists its rows in."""
    keys = {row.key for row in published}
    before = len(withheld)
    for finding in findings:
        if any(key in withheld for key in finding.rows):
            continue  # answered by a row withheld for another finding, maybe
        candidates = [key for key in finding.rows if key in keys]
        candidates = candidates or [key for key in finding.nearby if key in keys]
        if candidates:
            withheld[min(candidates, key=lambda key: (cost(key), repr(key)))] = finding
    if len(withheld) == before:
        raise RuntimeError(f"the attacker found groups no published row explains: {findings}")
