"""Shared-partner terms: esp(d), dsp(d), nsp(d), gwdsp, gwnsp and ergm's dgw* names, with ``type=``.

ergm (``R/InitErgmTerm.dgw_sp.R``, ``src/changestats_dgw_sp.h``) counts, for a pair ``(a, b)``,
its shared partners ``L(a, b)`` of a *type* (``A[i, j] = 1`` for ``i -> j``):

========  ==========================  ==============
type      partner ``u`` of (a, b)     matrix
========  ==========================  ==============
UTP       ``a - u - b`` (undirected)  ``A A``
OTP       ``a -> u -> b``             ``A A``
ITP       ``b -> u -> a``             ``(A A)'``
RTP       ``a <-> u <-> b``           ``M M``, ``M = A o A'``
OSP       ``a -> u <- b``             ``A A'``
ISP       ``a <- u -> b``             ``A' A``
========  ==========================  ==============

On undirected networks the type is always UTP. The statistics sum ``h(L)`` over pairs:
edgewise (``esp``, ``gwesp``) over the ties (each undirected edge once, each arc once);
dyadwise (``dsp``, ``gwdsp``) over all pairs: ordered pairs for directed OTP/ITP, unordered
pairs otherwise (ergm stores the symmetric types in an undirected dyad map); non-edgewise
(``nsp``, ``gwnsp``) is dyadwise minus edgewise, as ergm computes it. ``h`` is the indicator
``L == d`` (one statistic per ``d``) or the geometric weight ``exp(a) (1 - (1 - exp(-a))^L)``.

The change statistic of one dyad is computed exactly by re-evaluating ``h`` for the pairs whose
count or tie the toggle can change: the focal pair and the pairs sharing one focal endpoint
whose other endpoint is linked to the other focal node (``O(n * deg)`` per dyad).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numba
import numpy as np
import scipy.sparse as sp

from customsnet.modeling.terms import arguments as A
from customsnet.modeling.terms.arguments import Formal
from customsnet.modeling.terms.base import (
    PerDyadChange,
    StepInputs,
    TermError,
    r_literal,
    r_number,
)
from customsnet.modeling.terms.gw import (
    _GW_FORMALS,
    _GW_REFUSED,
    GWESP,
    _FixedDecay,
    focal_table,
)

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
    head = [float(SP_TYPES.index(sp_type)), float(kind), 1.0 if directed else 0.0, float(len(values)) if counts else 0.0]
    return np.concatenate([np.array(head), np.asarray(values, dtype=np.float64)])


# ------------------------------------------------------------------ esp(d), dsp(d), nsp(d)
class _SharedPartnerCounts(PerDyadChange):
    """``esp``/``dsp``/``nsp(d, type = "OTP")``: pairs with exactly ``d`` shared partners."""

    kind = EDGEWISE
    stem = "esp"
    formals = (Formal("d", A.whole_numbers), Formal("type", A.text))

    def __post_init__(self) -> None:
        d = (self.d,) if np.isscalar(self.d) else tuple(self.d)
        if not d or any(v != int(v) or v < 0 for v in d):
            raise TermError(f"{self.r_name}: d must be whole numbers >= 0, got {d}")
        object.__setattr__(self, "d", tuple(int(v) for v in d))
        check_type(self.r_name, self.type)

    @property
    def n_stats(self) -> int:
        return len(self.d)

    def coef_names(self, directed: bool) -> list[str]:
        t = resolve_type(self.to_r(), self.type, directed)
        stem = self.stem if t == "UTP" else f"{self.stem}.{t}"
        return [f"{stem}{v}" for v in self.d]

    def to_r(self) -> str:
        d = str(self.d[0]) if len(self.d) == 1 else "c(" + ", ".join(map(str, self.d)) + ")"
        extra = "" if self.type is None else f", type = {r_literal(self.type)}"
        return f"{self.r_name}({d}{extra})"

    def check_directedness(self, directed: bool) -> None:
        resolve_type(self.to_r(), self.type, directed)

    def sampler_change(self, step: StepInputs):
        t = resolve_type(self.to_r(), self.type, step.directed)
        return sp_change, sp_params(t, self.kind, step.directed, np.array(self.d), counts=True)

    def statistic(self, step: StepInputs) -> np.ndarray:
        t = resolve_type(self.to_r(), self.type, step.directed)
        return sp_statistic(step, t, self.kind, lambda c: np.array([np.sum(c == v) for v in self.d], dtype=float))


@dataclass(frozen=True)
class ESP(_SharedPartnerCounts):
    """``esp(d)``: ties with exactly ``d`` shared partners (names ``esp1``; directed ``esp.OTP1``)."""

    d: tuple[int, ...]
    type: str | None = None
    r_name = "esp"


@dataclass(frozen=True)
class DSP(_SharedPartnerCounts):
    """``dsp(d)``: pairs with exactly ``d`` shared partners (names ``dsp1``; directed ``dsp.OTP1``)."""

    d: tuple[int, ...]
    type: str | None = None
    r_name = "dsp"
    kind = DYADWISE
    stem = "dsp"


@dataclass(frozen=True)
class NSP(_SharedPartnerCounts):
    """``nsp(d)``: non-tied pairs with exactly ``d`` shared partners (dsp minus esp, as ergm)."""

    d: tuple[int, ...]
    type: str | None = None
    r_name = "nsp"
    kind = NONEDGEWISE
    stem = "nsp"


# ------------------------------------------------------------------ gwdsp, gwnsp (fixed decay)
class _GWSharedPartners(_FixedDecay, PerDyadChange):
    """``gwdsp``/``gwnsp(decay, fixed = TRUE, type = "OTP")``: geometrically weighted shared partners."""

    kind = DYADWISE
    stem = "gwdsp"
    formals = _GW_FORMALS + (Formal("cutoff", A.number), Formal("type", A.text))
    refused: ClassVar[dict[str, str]] = {"cutoff": _GW_REFUSED["cutoff"], "alpha": "use decay = (alpha is ergm's old name)"}

    def __post_init__(self) -> None:
        super().__post_init__()
        check_type(self.r_name, self.type)

    def fast_sampler_fields(self, coef: np.ndarray) -> dict[str, float] | None:
        return None

    def coef_names(self, directed: bool) -> list[str]:
        t = resolve_type(self.to_r(), self.type, directed)
        stem = self.stem if t == "UTP" else f"{self.stem}.{t}"
        return [f"{stem}.fixed.{r_number(self.decay)}"]

    def to_r(self) -> str:
        extra = "" if self.type is None else f", type = {r_literal(self.type)}"
        return f"{self.r_name}({r_number(self.decay)}, fixed = TRUE{extra})"

    def check_directedness(self, directed: bool) -> None:
        resolve_type(self.to_r(), self.type, directed)

    def sampler_change(self, step: StepInputs):
        t = resolve_type(self.to_r(), self.type, step.directed)
        return sp_change, sp_params(t, self.kind, step.directed, focal_table(self.decay, step.n), counts=False)

    def statistic(self, step: StepInputs) -> np.ndarray:
        t = resolve_type(self.to_r(), self.type, step.directed)
        table = focal_table(self.decay, step.n)
        return sp_statistic(step, t, self.kind, lambda c: np.array([np.sum(table[c])]))


@dataclass(frozen=True)
class GWDSP(_GWSharedPartners):
    """``gwdsp(decay, fixed = TRUE)``: sum over pairs of ``exp(a) (1 - r^L)`` (name ``gwdsp.fixed.<a>``)."""

    decay: float
    fixed: bool = True
    type: str | None = None
    r_name = "gwdsp"


@dataclass(frozen=True)
class GWNSP(_GWSharedPartners):
    """``gwnsp(decay, fixed = TRUE)``: gwdsp minus gwesp, i.e. over the non-tied pairs."""

    decay: float
    fixed: bool = True
    type: str | None = None
    r_name = "gwnsp"
    kind = NONEDGEWISE
    stem = "gwnsp"


@dataclass(frozen=True)
class DGWDSP(GWDSP):
    """``dgwdsp``: ergm's name for the same term as ``gwdsp``."""

    r_name = "dgwdsp"


@dataclass(frozen=True)
class DGWNSP(GWNSP):
    """``dgwnsp``: ergm's name for the same term as ``gwnsp``."""

    r_name = "dgwnsp"


@dataclass(frozen=True)
class DGWESP(GWESP):
    """``dgwesp``: ergm's name for the same term as ``gwesp``."""

    r_name = "dgwesp"

    def to_r(self) -> str:
        return "d" + super().to_r()
