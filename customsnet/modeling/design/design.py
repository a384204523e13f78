"""Design: the stacked pseudolikelihood rows of a TERGM, one block per modeled time step.

This module holds the data structure shared by the term code (which builds it from a
:class:`~customsnet.modeling.panel.panel.Panel`) and the estimators (which only read it).

Storage: a design built by ``build_design`` keeps the rows of all steps in one
:class:`RowStore` (change statistics column-major, the layout the fitting kernel streams), and
each step's ``X``, ``y``, ``w`` are views into it. The estimators then use those buffers as
they are instead of stacking a second copy, which is what keeps a 1,000-node, 31-year panel
(15 million rows) in a laptop's memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class StepDesign:
    """MPLE rows of one modeled time step.

    ``X`` holds change statistics (rows x terms), ``y`` the observed tie (0/1), ``w`` the
    number of dyads a row stands for (1 everywhere when uncompressed). When uncompressed,
    ``tail``/``head`` give the dyad's node indices into ``nodes`` (``tail < head`` when
    undirected); when compressed they are ``None``.
    """

    year: int
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    nodes: np.ndarray
    tail: np.ndarray | None = None
    head: np.ndarray | None = None
    lag_tie: np.ndarray | None = None  # y at t-1 for the same dyad (formation risk set), when known

    @property
    def n_dyads(self) -> int:
        return int(self.w.sum())


class RowStore:
    """One column-major buffer for the rows of all steps: ``XT`` (terms x rows), ``y`` and ``w``.

    Allocated for an upper bound of the rows (``np.empty``: pages never written are never
    resident); :meth:`append` copies a step's rows in and returns views, so a design's steps
    never hold a second copy.
    """

    def __init__(self, n_params: int, capacity: int) -> None:
        self.XT = np.empty((n_params, capacity))
        self.y = np.empty(capacity)
        self.w = np.empty(capacity)
        self.used = 0

    @property
    def capacity(self) -> int:
        return self.XT.shape[1]

    def append(self, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copy one step's rows in; returns ``(X, y, w)`` views (``X`` rows x terms, Fortran order)."""
        m = len(y)
        lo, hi = self.used, self.used + m
        if hi > self.capacity or X.shape[1] != self.XT.shape[0]:
            # more rows than foreseen: the step keeps its own arrays (stacked later by copying)
            return np.asarray(X, dtype=np.float64), np.asarray(y, np.float64), np.asarray(w, np.float64)
        self.XT[:, lo:hi] = X.T
        self.y[lo:hi] = y
        self.w[lo:hi] = w
        self.used = hi
        return self.XT[:, lo:hi].T, self.y[lo:hi], self.w[lo:hi]

    def holds(self, steps: list[StepDesign]) -> bool:
        """Whether ``steps`` are, in order, exactly the consecutive views this store handed out."""
        lo = 0
        for s in steps:
            hi = lo + len(s.y)
            if not (
                _is_view(s.X, self.XT[:, lo:hi].T) and _is_view(s.y, self.y[lo:hi]) and _is_view(s.w, self.w[lo:hi])
            ):
                return False
            lo = hi
        return lo == self.used

    def trim(self, steps: list[StepDesign]) -> None:
        """Shrink the buffers to the rows in use and re-point ``steps`` (which must be :meth:`holds`).

        The fitting kernel wants unit-stride rows of ``XT``; a slice of a larger buffer has a
        longer row stride. Only the rows in use were ever written, so the copy costs their size.
        """
        if self.used == self.capacity:
            return
        old = self.XT[:, : self.used], self.y[: self.used], self.w[: self.used]
        self.XT, self.y, self.w = (np.ascontiguousarray(a) for a in old)
        del old
        lo = 0
        for s in steps:
            hi = lo + len(s.y)
            s.X, s.y, s.w = self.XT[:, lo:hi].T, self.y[lo:hi], self.w[lo:hi]
            lo = hi

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``XT, y, w`` of the rows in use (views, no copy)."""
        return self.XT[:, : self.used], self.y[: self.used], self.w[: self.used]


def _is_view(a: np.ndarray, b: np.ndarray) -> bool:
    """Same memory, shape and strides (the step still holds the store's view, not a replacement)."""
    ai, bi = a.__array_interface__, b.__array_interface__
    return a.shape == b.shape and a.strides == b.strides and a.dtype == b.dtype and ai["data"][0] == bi["data"][0]


@dataclass
class Design:
    """All modeled steps, in chronological order, with btergm coefficient names."""

    names: list[str]
    steps: list[StepDesign]
    directed: bool = False
    formula: str = ""
    meta: dict = field(default_factory=dict)
    store: RowStore | None = field(default=None, repr=False, compare=False)  # shared row storage, if any

    def shared_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """``XT, y, w`` of all steps in order without copying, when the steps live in ``store``."""
        if self.store is not None and self.store.holds(self.steps):
            return self.store.columns()
        return None

    @property
    def n_steps(self) -> int:
        return len(self.steps)

    @property
    def years(self) -> list[int]:
        return [s.year for s in self.steps]

    @property
    def n_dyads(self) -> int:
        return sum(s.n_dyads for s in self.steps)

    @property
    def nobs_btergm(self) -> int:
        """btergm's ``nobs``: ordered pairs n(n-1) per step (twice the dyads when undirected),
        without the structural zeros of ``offset=True`` composition (btergm counts the zero cells
        of its offset matrices)."""
        pairs = sum(len(s.nodes) * (len(s.nodes) - 1) for s in self.steps)
        return pairs - int(self.meta.get("structural_zero_pairs", 0))

    def stacked(self, steps: list[int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row-bind ``X, y, w`` of the given step indices (default all), in that order; repeats allowed."""
        idx = range(len(self.steps)) if steps is None else steps
        blocks = [self.steps[i] for i in idx]
        return (
            np.vstack([b.X for b in blocks]),
            np.concatenate([b.y for b in blocks]),
            np.concatenate([b.w for b in blocks]),
        )
