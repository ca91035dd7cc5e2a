"""An attacker written apart from the guard, to test it: an HR admin who reads every
figure a round shows and solves them together.

She knows each person's team, tenure band and location (the People page), and,
being generous to her, who answered (an insider); she reads each shown figure
with its published respondents and its whole-point score or share. Unlike the
guard's own audit (connection/disclosure.py), she works on the published rows
themselves, not on blocks, and takes the rounding into account: a score of 72
for 9 people says their sum lies between 9 x 71.5 and 9 x 72.5.

- `isolations`: a combination of shown figures whose respondents add up to 1 to
  k-1 people and whose cells add up to exactly a group (a 0/1 vector); its
  score sum is then known up to the rounding.
- `narrow`: each cell of 1 to k-1 respondents whose mean every consistent
  answer puts within ±10 points (two linear programs per cell).
- `lopsided`: a combination of shown shares that leaves fewer than k answers
  on one side of a group that holds someone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from connection.models import Team
from pulse.models import Receipt, Round
from pulse.results import SLICES, OrgSnapshot


@dataclass
class Figure:
    cells: frozenset  # indexes into View.cells
    respondents: int
    value: int  # whole points: a score, or a favourable share


@dataclass
class View:
    """Everything one round shows an HR admin, as linear facts about cells."""

    k: int
    cells: list  # (team id, tenure band, location)
    answered: list  # respondents per cell (the insider's knowledge)
    scores: list  # Figure per shown score (teams, the organisation, slices)
    shares: dict  # {statistic: [Figure]} per shown favourable share

    @classmethod
    def read(cls, round_: Round) -> View:
        counts: dict = {}
        for team_id, tenure, location in Receipt.objects.filter(round=round_).values_list(
            "team_id", "tenure_band", "location"
        ):
            counts[(team_id, tenure, location)] = counts.get((team_id, tenure, location), 0) + 1
        cells = sorted(counts, key=repr)
        paths = dict(Team.objects.values_list("pk", "path"))

        def inside(team_id, by="", value="") -> frozenset:
            path = paths.get(team_id, "")
            return frozenset(
                i
                for i, (t, tenure, location) in enumerate(cells)
                if (team_id is None or (t is not None and paths[t].startswith(path)))
                and (not by or {"tenure_band": tenure, "location": location}[by] == value)
            )

        snapshot = OrgSnapshot([round_])
        scores, shares = [], {}
        for team_id in [None, *paths]:
            head = snapshot.headline(round_, team_id)
            if not head.shown:
                continue
            scores.append(Figure(inside(team_id), head.respondents, head.score))
            for by in SLICES:
                for part in snapshot.slices(round_, team_id, by):
                    if part["shown"]:
                        figure = Figure(
                            inside(team_id, by, part["value"]), part["respondents"], part["score"]
                        )
                        scores.append(figure)
            for question in snapshot.items(round_, team_id):
                if question["favourable"] is not None:
                    share = Figure(inside(team_id), head.respondents, question["favourable"])
                    shares.setdefault(question["text"], []).append(share)
        return cls(round_.min_group_size, cells, [counts[c] for c in cells], scores, shares)

    # ------------------------------------------------------------ the attacks

    def _matrix(self, figures: list[Figure]) -> np.ndarray:
        matrix = np.zeros((len(figures), len(self.cells)))
        for i, figure in enumerate(figures):
            matrix[i, list(figure.cells)] = 1
        return matrix

    def _combination(self, figures: list[Figure], limits: list[tuple]) -> np.ndarray | None:
        """y with y.A a 0/1 vector over cells and, for each (vector, low, high) of
        per-figure values, low <= y.vector <= high; None when there is none."""
        if not figures:
            return None
        matrix = self._matrix(figures)
        rows, cells = matrix.shape
        constraints = [LinearConstraint(np.hstack([matrix.T, -np.eye(cells)]), 0, 0)]
        for vector, low, high in limits:
            constraints.append(
                LinearConstraint(np.concatenate([vector, np.zeros(cells)])[None, :], low, high)
            )
        result = milp(
            c=np.zeros(rows + cells),
            constraints=constraints,
            integrality=np.concatenate([np.zeros(rows), np.ones(cells)]),
            bounds=Bounds(
                np.concatenate([np.full(rows, -1e4), np.zeros(cells)]),
                np.concatenate([np.full(rows, 1e4), np.ones(cells)]),
            ),
        )
        return result.x[:rows] if result.status == 0 else None

    def isolations(self) -> list[str]:
        n = np.array([f.respondents for f in self.scores], float)
        y = self._combination(self.scores, [(n, 1, self.k - 1)])
        if y is None:
            return []
        return [f"{round(y @ n)} respondents isolated by a combination of shown scores"]

    def narrow(self) -> list[str]:
        """Cells of 1 to k-1 respondents pinned within ±10 points by the scores."""
        if not self.scores:
            return []
        matrix = self._matrix(self.scores)
        n = np.array([f.respondents for f in self.scores], float)
        value = np.array([f.value for f in self.scores], float)
        answered = np.array(self.answered, float)
        # n (value - 0.5) <= sum of the cells' score sums <= n (value + 0.5)
        a_ub = np.vstack([matrix, -matrix])
        b_ub = np.concatenate([n * (value + 0.5), -n * (value - 0.5)])
        bounds = list(zip(np.zeros(len(answered)), 100 * answered, strict=True))
        out = []
        for i, count in enumerate(answered):
            if not 0 < count < self.k:
                continue
            span = []
            for sign in (1, -1):
                objective = np.zeros(len(answered))
                objective[i] = sign
                result = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
                span.append(sign * result.fun / count)
            if span[1] - span[0] < 20:
                out.append(
                    f"{self.cells[i]}: {count} people between {span[0]:.1f} and {span[1]:.1f}"
                )
        return out

    def lopsided(self) -> list[str]:
        out = []
        for statistic, figures in self.shares.items():
            n = np.array([f.respondents for f in figures], float)
            yes = np.array([round(f.value * f.respondents / 100) for f in figures], float)
            for side, label in ((yes, "favourable"), (n - yes, "unfavourable")):
                y = self._combination(figures, [(n, 1, np.inf), (side, -np.inf, self.k - 1)])
                if y is not None:
                    out.append(
                        f"{statistic}: {round(y @ n)} answers with {round(y @ side)} {label}"
                    )
        return out

    def everything(self) -> list[str]:
        return self.isolations() + self.narrow() + self.lopsided()
