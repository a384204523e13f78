"""Shared-partner kernels: two-path counts by ergm's types (UTP, OTP, ITP, RTP, OSP, ISP).

The statistics and the numba per-dyad change function every shared-partner term uses (``esp``,
``dsp``, ``nsp``, their geometrically weighted forms, and directed ``gwesp`` of a non-OTP type).
Kept apart from the term classes so that :mod:`~customsnet.modeling.terms.gw` and
:mod:`~customsnet.modeling.terms.shared_partners` both build on it without importing each other.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from customsnet.modeling.terms.base import StepInputs, TermError

SP_TYPES = ("UTP", "OTP", "ITP", "RTP", "OSP", "ISP")
EDGEWISE, DYADWISE, NONEDGEWISE = 0, 1, 2


def resolve_type(term: str, sp_type: str | None, directed: bool) -> str:
    """ergm's ``.d_sp_resolve_type``: UTP on undirected networks, else the given type (default OTP)."""
    if not directed:
        return "UTP"
    t = "OTP" if sp_type is None else sp_type.upper()
    if t not in SP_TYPES or t == "UTP":
        raise TermError(f"{term}: type must be one of OTP, ITP, RTP, OSP, ISP on a directed network, got {sp_type!r}")
    return t


def check_type(term: str, sp_type: str | None) -> None:
    if sp_type is not None and sp_type.upper() not in SP_TYPES:
        raise TermError(f"{term}: unknown type {sp_type!r} (ergm types: {', '.join(SP_TYPES)})")


def dyadwise_ordered(directed: bool, sp_type: str) -> bool:
    return directed and sp_type in ("OTP", "ITP")


def two_path_matrix(a: np.ndarray, sp_type: str) -> np.ndarray:
    """``L(a, b)`` for every pair, as the table in the module docstring (diagonal 0)."""
    if sp_type in ("UTP", "OTP"):
        m = a @ a
    elif sp_type == "ITP":
        m = (a @ a).T
    elif sp_type == "RTP":
        r = a * a.T
        m = r @ r
    elif sp_type == "OSP":
        m = a @ a.T
    else:
        m = a.T @ a
    m = np.rint(m).astype(np.int64)
    np.fill_diagonal(m, 0)
    return m


def pair_masks(a: np.ndarray, directed: bool, sp_type: str) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the edgewise and the dyadwise pairs."""
    n = len(a)
    off = ~np.eye(n, dtype=bool)
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    edges = (a != 0) & (off if directed else upper)
    dyads = off if dyadwise_ordered(directed, sp_type) else upper
    return edges, dyads


def sp_statistic(step: StepInputs, sp_type: str, kind: int, h) -> np.ndarray:
    """Sum of ``h(L)`` (a vector per pair) over the edgewise / dyadwise / non-edgewise pairs."""
    a = sp.csr_matrix(step.network != 0, dtype=np.float64).toarray()
    np.fill_diagonal(a, 0.0)
    counts = two_path_matrix(a, sp_type)
    edges, dyads = pair_masks(a, step.directed, sp_type)
    esp = h(counts[edges]) if kind != DYADWISE else 0.0
    dsp = h(counts[dyads]) if kind != EDGEWISE else 0.0
    return np.asarray(esp if kind == EDGEWISE else dsp if kind == DYADWISE else dsp - esp, dtype=np.float64)


# ------------------------------------------------------------------ change function (one dyad)
@numba.njit(cache=True)
def _two_paths(adj, stype, a, b):
    c = 0
    for u in range(adj.shape[0]):
        if u == a or u == b:
            continue
        if stype <= 1:  # UTP, OTP
            c += adj[a, u] * adj[u, b]
        elif stype == 2:  # ITP
            c += adj[b, u] * adj[u, a]
        elif stype == 3:  # RTP
            c += adj[a, u] * adj[u, a] * adj[u, b] * adj[b, u]
        elif stype == 4:  # OSP
            c += adj[a, u] * adj[b, u]
        else:  # ISP
            c += adj[u, a] * adj[u, b]
    return c


@numba.njit(cache=True)
def _pair_value(adj, stype, edgewise, a, b, params, nd, out, sign):
    if edgewise and adj[a, b] == 0:
        return
    count = _two_paths(adj, stype, a, b)
    if nd == 0:
        out[0] += sign * params[4 + count]
    else:
        for m in range(nd):
            if count == params[4 + m]:
                out[m] += sign


@numba.njit(cache=True)
def _sum_pairs(adj, i, j, stype, edgewise, ordered, params, nd, out, sign):
    _pair_value(adj, stype, edgewise, i, j, params, nd, out, sign)
    for k in range(adj.shape[0]):
        if k == i or k == j:
            continue
        if adj[j, k] or adj[k, j]:  # pairs of i and k can gain a partner through j
            _pair_value(adj, stype, edgewise, i, k, params, nd, out, sign)
            if ordered:
                _pair_value(adj, stype, edgewise, k, i, params, nd, out, sign)
        if adj[i, k] or adj[k, i]:  # pairs of j and k can gain a partner through i
            _pair_value(adj, stype, edgewise, j, k, params, nd, out, sign)
            if ordered:
                _pair_value(adj, stype, edgewise, k, j, params, nd, out, sign)


@numba.njit(cache=True)
def sp_change(adj, i, j, params, out):
    """params = [type code, kind, directed, nd, d_1..d_nd | h(0..n)] (nd = 0: geometric weights)."""
    stype = int(params[0])
    kind = int(params[1])
    directed = params[2] != 0.0
    nd = int(params[3])
    dsp_ordered = directed and (stype == 1 or stype == 2)
    y_ij = adj[i, j]
    y_ji = adj[j, i]
    for state in range(2):
        sign = 1.0 if state == 1 else -1.0
        adj[i, j] = state
        if not directed:
            adj[j, i] = state
        if kind != 1:  # the edgewise part (subtracted for non-edgewise)
            _sum_pairs(adj, i, j, stype, True, directed, params, nd, out, sign if kind == 0 else -sign)
        if kind != 0:
            _sum_pairs(adj, i, j, stype, False, dsp_ordered, params, nd, out, sign)
    adj[i, j] = y_ij
    adj[j, i] = y_ji


def sp_params(sp_type: str, kind: int, directed: bool, values: np.ndarray, counts: bool) -> np.ndarray:
    head = [
        float(SP_TYPES.index(sp_type)),
        float(kind),
        1.0 if directed else 0.0,
        float(len(values)) if counts else 0.0,
    ]
    return np.concatenate([np.array(head), np.asarray(values, dtype=np.float64)])


# ------------------------------------------------------------------ esp(d), dsp(d), nsp(d)
