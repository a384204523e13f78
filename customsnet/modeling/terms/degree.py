"""Degree terms: kstar, istar, ostar, degree, idegree, odegree, isolates, concurrent (ergm ``changestats.c``).

With ``d_v`` the degree (directed: ``in_v``/``out_v``; ``isolates`` uses ``in_v + out_v``):

* ``kstar(k)`` (undirected): ``sum_v C(d_v, k)``, one statistic per ``k``, names ``kstar2``, ...;
* ``istar(k)`` / ``ostar(k)`` (directed): ``sum_v C(in_v, k)`` / ``C(out_v, k)``;
* ``degree(d)`` (undirected): nodes of degree ``d``, names ``degree0``, ...; ``idegree(d)`` /
  ``odegree(d)`` (directed) by in- / out-degree;
* ``isolates``: nodes without ties; ``concurrent`` (undirected): nodes of degree >= 2.

The change for dyad ``(i, j)`` depends only on the endpoints' degrees without the focal tie,
``d^- = d - y_ij``; the numba functions below compute it for the sampler and the design.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp
from scipy.special import comb

from customsnet.modeling.terms import arguments as A
from customsnet.modeling.terms.arguments import Formal
from customsnet.modeling.terms.base import PerDyadChange, StepInputs, TermError

_BY_REFUSED = {
    "attr": "attribute-specific degree terms are not supported",
    "attrname": "attribute-specific degree terms are not supported",
    "by": "attribute-specific degree terms are not supported",
    "homophily": "attribute-specific degree terms are not supported",
    "levels": "attribute-specific degree terms are not supported",
}


def _r_vector(values: tuple[int, ...]) -> str:
    """``2`` or ``c(1, 3)`` (R source for a whole-number vector)."""
    return str(values[0]) if len(values) == 1 else "c(" + ", ".join(str(v) for v in values) + ")"


def _as_counts(term: str, arg: str, values) -> tuple[int, ...]:
    values = (values,) if np.isscalar(values) else tuple(values)
    if not values or any(v != int(v) or v < 0 for v in values):
        raise TermError(f"{term}: {arg} must be one or more whole numbers >= 0, got {values}")
    return tuple(int(v) for v in values)


def _degrees(step: StepInputs) -> tuple[np.ndarray, np.ndarray]:
    a = sp.csr_matrix(step.network != 0, dtype=np.float64)
    a.setdiag(0)
    a.eliminate_zeros()
    return np.asarray(a.sum(axis=0)).ravel(), np.asarray(a.sum(axis=1)).ravel()  # in, out


# ------------------------------------------------------------------ change functions (one dyad)
@numba.njit(cache=True)
def _choose(m, k):
    if k < 0 or m < k:
        return 0.0
    c = 1.0
    for t in range(k):
        c = c * (m - t) / (t + 1)
    return c


@numba.njit(cache=True)
def _kstar_change(adj, i, j, params, out):
    y = adj[i, j]
    di, dj = adj[i].sum() - y, adj[j].sum() - y
    for m in range(params.shape[0]):
        k = int(params[m])
        out[m] = _choose(di, k - 1) + _choose(dj, k - 1)


@numba.njit(cache=True)
def _istar_change(adj, i, j, params, out):
    d = adj[:, j].sum() - adj[i, j]
    for m in range(params.shape[0]):
        out[m] = _choose(d, int(params[m]) - 1)


@numba.njit(cache=True)
def _ostar_change(adj, i, j, params, out):
    d = adj[i].sum() - adj[i, j]
    for m in range(params.shape[0]):
        out[m] = _choose(d, int(params[m]) - 1)


@numba.njit(cache=True)
def _hit(d, target):
    """Change of [degree == target] when a node's degree goes from d to d + 1."""
    return (1.0 if d + 1 == target else 0.0) - (1.0 if d == target else 0.0)


@numba.njit(cache=True)
def _degree_change(adj, i, j, params, out):
    y = adj[i, j]
    di, dj = adj[i].sum() - y, adj[j].sum() - y
    for m in range(params.shape[0]):
        out[m] = _hit(di, params[m]) + _hit(dj, params[m])


@numba.njit(cache=True)
def _idegree_change(adj, i, j, params, out):
    d = adj[:, j].sum() - adj[i, j]
    for m in range(params.shape[0]):
        out[m] = _hit(d, params[m])


@numba.njit(cache=True)
def _odegree_change(adj, i, j, params, out):
    d = adj[i].sum() - adj[i, j]
    for m in range(params.shape[0]):
        out[m] = _hit(d, params[m])


@numba.njit(cache=True)
def _isolates_change(adj, i, j, params, out):
    y = adj[i, j]
    if params[0] != 0.0:  # directed: total degree in + out
        di = adj[i].sum() + adj[:, i].sum() - y
        dj = adj[j].sum() + adj[:, j].sum() - y
    else:
        di, dj = adj[i].sum() - y, adj[j].sum() - y
    out[0] = -(1.0 if di == 0 else 0.0) - (1.0 if dj == 0 else 0.0)


@numba.njit(cache=True)
def _concurrent_change(adj, i, j, params, out):
    y = adj[i, j]
    out[0] = (1.0 if adj[i].sum() - y == 1 else 0.0) + (1.0 if adj[j].sum() - y == 1 else 0.0)


# ------------------------------------------------------------------ terms
class _Counts(PerDyadChange):
    """A term with a vector of whole-number arguments (``k`` or ``d``), one statistic each."""

    arg = "k"
    refused = _BY_REFUSED

    def __post_init__(self) -> None:
        values = getattr(self, self.arg)
        object.__setattr__(self, self.arg, _as_counts(self.r_name, self.arg, values))

    @property
    def values(self) -> tuple[int, ...]:
        return getattr(self, self.arg)

    @property
    def n_stats(self) -> int:
        return len(self.values)

    def coef_names(self, directed: bool) -> list[str]:
        return [f"{self.r_name}{v}" for v in self.values]

    def to_r(self) -> str:
        return f"{self.r_name}({_r_vector(self.values)})"

    def sampler_change(self, step: StepInputs):
        return self.change_function, np.asarray(self.values, dtype=np.float64)


@dataclass(frozen=True)
class KStar(_Counts):
    """``kstar(k)`` (undirected): ``sum_v C(d_v, k)``."""

    k: tuple[int, ...]
    r_name = "kstar"
    undirected_only = True
    formals = (Formal("k", A.whole_numbers),)
    change_function = staticmethod(_kstar_change)

    def statistic(self, step: StepInputs) -> np.ndarray:
        d = _degrees(step)[1]
        return np.array([float(np.sum(comb(d, k))) for k in self.k])


@dataclass(frozen=True)
class IStar(_Counts):
    """``istar(k)`` (directed): ``sum_v C(in_v, k)``."""

    k: tuple[int, ...]
    r_name = "istar"
    directed_only = True
    formals = (Formal("k", A.whole_numbers),)
    change_function = staticmethod(_istar_change)

    def statistic(self, step: StepInputs) -> np.ndarray:
        d = _degrees(step)[0]
        return np.array([float(np.sum(comb(d, k))) for k in self.k])


@dataclass(frozen=True)
class OStar(_Counts):
    """``ostar(k)`` (directed): ``sum_v C(out_v, k)``."""

    k: tuple[int, ...]
    r_name = "ostar"
    directed_only = True
    formals = (Formal("k", A.whole_numbers),)
    change_function = staticmethod(_ostar_change)

    def statistic(self, step: StepInputs) -> np.ndarray:
        d = _degrees(step)[1]
        return np.array([float(np.sum(comb(d, k))) for k in self.k])


@dataclass(frozen=True)
class Degree(_Counts):
    """``degree(d)`` (undirected): the number of nodes of degree ``d``."""

    d: tuple[int, ...]
    arg = "d"
    r_name = "degree"
    undirected_only = True
    formals = (Formal("d", A.whole_numbers),)
    change_function = staticmethod(_degree_change)

    def statistic(self, step: StepInputs) -> np.ndarray:
        deg = _degrees(step)[1]
        return np.array([float(np.sum(deg == d)) for d in self.d])


@dataclass(frozen=True)
class IDegree(_Counts):
    """``idegree(d)`` (directed): the number of nodes of in-degree ``d``."""

    d: tuple[int, ...]
    arg = "d"
    r_name = "idegree"
    directed_only = True
    formals = (Formal("d", A.whole_numbers),)
    change_function = staticmethod(_idegree_change)

    def statistic(self, step: StepInputs) -> np.ndarray:
        deg = _degrees(step)[0]
        return np.array([float(np.sum(deg == d)) for d in self.d])


@dataclass(frozen=True)
class ODegree(_Counts):
    """``odegree(d)`` (directed): the number of nodes of out-degree ``d``."""

    d: tuple[int, ...]
    arg = "d"
    r_name = "odegree"
    directed_only = True
    formals = (Formal("d", A.whole_numbers),)
    change_function = staticmethod(_odegree_change)

    def statistic(self, step: StepInputs) -> np.ndarray:
        deg = _degrees(step)[1]
        return np.array([float(np.sum(deg == d)) for d in self.d])


@dataclass(frozen=True)
class Isolates(PerDyadChange):
    """``isolates``: nodes without any tie (directed: neither in nor out)."""

    r_name = "isolates"

    def coef_names(self, directed: bool) -> list[str]:
        return ["isolates"]

    def to_r(self) -> str:
        return "isolates"

    def sampler_change(self, step: StepInputs):
        return _isolates_change, np.array([1.0 if step.directed else 0.0])

    def statistic(self, step: StepInputs) -> np.ndarray:
        indeg, outdeg = _degrees(step)
        total = indeg + outdeg if step.directed else outdeg
        return np.array([float(np.sum(total == 0))])


@dataclass(frozen=True)
class Concurrent(PerDyadChange):
    """``concurrent`` (undirected): nodes with two or more ties."""

    r_name = "concurrent"
    undirected_only = True
    refused = _BY_REFUSED

    def coef_names(self, directed: bool) -> list[str]:
        return ["concurrent"]

    def to_r(self) -> str:
        return "concurrent"

    def sampler_change(self, step: StepInputs):
        return _concurrent_change, np.zeros(0)

    def statistic(self, step: StepInputs) -> np.ndarray:
        return np.array([float(np.sum(_degrees(step)[1] >= 2))])
