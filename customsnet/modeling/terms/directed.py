"""Terms defined only for directed networks that are not covariate terms: ``mutual``.

(The directed geometrically weighted terms live in :mod:`.gw`, the directed nodal
covariates ``nodeicov``/``nodeocov`` in :mod:`.dyad_independent`, the triads in :mod:`.triads`.)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numba
import numpy as np
import scipy.sparse as sp

from customsnet.modeling.terms import arguments as A
from customsnet.modeling.terms.arguments import Formal
from customsnet.modeling.terms.base import (
    StepInputs,
    Term,
    TermError,
    column,
    r_literal,
    tie_values,
)
from customsnet.modeling.terms.categorical import r_levels, select_levels

SAME, SAME_DIFF, BY = 0, 1, 2


@numba.njit(cache=True)
def _mutual_change(adj, i, j, params, out):
    out[0] = adj[j, i]


@numba.njit(cache=True)
def _mutual_attr_change(adj, i, j, params, out):
    """params = [mode, n_levels, level position of each node (-1: not selected)]."""
    if adj[j, i] == 0:
        return
    mode = int(params[0])
    ci, cj = int(params[2 + i]), int(params[2 + j])
    if mode == 2:  # by: each end counts for its own level
        if ci >= 0:
            out[ci] += 1.0
        if cj >= 0:
            out[cj] += 1.0
    elif ci >= 0 and ci == cj:
        out[ci if mode == 1 else 0] += 1.0


@dataclass(frozen=True)
class Mutual(Term):
    """``mutual(same = NULL, by = NULL, diff = FALSE, keep = NULL, levels = NULL)``: reciprocated pairs.

    Plain ``mutual``: the change for ``i -> j`` is ``y_ji``. ``same = attr``: only pairs whose ends
    share a selected level (name ``mutual.<attr>``; ``diff = TRUE``: one statistic per level,
    ``mutual.same.<attr>.<level>``). ``by = attr``: per level, the ends of reciprocated pairs at
    that level (``mutual.by.<attr>.<level>``; a pair within one level counts twice), as ergm's
    ``c_mutual_by_attr``. ``same`` wins over ``by``, as in ergm.
    """

    same: str | None = None
    by: str | None = None
    diff: bool = False
    keep: tuple | None = None
    levels: tuple | None = None
    resolved: tuple | None = field(default=None, compare=False, repr=False)
    r_name = "mutual"
    directed_only = True
    formals = (
        Formal("same", A.optional_name),
        Formal("by", A.optional_name),
        Formal("diff", A.logical),
        Formal("keep", A.levels),
        Formal("levels", A.levels),
    )

    def __post_init__(self) -> None:
        if self.keep is not None and any(isinstance(k, str) for k in self.keep):
            raise TermError(f"{self.to_r()}: keep takes level positions (numbers); use levels = for labels")
        if self.attr is None and (self.diff or self.keep is not None or self.levels is not None):
            raise TermError(f"{self.to_r()}: diff, keep and levels need same = or by =")

    @property
    def attr(self) -> str | None:
        return self.same if self.same is not None else self.by

    @property
    def mode(self) -> int:
        return BY if self.same is None else (SAME_DIFF if self.diff else SAME)

    def node_attributes(self) -> tuple[str, ...]:
        return (self.attr,) if self.attr else ()

    def with_levels(self, levels: dict, directed: bool) -> Mutual:
        if self.attr is None or self.attr not in levels:
            return self
        values, labels = levels[self.attr]
        keep = select_levels(self.to_r(), self.levels, len(labels), tuple(labels))
        if self.levels is None and self.keep is not None:
            keep = [keep[k] for k in select_levels(self.to_r(), self.keep, len(keep), tuple(labels[k] for k in keep))]
        values = np.asarray(values, dtype=np.float64)
        return dataclasses.replace(self, resolved=(tuple(values[keep].tolist()), tuple(labels[k] for k in keep)))

    def _bound(self) -> tuple:
        if self.resolved is None:
            raise TermError(
                f"term {self.to_r()} needs the levels of {self.attr!r}; bind it with Formula.for_panel(panel)"
            )
        return self.resolved

    @property
    def n_stats(self) -> int:
        return 1 if self.attr is None or self.mode == SAME else len(self._bound()[0])

    def coef_names(self, directed: bool) -> list[str]:
        if self.attr is None:
            return ["mutual"]
        if self.mode == SAME:
            return [f"mutual.{self.attr}"]
        kind = "same" if self.mode == SAME_DIFF else "by"
        return [f"mutual.{kind}.{self.attr}.{label}" for label in self._bound()[1]]

    def to_r(self) -> str:
        args = []
        if self.same is not None:
            args.append(f"same = {r_literal(self.same)}")
        if self.by is not None:
            args.append(f"by = {r_literal(self.by)}")
        if self.diff:
            args.append("diff = TRUE")
        if self.keep is not None:
            args.append(f"keep = {r_levels(self.keep)}")
        if self.levels is not None:
            args.append(f"levels = {r_levels(self.levels)}")
        return f"mutual({', '.join(args)})" if args else "mutual"

    def _codes(self, step: StepInputs) -> np.ndarray:
        """Each node's position among the selected levels, -1 when unselected or missing."""
        a = step.node_attr(self.attr, self.to_r())
        values = np.asarray(self._bound()[0])
        hit = a[:, None] == values[None, :]
        return np.where(hit.any(axis=1), hit.argmax(axis=1), -1).astype(np.float64)

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        if self.attr is None:
            return column(tie_values(step.network, head, tail))
        from customsnet.modeling.terms.base import PerDyadChange

        out = PerDyadChange.change_stats(self, step, tail, head)
        a = step.node_attr(self.attr, self.to_r())
        out[np.isnan(a[tail]) | np.isnan(a[head])] = np.nan  # the missing-value policy decides
        return out

    def statistic(self, step: StepInputs) -> np.ndarray:
        a = sp.csr_matrix(step.network != 0, dtype=np.float64)
        a.setdiag(0)
        both = sp.triu(a.multiply(a.T), k=1).tocoo()  # each reciprocated pair once
        if self.attr is None:
            return np.array([float(both.nnz)])
        codes = self._codes(step).astype(int)
        ci, cj = codes[both.row], codes[both.col]
        if self.mode == BY:
            return np.array([float(np.sum(ci == k) + np.sum(cj == k)) for k in range(self.n_stats)])
        same = (ci == cj) & (ci >= 0)
        if self.mode == SAME:
            return np.array([float(same.sum())])
        return np.array([float(np.sum(same & (ci == k))) for k in range(self.n_stats)])

    def sampler_change(self, step: StepInputs):
        if self.attr is None:
            return _mutual_change, np.zeros(0)
        return _mutual_attr_change, np.concatenate([[float(self.mode), float(self.n_stats)], self._codes(step)])

    def fast_sampler_fields(self, coef: np.ndarray) -> dict[str, float] | None:
        return {"mutual_coef": float(coef[0])} if self.attr is None else None
