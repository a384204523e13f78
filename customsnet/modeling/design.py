"""Design: the stacked pseudolikelihood rows of a TERGM, one block per modeled time step.

This module holds the data structure shared by the term code (which builds it from a
:class:`~customsnet.modeling.panel.Panel`) and the estimators (which only read it).
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


@dataclass
class Design:
    """All modeled steps, in chronological order, with btergm coefficient names."""

    names: list[str]
    steps: list[StepDesign]
    directed: bool = False
    formula: str = ""
    meta: dict = field(default_factory=dict)

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
        """btergm's ``nobs``: ordered pairs n(n-1) per step (twice the dyads when undirected)."""
        return sum(len(s.nodes) * (len(s.nodes) - 1) for s in self.steps)

    def stacked(self, steps: list[int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row-bind ``X, y, w`` of the given step indices (default all), in that order; repeats allowed."""
        idx = range(len(self.steps)) if steps is None else steps
        blocks = [self.steps[i] for i in idx]
        return (
            np.vstack([b.X for b in blocks]),
            np.concatenate([b.y for b in blocks]),
            np.concatenate([b.w for b in blocks]),
        )
