"""Geometrically weighted terms with a fixed decay: gwesp (UTP / OTP), gwdegree, gwidegree, gwodegree.

With ``r = 1 - exp(-decay)`` the statistics are (Hunter 2007, ergm's parametrisation)

* GWESP: sum over ties of ``exp(decay) * (1 - r^sp)``, ``sp`` the tie's shared partners
  (undirected: common neighbours; directed OTP: two-paths ``i -> k -> j``);
* GWD: sum over nodes of ``exp(decay) * (1 - r^deg)`` (in- or out-degree when directed).

The gwesp change statistic for dyad (i, j) is (spec §2.2, boxed)::

    exp(a) (1 - r^sp_ij) + sum_{k in C_ij} [ r^(sp_ik - y_ij) + r^(sp_jk - y_ij) ]

With ``E = A o r^SP`` (values on ties only) the neighbour sum is ``(E A + A E)_ij`` for an
absent tie (undirected; ``E A' + A' E`` for OTP). For a present tie every ``k`` in ``C_ij``
has ``sp_ik >= 1`` (``j`` is a shared partner), so we use ``E1 = A o r^(SP - 1)`` instead of
multiplying by ``r^-1``: same value, and it stays exact when ``decay = 0`` (``r = 0``), where
ergm switches to indicators — ``pow(0, 0) == 1`` gives exactly that indicator form.

Powers are taken from a table ``pow(1 - exp(-decay), m)`` built with libm, as ergm 4.4 computes
them: gwdegree then equals R's values bit for bit, gwesp differs from R in the last bit on a
few rows (its sums are added in another order).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

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
    r_number,
    tie_values,
)

_GW_REFUSED = {
    "attr": "attribute-specific gw terms are not supported",
    "cutoff": "cutoff only matters for curved terms (fixed = FALSE), which are not supported",
    "levels": "attribute-specific gw terms are not supported",
}
#: ergm's default is fixed = FALSE, so a gw term written without fixed = TRUE is curved and refused
_GW_FORMALS = (Formal("decay", A.number), Formal("fixed", A.logical, default=False))


def decay_base(decay: float) -> float:
    """``r = 1 - exp(-decay)``, written as ergm 4.4 computes it (``oneexpa``), so values match bitwise."""
    return 1.0 - math.exp(-decay)


def power_table(decay: float, size: int) -> np.ndarray:
    """``r^m`` for ``m = 0..size`` with libm's ``pow`` (ergm's ``pow(oneexpa, m)``).

    Exponents are integer counts, so a table indexed by the counts replaces an array power;
    it also avoids numpy's vectorised ``pow``, whose last bit can differ from libm's.
    """
    r = decay_base(decay)
    return np.array([math.pow(r, m) for m in range(size + 1)])


def focal_table(decay: float, size: int) -> np.ndarray:
    """A tie's own GWESP weight ``exp(decay) (1 - r^sp)`` for ``sp = 0..size``.

    ergm switches to the limit ``sp`` when ``decay >= 100``, where ``r`` rounds to 1.
    """
    if decay >= 100.0:
        return np.arange(size + 1, dtype=np.float64)
    scale = math.exp(decay)
    return np.array([scale * (1.0 - p) for p in power_table(decay, size).tolist()])


def _binary(network: sp.spmatrix) -> sp.csr_matrix:
    a = sp.csr_matrix(network, dtype=np.float64, copy=True)
    a.eliminate_zeros()
    a.data[:] = 1.0
    return a


def two_path_counts(adjacency: sp.csr_matrix) -> np.ndarray:
    """Dense integer ``A @ A``: shared partners (undirected) or two-paths ``i -> k -> j`` (directed)."""
    return (adjacency @ adjacency).toarray().astype(np.int64)


def _weighted_ties(adjacency: sp.csr_matrix, counts: np.ndarray, powers: np.ndarray, shift: int) -> sp.csr_matrix:
    """``A o r^(counts - shift)`` on the ties; entries with ``counts < shift`` never matter and are 0."""
    coo = adjacency.tocoo()
    c = counts[coo.row, coo.col]
    vals = np.where(c >= shift, powers[np.maximum(c - shift, 0)], 0.0)
    return sp.csr_matrix((vals, (coo.row, coo.col)), shape=adjacency.shape)


def esp_change(network: sp.spmatrix, directed: bool, decay: float, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """GWESP change statistics (UTP if undirected, OTP if directed) for the given dyads.

    Neighbour sums are matrix products (module docstring); the focal tie's own weight is added
    last, as ergm does.
    """
    a = _binary(network)
    counts = two_path_counts(a)
    powers = power_table(decay, a.shape[0])
    y = tie_values(a, tail, head)
    at = a.T.tocsr()
    out = np.zeros(len(tail))
    for state, shift in ((0.0, 0), (1.0, 1)):
        sel = y == state
        if not sel.any():
            continue
        e = _weighted_ties(a, counts, powers, shift)
        neighbour = (e @ a + a @ e) if not directed else (e @ at + at @ e)
        out[sel] = np.asarray(neighbour[tail[sel], head[sel]]).ravel()
    return out + focal_table(decay, a.shape[0])[counts[tail, head]]


def esp_statistic(network: sp.spmatrix, directed: bool, decay: float) -> float:
    """GWESP statistic: sum over ties of ``exp(decay) (1 - r^sp)``; undirected ties counted once."""
    a = _binary(network)
    counts = two_path_counts(a)
    coo = a.tocoo()
    total = float(np.sum(focal_table(decay, a.shape[0])[counts[coo.row, coo.col]]))
    return total if directed else total / 2.0


def gw_degree_sum(degrees: np.ndarray, decay: float) -> float:
    """Sum over nodes of ``exp(decay) (1 - r^deg)``."""
    powers = power_table(decay, int(degrees.max(initial=0)))
    return float(np.sum(math.exp(decay) * (1.0 - powers[degrees.astype(np.int64)])))


def _degrees(network: sp.spmatrix, axis: int) -> np.ndarray:
    return np.asarray(_binary(network).sum(axis=axis)).ravel().astype(np.int64)


# ------------------------------------------------------------------ sampler change functions (one dyad)
# params = [r^0 .. r^n, focal(0) .. focal(n)] (tables as the batch code uses), adj dense uint8.
@numba.njit(cache=True)
def _common(adj, a, b):
    n = adj.shape[0]
    c = 0
    for u in range(n):
        if adj[a, u] and adj[u, b]:
            c += 1
    return c


@numba.njit(cache=True)
def _gwesp_utp_change(adj, i, j, params, out):
    m = params.shape[0] // 2
    y = adj[i, j]
    n = adj.shape[0]
    total = 0.0
    sp_ij = 0
    for k in range(n):
        if k != i and k != j and adj[i, k] and adj[j, k]:
            sp_ij += 1
            total += params[_common(adj, i, k) - y] + params[_common(adj, j, k) - y]
    out[0] = total + params[m + sp_ij]


@numba.njit(cache=True)
def _gwesp_otp_change(adj, i, j, params, out):
    m = params.shape[0] // 2
    y = adj[i, j]
    n = adj.shape[0]
    total = 0.0
    for k in range(n):
        if k == i or k == j:
            continue
        if adj[i, k] and adj[j, k]:  # arc i -> k gains the path i -> j -> k
            total += params[_common(adj, i, k) - y]
        if adj[k, j] and adj[k, i]:  # arc k -> j gains the path k -> i -> j
            total += params[_common(adj, k, j) - y]
    out[0] = total + params[m + _common(adj, i, j)]


@numba.njit(cache=True)
def _gwdegree_change(adj, i, j, params, out):
    y = adj[i, j]
    out[0] = params[adj[i].sum() - y] + params[adj[j].sum() - y]


@numba.njit(cache=True)
def _gwidegree_change(adj, i, j, params, out):
    out[0] = params[adj[:, j].sum() - adj[i, j]]


@numba.njit(cache=True)
def _gwodegree_change(adj, i, j, params, out):
    out[0] = params[adj[i].sum() - adj[i, j]]


def typed_name(term: Term, directed: bool) -> bool:
    """Whether a shared-partner term's coefficient name carries its type (``gwesp.OTP.fixed.0.5``).

    ergm 4.4 and earlier had separate ``gwesp``/``gwdsp``/``gwnsp``/``esp``/``dsp``/``nsp``
    functions without a ``type`` argument, named ``gwesp.fixed.0.5`` / ``esp1`` on directed networks
    too; only the ``d``-prefixed terms (``dgwesp``, ...) printed the type. ergm 4.5.0 made the plain
    names aliases of the ``d`` terms, so they print the type. customsnet follows ergm 4.4 unless the
    type is written (``type = "OTP"``: an argument ergm 4.4's plain terms did not have), which is
    what ``Formula(naming="ergm4.5")`` does for every such term. Undirected names never carry a type.
    """
    if not directed:
        return False
    return bool(getattr(term, "always_typed", False)) or getattr(term, "type", None) is not None


class _FixedDecay(Term):
    """Shared checks for gw terms: a decay is required and must be fixed (no curved terms)."""

    decay: float
    fixed: bool
    formals = _GW_FORMALS
    refused = _GW_REFUSED
    #: the specialised sampler's field prefix (``gwesp`` -> ``gwesp_coef``, ``gwesp_decay``)
    fast_field = ""

    def _tables(self, n: int) -> np.ndarray:
        return np.concatenate([power_table(self.decay, n), focal_table(self.decay, n)])

    def fast_sampler_fields(self, coef: np.ndarray) -> dict[str, float] | None:
        return {f"{self.fast_field}_coef": float(coef[0]), f"{self.fast_field}_decay": float(self.decay)}

    def __post_init__(self) -> None:
        if self.decay is None:
            raise TermError(f"{self.r_name}: give the decay, e.g. {self.r_name}(0.5, fixed = TRUE)")
        if not self.fixed:
            raise TermError(
                f"{self.r_name}({r_number(self.decay)}) with fixed = FALSE (ergm's default when fixed is "
                f"not given) is a curved term, which btergm's gof/edgeprob and customsnet do not support; write "
                f"{self.r_name}({r_number(self.decay)}, fixed = TRUE)"
            )
        if not np.isfinite(self.decay) or self.decay < 0:
            raise TermError(f"{self.r_name}: decay must be a finite number >= 0, got {self.decay}")


@dataclass(frozen=True)
class GWESP(_FixedDecay):
    """``gwesp(decay, fixed = TRUE)``: UTP on undirected networks, OTP (default) on directed ones."""

    decay: float
    fixed: bool = True
    type: str | None = None
    r_name = "gwesp"
    formals = _GW_FORMALS + (Formal("cutoff", A.number), Formal("type", A.text))
    refused: ClassVar[dict[str, str]] = {"cutoff": _GW_REFUSED["cutoff"]}
    fast_field = "gwesp"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.type is not None and self.type.upper() not in {"UTP", "OTP", "ITP", "RTP", "OSP", "ISP"}:
            raise TermError(f"gwesp: unknown type {self.type!r} (ergm types: OTP, ITP, RTP, OSP, ISP, UTP)")

    def _other_type(self, directed: bool) -> str | None:
        """The shared-partner type when it is not the one the specialised code handles (UTP/OTP)."""
        if not directed or self.type is None or self.type.upper() == "OTP":
            return None
        return self.type.upper()

    def check_directedness(self, directed: bool) -> None:
        if directed and self.type is not None and self.type.upper() == "UTP":
            raise TermError(f"term {self.to_r()}: type UTP is for undirected networks; use OTP, ITP, RTP, OSP or ISP")

    #: True for ergm's ``d``-prefixed name (``dgwesp``), which prints the type on directed networks
    #: in every ergm version; plain ``gwesp`` prints it only from ergm 4.5 on (see :func:`typed_name`)
    always_typed: ClassVar[bool] = False

    def coef_names(self, directed: bool) -> list[str]:
        kind = f"{(self.type or 'OTP').upper()}." if typed_name(self, directed) else ""
        return [f"gwesp.{kind}fixed.{r_number(self.decay)}"]

    def to_r(self) -> str:
        extra = "" if self.type is None else f", type = {r_literal(self.type)}"
        return f"gwesp({r_number(self.decay)}, fixed = TRUE{extra})"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        if self._other_type(step.directed):
            from customsnet.modeling.terms.base import PerDyadChange

            return PerDyadChange.change_stats(self, step, tail, head)
        return column(esp_change(step.network, step.directed, self.decay, tail, head))

    def statistic(self, step: StepInputs) -> np.ndarray:
        sp_type = self._other_type(step.directed)
        if sp_type:
            from customsnet.modeling.terms.sp_kernels import EDGEWISE, sp_statistic

            table = focal_table(self.decay, step.n)
            return sp_statistic(step, sp_type, EDGEWISE, lambda c: np.array([np.sum(table[c])]))
        return np.array([esp_statistic(step.network, step.directed, self.decay)])

    def fast_sampler_fields(self, coef: np.ndarray) -> dict[str, float] | None:
        if self.type is not None and self.type.upper() not in ("OTP", "UTP"):
            return None
        return super().fast_sampler_fields(coef)

    def sampler_change(self, step: StepInputs):
        sp_type = self._other_type(step.directed)
        if sp_type:
            from customsnet.modeling.terms.sp_kernels import (
                EDGEWISE,
                sp_change,
                sp_params,
            )

            return sp_change, sp_params(sp_type, EDGEWISE, True, focal_table(self.decay, step.n), counts=False)
        return (_gwesp_otp_change if step.directed else _gwesp_utp_change), self._tables(step.n)

    def counterfactual_change(self, structure: str, k: int) -> float | None:
        if structure != "shared_partners":
            return None
        r = -math.expm1(-self.decay)
        return math.exp(self.decay) * (1.0 - r**k)  # the focal term e^a (1 - r^k)


@dataclass(frozen=True)
class GWDegree(_FixedDecay):
    """``gwdegree(decay, fixed = TRUE)`` (undirected): change ``r^(d_i - y_ij) + r^(d_j - y_ij)``."""

    decay: float
    fixed: bool = True
    r_name = "gwdegree"
    undirected_only = True
    fast_field = "gwdegree"

    def sampler_change(self, step: StepInputs):
        return _gwdegree_change, self._tables(step.n)

    def counterfactual_change(self, structure: str, k: int) -> float | None:
        if structure != "degree":
            return None
        return 2.0 * (-math.expm1(-self.decay)) ** k  # both endpoints at degree k: 2 r^k

    def coef_names(self, directed: bool) -> list[str]:
        return [f"gwdeg.fixed.{r_number(self.decay)}"]

    def to_r(self) -> str:
        return f"gwdegree({r_number(self.decay)}, fixed = TRUE)"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        deg = _degrees(step.network, 1)
        y = tie_values(step.network, tail, head).astype(np.int64)
        powers = power_table(self.decay, step.n)
        return column(powers[deg[tail] - y] + powers[deg[head] - y])

    def statistic(self, step: StepInputs) -> np.ndarray:
        return np.array([gw_degree_sum(_degrees(step.network, 1), self.decay)])


@dataclass(frozen=True)
class GWIDegree(_FixedDecay):
    """``gwidegree(decay, fixed = TRUE)`` (directed): change ``r^(indeg_j - y_ij)``."""

    decay: float
    fixed: bool = True
    r_name = "gwidegree"
    directed_only = True
    fast_field = "gwidegree"

    def sampler_change(self, step: StepInputs):
        return _gwidegree_change, self._tables(step.n)

    def coef_names(self, directed: bool) -> list[str]:
        return [f"gwideg.fixed.{r_number(self.decay)}"]

    def to_r(self) -> str:
        return f"gwidegree({r_number(self.decay)}, fixed = TRUE)"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        indeg = _degrees(step.network, 0)
        y = tie_values(step.network, tail, head).astype(np.int64)
        return column(power_table(self.decay, step.n)[indeg[head] - y])

    def statistic(self, step: StepInputs) -> np.ndarray:
        return np.array([gw_degree_sum(_degrees(step.network, 0), self.decay)])


@dataclass(frozen=True)
class GWODegree(_FixedDecay):
    """``gwodegree(decay, fixed = TRUE)`` (directed): change ``r^(outdeg_i - y_ij)``."""

    decay: float
    fixed: bool = True
    r_name = "gwodegree"
    directed_only = True
    fast_field = "gwodegree"

    def sampler_change(self, step: StepInputs):
        return _gwodegree_change, self._tables(step.n)

    def coef_names(self, directed: bool) -> list[str]:
        return [f"gwodeg.fixed.{r_number(self.decay)}"]

    def to_r(self) -> str:
        return f"gwodegree({r_number(self.decay)}, fixed = TRUE)"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        outdeg = _degrees(step.network, 1)
        y = tie_values(step.network, tail, head).astype(np.int64)
        return column(power_table(self.decay, step.n)[outdeg[tail] - y])

    def statistic(self, step: StepInputs) -> np.ndarray:
        return np.array([gw_degree_sum(_degrees(step.network, 1), self.decay)])
