"""How the audit's published rows fall apart into blocks, atoms and components,
worked out in arrays (connection/disclosure.py says what each of them is).

One `protect()` audits the same rows again and again, a few withheld or offered
back each time: tens of audits of tens of thousands of rows at 100,000 people.
`Layout` lays every row it may publish out once, as (kind, cell, row) entries
sorted so that the rows of one kind holding one cell come from the largest to the
smallest; an audit of some of those rows then only drops the others' entries:

- a cell's block in a kind is the smallest published row of that kind holding it
  (its last entry), since the rows of a kind nest;
- a row lies just inside the row of its kind before it in any of its cells'
  entries (the rows between are not published);
- an atom is the live cells with the same blocks, in the order their first cell
  comes; a component is the atoms and blocks that share cells, in the order of
  their first atom.

Rows of equal size and kind (which nest, so hold the same cells) keep the order
they were given in: the first is the larger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components


@dataclass
class Component:
    atoms: list  # atom indexes
    blocks: list  # row keys
    rows: tuple | None = None  # the rows behind its blocks (Attack._component_rows)


@dataclass
class Split:
    """What an audit of some rows works with."""

    block_of: dict  # {row key: frozenset of the live cells its block holds}
    inside: dict  # {row key: keys of the rows of its kind just inside it}
    atom_blocks: list  # per atom: its blocks' keys, by rank
    atom_cells: list  # per atom: its cells, ascending
    atom_of: np.ndarray  # per live cell (ascending): its atom
    live: np.ndarray  # the live cells, ascending
    components: list  # [Component]


class Layout:
    """Every row one table's audits may publish (`rows`, over cells with respondents
    `n`), laid out once; `rank` holds each row key's place in the order of their repr."""

    def __init__(self, rows: Sequence, n: Sequence[int], rank: dict):
        self.rows = list(rows)
        self.position = {row.key: i for i, row in enumerate(self.rows)}
        self.alive = np.asarray(n) > 0
        self.live = np.flatnonzero(self.alive)
        self.keys = [row.key for row in self.rows]
        self.rank = np.array([rank[key] for key in self.keys], dtype=np.int64)
        # A key by rank (None for -1, the padding of `_atoms`), as objects in an array.
        self.key_by_rank = np.empty(max(rank.values(), default=-1) + 2, dtype=object)
        for key, place in zip(self.keys, self.rank.tolist(), strict=True):
            self.key_by_rank[place] = key
        kinds: dict = {}
        kind = np.array([kinds.setdefault(row.kind, len(kinds)) for row in self.rows], np.int64)
        sizes = np.array([len(row.cells) for row in self.rows], np.int64)
        count = len(self.rows)
        # Each row's place among rows: the largest first, ties in the order given.
        place = np.empty(count, np.int64)
        place[np.lexsort((np.arange(count), -sizes))] = np.arange(count)
        cells = np.concatenate([row.index for row in self.rows] or [np.zeros(0, np.intp)])
        row_of = np.repeat(np.arange(count), sizes)
        held = self.alive[cells] if cells.size else np.zeros(0, bool)
        cells, row_of = cells[held], row_of[held]
        group = kind[row_of] * len(self.alive) + cells  # one per (kind, cell)
        order = np.lexsort((place[row_of], group))
        self.group, self.row_of, self.cell = group[order], row_of[order], cells[order]
        # One entry of each row that has a live cell: the row just outside it comes
        # before it there (and in all its entries).
        self.held, self.entry = np.unique(self.row_of, return_index=True)

    def split(self, rows: Sequence) -> Split:
        """Blocks, atoms and components of these rows (some of the layout's)."""
        present = np.zeros(len(self.rows), bool)
        present[[self.position[row.key] for row in rows]] = True
        chosen = present[self.row_of]
        group, row_of, cell = self.group[chosen], self.row_of[chosen], self.cell[chosen]
        starts = np.ones(len(group), bool)
        starts[1:] = group[1:] != group[:-1]
        ends = np.ones(len(group), bool)
        ends[:-1] = starts[1:]
        inside = self._inside(present, chosen, row_of, starts)
        owner, owned = row_of[ends], cell[ends]
        block_of = self._block_of(owner, owned)
        atom_of, atom_ranks = self._atoms(owner, owned)
        widths = (atom_ranks >= 0).sum(axis=1).tolist()
        keyed = self.key_by_rank[atom_ranks].tolist()
        atom_blocks = [tuple(keys[:width]) for keys, width in zip(keyed, widths, strict=True)]
        by_atom = np.argsort(atom_of, kind="stable")
        atom_cells = _runs(self.live[by_atom], atom_of[by_atom])[1]
        components = self._components(atom_ranks)
        return Split(block_of, inside, atom_blocks, atom_cells, atom_of, self.live, components)

    def _inside(self, present, chosen, row_of, starts) -> dict:
        """{row key: the rows just inside it}: the entry before a row's entry, if it is
        of the same (kind, cell)."""
        rows = present[self.held]
        at = np.cumsum(chosen)[self.entry[rows]] - 1  # where those entries are now
        inner = np.flatnonzero(~starts[at])
        inside: dict = defaultdict(set)
        pairs = zip(row_of[at[inner] - 1].tolist(), row_of[at[inner]].tolist(), strict=True)
        for outer, row in pairs:
            inside[self.keys[outer]].add(self.keys[row])
        return inside

    def _block_of(self, owner: np.ndarray, owned: np.ndarray) -> dict:
        by_row = np.argsort(owner, kind="stable")
        heads, parts = _runs(owned[by_row], owner[by_row])
        return {self.keys[row]: frozenset(part) for row, part in zip(heads, parts, strict=True)}

    def _atoms(self, owner: np.ndarray, owned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each live cell's atom, and per atom its blocks' ranks (ascending, padded with
        -1 at the end), atoms numbered in the order of their first cell."""
        slot = np.searchsorted(self.live, owned)  # the cell's index among live cells
        ranks = self.rank[owner]
        by_cell = np.lexsort((ranks, slot))
        slot, ranks = slot[by_cell], ranks[by_cell]
        counts = np.bincount(slot, minlength=len(self.live))
        width = int(counts.max(initial=0))
        column = np.arange(len(slot)) - np.repeat(np.cumsum(counts) - counts, counts)
        table = np.full((len(self.live), width + 1), np.iinfo(np.int64).max)
        table[slot, column] = ranks
        unique, first, inverse = np.unique(table, axis=0, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        number = np.empty(len(order), np.int64)
        number[order] = np.arange(len(order))
        unique = unique[order][:, :width]
        unique[unique == np.iinfo(np.int64).max] = -1
        return number[np.ravel(inverse)], unique

    def _components(self, atom_ranks: np.ndarray) -> list[Component]:
        """Atoms joined by the blocks they share, in the order of each one's first atom."""
        atoms = len(atom_ranks)
        atom, column = np.nonzero(atom_ranks >= 0)
        ranks = atom_ranks[atom, column]
        blocks, block = np.unique(ranks, return_inverse=True)
        size = atoms + len(blocks)
        graph = sparse.coo_array(
            (np.ones(len(atom)), (atom, atoms + np.ravel(block))), shape=(size, size)
        )
        _, label = connected_components(graph, directed=False)
        atom_label = label[:atoms]
        first = np.full(label.max(initial=-1) + 1, atoms)
        np.minimum.at(first, atom_label, np.arange(atoms))
        number = np.empty(len(first), np.int64)
        number[np.argsort(first, kind="stable")] = np.arange(len(first))
        atom_label = number[atom_label]
        block_label = number[label[atoms:]]
        members = np.argsort(atom_label, kind="stable")
        members = np.split(members, np.flatnonzero(np.diff(atom_label[members])) + 1)
        held = np.argsort(block_label, kind="stable")  # blocks ascend by rank within
        block_bounds = np.searchsorted(block_label[held], np.arange(len(first) + 1))
        keys = self.key_by_rank[blocks[held]].tolist()
        return [
            Component(part.tolist(), keys[block_bounds[c] : block_bounds[c + 1]])
            for c, part in enumerate(members if atoms else [])
        ]


def _runs(values: np.ndarray, labels: np.ndarray) -> tuple[list, list]:
    """([label], [values of that label, as a list]) for each run of equal labels."""
    bounds = np.flatnonzero(np.diff(labels)) + 1
    starts = [0, *bounds.tolist()]
    ends = [*bounds.tolist(), len(labels)]
    listed = values.tolist()
    heads = labels[starts].tolist() if len(labels) else []
    return heads, [listed[a:b] for a, b in zip(starts, ends, strict=True)] if heads else []
