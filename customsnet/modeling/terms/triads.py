"""Triad terms: triangle, ttriple, ctriple, transitiveties, cyclicalties, twopath (ergm ``changestats.c``).

Each term's change statistic for one dyad is a numba function over the dense adjacency (the
sampler runs it for every proposal; :class:`~.base.PerDyadChange` runs it over the design's
dyads), written after ergm's C code. Each statistic is written independently with matrix
products, so the brute-force toggle tests compare two separate definitions. With ``A`` the
0/1 adjacency (``A[i, j] = 1`` for ``i -> j``):

* ``triangle``: undirected ``trace(A^3) / 6``; directed ``ttriple + ctriple`` (ergm's ``c_triangle``
  counts a triad once per orientation pattern);
* ``ttriple`` (directed): transitive triples ``i -> j, j -> k, i -> k``: ``sum(A o A^2)``;
* ``ctriple`` (directed): cyclic triples ``i -> j -> k -> i``: ``trace(A^3) / 3``;
* ``transitiveties``: ties ``i -> j`` with a two-path ``i -> k -> j`` (undirected: edges with a
  shared partner);
* ``cyclicalties``: ties ``i -> j`` with a two-path ``j -> k -> i`` (undirected: the same as
  ``transitiveties``, since every two-path runs both ways);
* ``intransitive`` (directed): two-paths ``i -> j -> k`` without ``i -> k``:
  ``sum_{i != k} (A^2)_ik (1 - A_ik)``;
* ``twopath``: undirected 2-stars ``sum_v C(d_v, 2)``; directed ``m2star``, pairs ``a -> v -> b``
  with ``a != b``: ``sum_v in_v out_v - 2 * mutual``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numba
import numpy as np
import scipy.sparse as sp

from customsnet.modeling.terms.base import PerDyadChange, StepInputs

_ATTR_REFUSED = {
    "attr": "attribute-matched triad terms are not supported",
    "attrname": "attribute-matched triad terms are not supported",
    "diff": "attribute-matched triad terms are not supported",
    "levels": "attribute-matched triad terms are not supported",
}


def _dense(step: StepInputs) -> np.ndarray:
    a = sp.csr_matrix(step.network != 0, dtype=np.float64).toarray()
    np.fill_diagonal(a, 0.0)
    return a


# ------------------------------------------------------------------ change functions (one dyad)
@numba.njit(cache=True)
def _triangle_undirected(adj, i, j, params, out):
    c = 0
    for k in range(adj.shape[0]):
        c += adj[i, k] * adj[j, k]
    out[0] = c


@numba.njit(cache=True)
def _triangle_directed(adj, i, j, params, out):
    c = 0
    for k in range(adj.shape[0]):
        if k != i and k != j:
            c += (adj[j, k] + adj[k, j]) * (adj[i, k] + adj[k, i])
    out[0] = c


@numba.njit(cache=True)
def _ttriple_change(adj, i, j, params, out):
    # ergm c_ttriple: out-edges of head with an in-edge from tail; in-edges of head with either
    c = 0
    for k in range(adj.shape[0]):
        if k != i and k != j:
            c += adj[j, k] * adj[i, k] + adj[k, j] * (adj[k, i] + adj[i, k])
    out[0] = c


@numba.njit(cache=True)
def _ctriple_change(adj, i, j, params, out):
    c = 0
    for k in range(adj.shape[0]):
        if k != i and k != j:
            c += adj[j, k] * adj[k, i]
    out[0] = c


@numba.njit(cache=True)
def _paths(adj, a, b):
    """Two-paths a -> u -> b (undirected: common neighbours)."""
    c = 0
    for u in range(adj.shape[0]):
        if u != a and u != b:
            c += adj[a, u] * adj[u, b]
    return c


@numba.njit(cache=True)
def _transitiveties_change(adj, i, j, params, out):
    """Ties whose 'has a two-path' indicator changes when i -> j is added (ergm c_transitiveties).

    Directed: the focal tie itself, ties i -> k with j -> k (gain i -> j -> k), ties k -> j with
    k -> i (gain k -> i -> j). Undirected (params[0] == 0): the focal edge and edges i-k, j-k for the
    common neighbours k. Counts on the network without the focal tie are ``L - y``.
    """
    directed = params[0] != 0.0
    y = adj[i, j]
    n = adj.shape[0]
    total = 1.0 if _paths(adj, i, j) > 0 else 0.0
    for k in range(n):
        if k == i or k == j:
            continue
        if directed:
            if adj[i, k] and adj[j, k] and _paths(adj, i, k) - y == 0:
                total += 1.0
            if adj[k, j] and adj[k, i] and _paths(adj, k, j) - y == 0:
                total += 1.0
        elif adj[i, k] and adj[j, k]:
            if _paths(adj, i, k) - y == 0:
                total += 1.0
            if _paths(adj, j, k) - y == 0:
                total += 1.0
    out[0] = total


@numba.njit(cache=True)
def _cyclicalties_change(adj, i, j, params, out):
    """Directed ties a -> b with a two-path b -> u -> a whose indicator changes with i -> j:
    the focal tie (path j -> u -> i), ties k -> i with j -> k (path i -> j -> k), ties j -> k with
    k -> i (path k -> i -> j)."""
    y = adj[i, j]
    n = adj.shape[0]
    total = 1.0 if _paths(adj, j, i) > 0 else 0.0
    for k in range(n):
        if k == i or k == j:
            continue
        if adj[k, i] and adj[j, k] and _paths(adj, i, k) - y == 0:
            total += 1.0
        if adj[j, k] and adj[k, i] and _paths(adj, k, j) - y == 0:
            total += 1.0
    out[0] = total


@numba.njit(cache=True)
def _intransitive_change(adj, i, j, params, out):
    # ergm c_intransitive: i -> j -> k opens (no i -> k), i -> k -> j closes, k -> i -> j opens (no k -> j)
    c = 0
    for k in range(adj.shape[0]):
        if k != i and k != j:
            c += adj[j, k] * (1 - adj[i, k]) - adj[k, j] * adj[i, k] + adj[k, i] * (1 - adj[k, j])
    out[0] = c


@numba.njit(cache=True)
def _twopath_undirected(adj, i, j, params, out):
    y = adj[i, j]
    out[0] = adj[i].sum() - y + adj[j].sum() - y


@numba.njit(cache=True)
def _twopath_directed(adj, i, j, params, out):
    # ergm c_m2star: in-degree of tail + out-degree of head - 2 * reverse tie
    out[0] = adj[:, i].sum() + adj[j].sum() - 2 * adj[j, i]


# ------------------------------------------------------------------ terms
class _Triad(PerDyadChange):
    """A one-statistic triad term: its change functions from ``changes``, its count from :meth:`count`."""

    refused = _ATTR_REFUSED
    #: the per-dyad change function on an undirected and on a directed network (None: not defined)
    changes: ClassVar[tuple] = (None, None)

    def coef_names(self, directed: bool) -> list[str]:
        return [self.r_name]

    def to_r(self) -> str:
        return self.r_name

    def sampler_change(self, step: StepInputs):
        return self.changes[1 if step.directed else 0], self.change_params(step)

    def change_params(self, step: StepInputs) -> np.ndarray:
        """The ``params`` array the change function reads (none unless a term says otherwise)."""
        return np.zeros(0)

    def statistic(self, step: StepInputs) -> np.ndarray:
        return np.array([float(self.count(_dense(step), step.directed))])

    @staticmethod
    def count(a: np.ndarray, directed: bool) -> float:
        """The statistic of the dense 0/1 adjacency ``a`` (written apart from the change functions)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Triangle(_Triad):
    """``triangle``: undirected triangles; directed ``ttriple + ctriple`` (module docstring)."""

    r_name = "triangle"
    changes = (_triangle_undirected, _triangle_directed)

    @staticmethod
    def count(a: np.ndarray, directed: bool) -> float:
        a2 = a @ a
        if not directed:
            return np.trace(a2 @ a) / 6.0
        return np.sum(a * a2) + np.trace(a2 @ a) / 3.0


@dataclass(frozen=True)
class TTriple(_Triad):
    """``ttriple`` (directed): transitive triples ``sum(A o A^2)``."""

    r_name = "ttriple"
    directed_only = True
    changes = (None, _ttriple_change)

    @staticmethod
    def count(a: np.ndarray, directed: bool) -> float:
        return np.sum(a * (a @ a))


@dataclass(frozen=True)
class CTriple(_Triad):
    """``ctriple`` (directed): cyclic triples ``trace(A^3) / 3``."""

    r_name = "ctriple"
    directed_only = True
    changes = (None, _ctriple_change)

    @staticmethod
    def count(a: np.ndarray, directed: bool) -> float:
        return np.trace(a @ a @ a) / 3.0


@dataclass(frozen=True)
class TransitiveTies(_Triad):
    """``transitiveties``: ties ``i -> j`` with at least one two-path ``i -> k -> j``."""

    r_name = "transitiveties"
    changes = (_transitiveties_change, _transitiveties_change)

    def change_params(self, step: StepInputs) -> np.ndarray:
        return np.array([1.0 if step.directed else 0.0])  # params[0]: directed

    @staticmethod
    def count(a: np.ndarray, directed: bool) -> float:
        count = np.sum((a != 0) & ((a @ a) > 0))
        return count if directed else count / 2


@dataclass(frozen=True)
class CyclicalTies(_Triad):
    """``cyclicalties``: ties ``i -> j`` with at least one two-path ``j -> k -> i``."""

    r_name = "cyclicalties"
    # undirected, every two-path runs both ways: the same as transitiveties
    changes = (_transitiveties_change, _cyclicalties_change)

    def change_params(self, step: StepInputs) -> np.ndarray:
        return np.zeros(0) if step.directed else np.array([0.0])

    @staticmethod
    def count(a: np.ndarray, directed: bool) -> float:
        count = np.sum((a != 0) & ((a @ a).T > 0))
        return count if directed else count / 2


@dataclass(frozen=True)
class Intransitive(_Triad):
    """``intransitive`` (directed): two-paths ``i -> j -> k`` whose ``i -> k`` is absent."""

    r_name = "intransitive"
    directed_only = True
    refused: ClassVar[dict[str, str]] = {}
    changes = (None, _intransitive_change)

    @staticmethod
    def count(a: np.ndarray, directed: bool) -> float:
        two_paths = a @ a
        np.fill_diagonal(two_paths, 0.0)
        return np.sum(two_paths * (1.0 - a))


@dataclass(frozen=True)
class TwoPath(_Triad):
    """``twopath``: undirected 2-stars; directed two-paths ``a -> v -> b``, ``a != b`` (ergm's m2star)."""

    r_name = "twopath"
    refused: ClassVar[dict[str, str]] = {}
    changes = (_twopath_undirected, _twopath_directed)

    @staticmethod
    def count(a: np.ndarray, directed: bool) -> float:
        if not directed:
            d = a.sum(axis=1)
            return np.sum(d * (d - 1) / 2)
        mutual = np.sum(a * a.T) / 2
        return np.sum(a.sum(axis=0) * a.sum(axis=1)) - 2 * mutual
