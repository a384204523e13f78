"""MCMC sampler for the cross-sectional ERGM of one year (ergm's TNT Metropolis–Hastings).

The model of year *t* given its lagged networks and covariates is an undirected ERGM whose
dyad-independent part (``edges``, ``edgecov``, ``memory``, ``timecov``, ``nodecov``, ``absdiff`` …)
reduces to one symmetric matrix of log-odds contributions ``L[i, j] = Σ_k θ_k Δ_k(i, j)`` and whose
dependent part is ``gwesp(α, fixed)`` and ``gwdegree(α, fixed)``. The sampler keeps the adjacency,
the degree vector, the matrix of shared-partner counts, neighbour lists and an edge list up to
date after every accepted toggle, so each proposal costs O(degree) instead of a recount.

Directed models are supported too: arcs, ``edgecov``-type terms read at (tail, head), ``gwesp`` (OTP),
``gwidegree``, ``gwodegree`` and ``mutual``, with two-path counts and in/out lists kept incrementally.

Any other dependent term (triads, degree counts, shared partners of any type, attribute ``mutual`` …)
runs in the generic kernel (:class:`GenericChainState`): it keeps the dense adjacency and the edge
list and asks each dependent term's own per-dyad change function
(:meth:`~customsnet.modeling.terms.base.Term.sampler_change`) at every proposal, so a new term
needs no change here. :func:`simulation_inputs` picks the kernel by asking the terms.

Proposals are ergm's TNT (tie / no tie): with probability 1/2 (when the graph has edges) toggle off a
uniformly chosen edge, otherwise toggle a uniformly chosen dyad. The acceptance ratio includes the
proposal asymmetry, with the boundary cases of 0 and 1 edges handled exactly (see
:func:`tnt_log_q_ratio`).

Randomness comes from a seeded :class:`numpy.random.Generator`; the numba kernel only consumes
uniforms drawn from it, so a seed fixes the whole chain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numba
import numpy as np
import pandas as pd
import scipy.sparse as sp

from customsnet.modeling.terms.base import TermError

STAT_NAMES = ("edges", "gwesp", "gwdegree", "dyad_logodds")
DIRECTED_STAT_NAMES = ("edges", "gwesp", "gwidegree", "gwodegree", "mutual", "dyad_logodds")


class SimulationError(ValueError):
    """A model cannot be simulated (unsupported term, missing coefficient, bad start network)."""


@dataclass(frozen=True)
class ErgmModel:
    """An ERGM ready to simulate.

    ``dyad_logodds`` is the n×n matrix Σ_k θ_k Δ_k(i, j) of all dyad-independent terms, *including*
    the ``edges`` coefficient (the diagonal is ignored; ``-inf`` forbids a dyad); symmetric when
    undirected, read at (tail, head) when ``directed``. The dependence terms are given by coefficient
    and decay α (a coefficient of 0 switches a term off): undirected ``gwesp`` and ``gwdegree``;
    directed ``gwesp`` (OTP), ``gwidegree``, ``gwodegree`` and ``mutual``.
    """

    dyad_logodds: np.ndarray
    gwesp_coef: float = 0.0
    gwesp_decay: float = 0.0
    gwdegree_coef: float = 0.0
    gwdegree_decay: float = 0.0
    directed: bool = False
    gwidegree_coef: float = 0.0
    gwidegree_decay: float = 0.0
    gwodegree_coef: float = 0.0
    gwodegree_decay: float = 0.0
    mutual_coef: float = 0.0
    #: dependent terms the specialised kernels do not know, run by the generic kernel
    generic: tuple[SamplerTerm, ...] = ()

    def __post_init__(self) -> None:
        m = np.asarray(self.dyad_logodds, dtype=np.float64)
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise ValueError(f"dyad_logodds must be a square matrix, got shape {m.shape}")
        if np.isnan(m[~np.eye(m.shape[0], dtype=bool)]).any():
            raise ValueError("dyad_logodds has NaN off the diagonal (a covariate or coefficient is missing)")
        if self.directed:
            if self.gwdegree_coef != 0:
                raise ValueError("gwdegree is undefined on directed networks; use gwidegree / gwodegree")
        else:
            if not np.array_equal(m, m.T):
                raise ValueError("dyad_logodds must be symmetric for an undirected model")
            if self.gwidegree_coef != 0 or self.gwodegree_coef != 0 or self.mutual_coef != 0:
                raise ValueError("gwidegree, gwodegree and mutual need a directed model (directed=True)")
        if self.generic and any(
            getattr(self, f) != 0
            for f in ("gwesp_coef", "gwdegree_coef", "gwidegree_coef", "gwodegree_coef", "mutual_coef")
        ):
            raise ValueError("a model with generic sampler terms gives every dependent term as a SamplerTerm")
        object.__setattr__(self, "dyad_logodds", m)

    @property
    def n(self) -> int:
        return self.dyad_logodds.shape[0]

    @property
    def stat_names(self) -> tuple[str, ...]:
        if self.generic:
            return ("edges", *(name for t in self.generic for name in t.names), "dyad_logodds")
        return DIRECTED_STAT_NAMES if self.directed else STAT_NAMES


@dataclass(frozen=True)
class SamplerTerm:
    """A dependent term as the generic kernel runs it: the term, the step it was cut for (for its
    statistic), its numba change function and parameters, its coefficients and coefficient names."""

    term: object
    step: object
    func: object
    params: np.ndarray
    coef: np.ndarray
    names: tuple[str, ...]

    @classmethod
    def of(cls, term, step, coef: np.ndarray) -> SamplerTerm:
        func, params = term.sampler_change(step)
        return cls(
            term,
            step,
            func,
            np.ascontiguousarray(params, dtype=np.float64),
            np.asarray(coef, dtype=np.float64),
            tuple(term.coef_names(step.directed)),
        )

    def statistic(self, network: sp.csr_matrix) -> np.ndarray:
        return np.asarray(self.term.statistic(self.step.with_network(network)), dtype=np.float64)


@dataclass
class SimulationResult:
    """Sampled networks (``scipy.sparse.csr_matrix``, 0/1; symmetric when undirected) and their statistics."""

    networks: list[sp.csr_matrix]
    stats: pd.DataFrame  # one row per sample; columns ErgmModel.stat_names
    acceptance_rate: float
    seed: int
    burnin: int
    interval: int
    meta: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- exact statistics
def gw_decay_base(decay: float) -> float:
    """r = 1 − e^{−α}, the base of the geometric weights (0 when α = 0: indicator form)."""
    return 1.0 - math.exp(-decay)


def network_statistics(adjacency, model: ErgmModel) -> dict[str, float]:
    """g(Y) of a 0/1 network under ``model`` (vectorised), keyed by ``model.stat_names``.

    Undirected: edges, GWESP, GWD and Σ_{i<j} y_ij L_ij. Directed: arcs, GWESP (OTP: shared partners
    of i→j are the two-paths i→k→j), GWID, GWOD, mutual pairs and Σ_{i≠j} y_ij L_ij.
    """
    a = sp.csr_matrix(adjacency, dtype=np.float64)
    a.setdiag(0)
    a.eliminate_zeros()
    a.data[:] = 1.0
    if model.generic:
        ties = a.tocoo() if model.directed else sp.triu(a, k=1).tocoo()
        values = [float(ties.nnz)]
        for t in model.generic:
            values.extend(t.statistic(a).tolist())
        values.append(float(np.sum(model.dyad_logodds[ties.row, ties.col])))
        return dict(zip(model.stat_names, values))
    r_esp = gw_decay_base(model.gwesp_decay)
    if model.directed:
        arcs = a.tocoo()
        # two-paths on the arcs; arcs with none contribute e^α(1 − r^0) = 0, so sparsity is harmless
        otp = sp.csr_matrix((a @ a).multiply(a)).data
        indeg = np.asarray(a.sum(axis=0)).ravel()
        outdeg = np.asarray(a.sum(axis=1)).ravel()
        r_in, r_out = gw_decay_base(model.gwidegree_decay), gw_decay_base(model.gwodegree_decay)
        return {
            "edges": float(arcs.nnz),
            "gwesp": float(np.sum(math.exp(model.gwesp_decay) * (1.0 - r_esp**otp))),
            "gwidegree": float(np.sum(math.exp(model.gwidegree_decay) * (1.0 - r_in**indeg))),
            "gwodegree": float(np.sum(math.exp(model.gwodegree_decay) * (1.0 - r_out**outdeg))),
            "mutual": float(a.multiply(a.T).sum() / 2.0),
            "dyad_logodds": float(np.sum(model.dyad_logodds[arcs.row, arcs.col])),
        }
    upper = sp.triu(a, k=1).tocoo()
    degrees = np.asarray(a.sum(axis=1)).ravel()
    # shared partners of the edges; edges with none contribute e^α(1 − r^0) = 0, so sparsity is harmless
    sp_on_edges = sp.triu(sp.csr_matrix((a @ a).multiply(a)), k=1).data
    r_deg = gw_decay_base(model.gwdegree_decay)
    return {
        "edges": float(upper.nnz),
        "gwesp": float(np.sum(math.exp(model.gwesp_decay) * (1.0 - r_esp**sp_on_edges))),
        "gwdegree": float(np.sum(math.exp(model.gwdegree_decay) * (1.0 - r_deg**degrees))),
        "dyad_logodds": float(np.sum(model.dyad_logodds[upper.row, upper.col])),
    }


# --------------------------------------------------------------------------- numba kernel
@numba.njit(cache=True)
def tnt_log_q_ratio(m, d, adding):
    """log q(y'→y)/q(y→y') of ergm's TNT proposal for a toggle from a graph with ``m`` edges of ``d`` dyads.

    Removing an edge is proposed with probability ½/m + ½/d (edge draw or dyad draw); adding a
    dyad with ½/d, or 1/d when the graph is empty (then the edge draw is impossible).
    """
    if adding:
        forward = (1.0 if m == 0 else 0.5) / d
        backward = 0.5 / (m + 1) + 0.5 / d
    else:
        forward = 0.5 / m + 0.5 / d
        backward = (1.0 if m == 1 else 0.5) / d
    return math.log(backward / forward)


@numba.njit(cache=True)
def _append_to_list(lists, pos, count, owner, member):
    """Append ``member`` to ``owner``'s list (``pos`` holds each member's index)."""
    lists[owner, count[owner]] = member
    pos[owner, member] = count[owner]
    count[owner] += 1


@numba.njit(cache=True)
def _remove_from_list(lists, pos, count, owner, member):
    """Swap-remove ``member`` from ``owner``'s list (``pos`` holds each member's index)."""
    p = pos[owner, member]
    last = lists[owner, count[owner] - 1]
    lists[owner, p] = last
    pos[owner, last] = p
    count[owner] -= 1


@numba.njit(cache=True)
def _edge_list_add(elist, epos, a, b, n_edges):
    """Append edge (a, b) to the edge list; return the new edge count."""
    elist[n_edges, 0] = a
    elist[n_edges, 1] = b
    epos[a, b] = n_edges
    return n_edges + 1


@numba.njit(cache=True)
def _edge_list_remove(elist, epos, a, b, n_edges):
    """Swap-remove edge (a, b) from the edge list; return the new edge count."""
    p = epos[a, b]
    m = n_edges - 1
    elist[p, 0] = elist[m, 0]
    elist[p, 1] = elist[m, 1]
    epos[elist[p, 0], elist[p, 1]] = p
    epos[a, b] = -1
    return m


@numba.njit(cache=True)
def _toggle(i, j, adding, adj, deg, nbr, nbr_pos, sp_count, elist, epos, n_edges):
    """Apply a toggle and update degree, neighbour lists, shared partners and edge list; return new m."""
    if adding:
        # shared partners: k adjacent to j gains partner i with k's pair (i,k), and vice versa
        for t in range(deg[j]):
            k = nbr[j, t]
            sp_count[i, k] += 1
            sp_count[k, i] += 1
        for t in range(deg[i]):
            k = nbr[i, t]
            sp_count[j, k] += 1
            sp_count[k, j] += 1
        adj[i, j] = 1
        adj[j, i] = 1
        _append_to_list(nbr, nbr_pos, deg, i, j)
        _append_to_list(nbr, nbr_pos, deg, j, i)
        return _edge_list_add(elist, epos, min(i, j), max(i, j), n_edges)
    adj[i, j] = 0
    adj[j, i] = 0
    _remove_from_list(nbr, nbr_pos, deg, i, j)
    _remove_from_list(nbr, nbr_pos, deg, j, i)
    for t in range(deg[j]):
        k = nbr[j, t]
        sp_count[i, k] -= 1
        sp_count[k, i] -= 1
    for t in range(deg[i]):
        k = nbr[i, t]
        sp_count[j, k] -= 1
        sp_count[k, j] -= 1
    return _edge_list_remove(elist, epos, min(i, j), max(i, j), n_edges)


@numba.njit(cache=True, inline="always")
def _tnt_proposal(u, elist, n_edges, n):
    """ergm's TNT: with probability 1/2 an existing edge (if any), else a uniform random dyad."""
    if n_edges > 0 and u[0] < 0.5:
        e = min(int(u[1] * n_edges), n_edges - 1)
        return np.int64(elist[e, 0]), np.int64(elist[e, 1])
    i = min(int(u[1] * n), n - 1)
    j = min(int(u[2] * (n - 1)), n - 2)
    if j >= i:
        j += 1
    return np.int64(i), np.int64(j)


@numba.njit(cache=True)
def _mcmc(
    uniforms,
    adj,
    deg,
    nbr,
    nbr_pos,
    sp_count,
    elist,
    epos,
    n_edges,
    logodds,
    theta_esp,
    esp_exp,
    esp_rpow,
    theta_deg,
    deg_rpow,
    running,
):
    """Run ``len(uniforms)`` TNT proposals in place; ``running`` holds the four statistics.

    Returns (number of edges, number of accepted proposals).
    """
    n = adj.shape[0]
    n_dyads = n * (n - 1) // 2
    accepted = 0
    for step in range(uniforms.shape[0]):
        u = uniforms[step]
        i, j = _tnt_proposal(u, elist, n_edges, n)
        y = adj[i, j]
        # change statistics for adding (i, j) to the network without it
        d_esp = 0.0
        if theta_esp != 0.0:
            d_esp = esp_exp * (1.0 - esp_rpow[sp_count[i, j]])
            if deg[i] <= deg[j]:
                a, b = i, j
            else:
                a, b = j, i
            for t in range(deg[a]):
                k = nbr[a, t]
                if k != b and adj[b, k] == 1:
                    d_esp += esp_rpow[sp_count[i, k] - y] + esp_rpow[sp_count[j, k] - y]
        d_deg = 0.0
        if theta_deg != 0.0:
            d_deg = deg_rpow[deg[i] - y] + deg_rpow[deg[j] - y]
        d_ind = logodds[i, j]
        log_ratio = d_ind + theta_esp * d_esp + theta_deg * d_deg
        adding = y == 0
        if not adding:
            log_ratio = -log_ratio
        log_ratio += tnt_log_q_ratio(n_edges, n_dyads, adding)
        if log_ratio >= 0.0 or u[3] < math.exp(log_ratio):
            n_edges = _toggle(i, j, adding, adj, deg, nbr, nbr_pos, sp_count, elist, epos, n_edges)
            sign = 1.0 if adding else -1.0
            running[0] += sign
            running[1] += sign * d_esp
            running[2] += sign * d_deg
            running[3] += sign * d_ind
            accepted += 1
    return n_edges, accepted


@numba.njit(cache=True)
def _toggle_directed(i, j, adding, adj, outdeg, indeg, out_nbr, out_pos, in_nbr, in_pos, l2, elist, epos, n_edges):
    """Apply a toggle of arc i→j; update degrees, in/out lists, two-path counts and the arc list."""
    delta = 1 if adding else -1
    # two-paths through the arc: i→j→k for k in out(j), a→i→j for a in in(i) (unchanged by the toggle)
    for t in range(outdeg[j]):
        l2[i, out_nbr[j, t]] += delta
    for t in range(indeg[i]):
        l2[in_nbr[i, t], j] += delta
    if adding:
        adj[i, j] = 1
        _append_to_list(out_nbr, out_pos, outdeg, i, j)
        _append_to_list(in_nbr, in_pos, indeg, j, i)
        return _edge_list_add(elist, epos, i, j, n_edges)
    adj[i, j] = 0
    _remove_from_list(out_nbr, out_pos, outdeg, i, j)
    _remove_from_list(in_nbr, in_pos, indeg, j, i)
    return _edge_list_remove(elist, epos, i, j, n_edges)


@numba.njit(cache=True)
def _mcmc_directed(
    uniforms,
    adj,
    outdeg,
    indeg,
    out_nbr,
    out_pos,
    in_nbr,
    in_pos,
    l2,
    elist,
    epos,
    n_edges,
    logodds,
    theta_esp,
    esp_exp,
    esp_rpow,
    theta_in,
    in_rpow,
    theta_out,
    out_rpow,
    theta_mut,
    running,
):
    """TNT proposals on a directed network; ``running`` holds the six directed statistics."""
    n = adj.shape[0]
    n_dyads = n * (n - 1)
    accepted = 0
    for step in range(uniforms.shape[0]):
        u = uniforms[step]
        i, j = _tnt_proposal(u, elist, n_edges, n)
        y = adj[i, j]
        # change statistics for adding i→j to the network without it (ergm's espOTP_change)
        d_esp = 0.0
        if theta_esp != 0.0:
            d_esp = esp_exp * (1.0 - esp_rpow[l2[i, j]])
            for t in range(outdeg[i]):  # arcs i→k with j→k gain the path i→j→k
                k = out_nbr[i, t]
                if k != j and adj[j, k] == 1:
                    d_esp += esp_rpow[l2[i, k] - y]
            for t in range(indeg[j]):  # arcs k→j with k→i gain the path k→i→j
                k = in_nbr[j, t]
                if k != i and adj[k, i] == 1:
                    d_esp += esp_rpow[l2[k, j] - y]
        d_in = in_rpow[indeg[j] - y] if theta_in != 0.0 else 0.0
        d_out = out_rpow[outdeg[i] - y] if theta_out != 0.0 else 0.0
        d_mut = float(adj[j, i])
        d_ind = logodds[i, j]
        log_ratio = d_ind + theta_esp * d_esp + theta_in * d_in + theta_out * d_out + theta_mut * d_mut
        adding = y == 0
        if not adding:
            log_ratio = -log_ratio
        log_ratio += tnt_log_q_ratio(n_edges, n_dyads, adding)
        if log_ratio >= 0.0 or u[3] < math.exp(log_ratio):
            n_edges = _toggle_directed(
                i, j, adding, adj, outdeg, indeg, out_nbr, out_pos, in_nbr, in_pos, l2, elist, epos, n_edges
            )
            sign = 1.0 if adding else -1.0
            running[0] += sign
            running[1] += sign * d_esp
            running[2] += sign * d_in
            running[3] += sign * d_out
            running[4] += sign * d_mut
            running[5] += sign * d_ind
            accepted += 1
    return n_edges, accepted


# --------------------------------------------------------------------------- chain state
def _start_matrix(start, n: int) -> sp.csr_matrix:
    """The chain's start network as a loop-free ``n`` x ``n`` sparse matrix (shape checked)."""
    a = sp.csr_matrix(start, dtype=np.float64)
    if a.shape != (n, n):
        raise ValueError(f"start network has shape {a.shape}, model has {n} nodes")
    a.setdiag(0)
    a.eliminate_zeros()
    return a


def _start_ties(start, model: ErgmModel) -> tuple[sp.csr_matrix, sp.coo_matrix]:
    """The checked start network and its ties: the arcs when directed, else the upper triangle."""
    a = _start_matrix(start, model.n)
    if not model.directed and (a != a.T).nnz:
        raise ValueError("start network must be symmetric (undirected model)")
    ties = a.tocoo() if model.directed else sp.triu(a, k=1).tocoo()
    if np.isneginf(model.dyad_logodds)[ties.row, ties.col].any():
        raise ValueError("start network has ties on dyads the model forbids (log-odds -inf)")
    return a, ties


class _Chain:
    """What every chain state shares: the dense adjacency, the edge list the TNT proposal draws
    from, the log-odds the kernel reads, :meth:`run` and :meth:`network`. A subclass sets up its
    kernel's own state and implements :meth:`_propose`."""

    model: ErgmModel
    elist: np.ndarray
    n_edges: int

    def _set_adjacency(self, ties: sp.coo_matrix) -> None:
        n = self.model.n
        self.adj = np.zeros((n, n), dtype=np.uint8)
        self.adj[ties.row, ties.col] = 1
        if not self.model.directed:
            self.adj[ties.col, ties.row] = 1

    def _set_edge_list(self, rows: np.ndarray, cols: np.ndarray) -> None:
        """Edges (undirected: ``a < b``) or arcs in the given order, which fixes the chain's draws."""
        n = self.model.n
        n_dyads = n * (n - 1) if self.model.directed else n * (n - 1) // 2
        self.elist = np.zeros((max(n_dyads, 1), 2), dtype=np.int32)
        self.epos = np.full((n, n), -1, dtype=np.int32)
        self.n_edges = len(rows)
        self.elist[: self.n_edges, 0] = rows
        self.elist[: self.n_edges, 1] = cols
        self.epos[rows, cols] = np.arange(self.n_edges, dtype=np.int32)

    def _set_statistics(self, a: sp.csr_matrix, names: Sequence[str]) -> None:
        """The running statistics of the start network and the log-odds matrix the kernel reads."""
        stats = network_statistics(a, self.model)
        self.running = np.array([stats[k] for k in names], dtype=np.float64)
        # diagonal never proposed; keep it finite so the kernel never reads NaN
        self.logodds = self.model.dyad_logodds.copy()
        np.fill_diagonal(self.logodds, 0.0)

    def run(self, n_steps: int, rng: np.random.Generator) -> int:
        """Make ``n_steps`` TNT proposals; return the number accepted."""
        if n_steps <= 0:
            return 0
        self.n_edges, accepted = self._propose(rng.random((n_steps, 4)))
        return int(accepted)

    def _propose(self, uniforms: np.ndarray) -> tuple[int, int]:
        """Run the kernel on one row of ``uniforms`` per proposal: (edges after, proposals accepted)."""
        raise NotImplementedError

    def network(self) -> sp.csr_matrix:
        """The current network as a sparse 0/1 matrix (row = tail, column = head; symmetric when undirected)."""
        e = self.elist[: self.n_edges]
        n = self.model.n
        rows, cols = e[:, 0], e[:, 1]
        if not self.model.directed:
            rows, cols = np.r_[rows, cols], np.r_[cols, rows]
        return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


class ChainState(_Chain):
    """Incremental state of one undirected chain: adjacency, degrees, neighbour lists, shared partners, edges."""

    def __init__(self, start, model: ErgmModel):
        n = model.n
        self.model = model
        a, upper = _start_ties(start, model)
        self._set_adjacency(upper)
        self.deg = self.adj.sum(axis=1).astype(np.int64)
        self.nbr = np.zeros((n, max(n - 1, 1)), dtype=np.int32)
        self.nbr_pos = np.full((n, n), -1, dtype=np.int32)
        for v in range(n):
            nb = np.flatnonzero(self.adj[v]).astype(np.int32)
            self.nbr[v, : nb.size] = nb
            self.nbr_pos[v, nb] = np.arange(nb.size, dtype=np.int32)
        a_int = self.adj.astype(np.int32)
        self.sp_count = a_int @ a_int  # common neighbours of every pair (diagonal unused)
        np.fill_diagonal(self.sp_count, 0)
        self._set_edge_list(upper.row, upper.col)
        self._set_statistics(a, STAT_NAMES)
        self.esp_rpow = gw_decay_base(model.gwesp_decay) ** np.arange(n + 1, dtype=np.float64)
        self.deg_rpow = gw_decay_base(model.gwdegree_decay) ** np.arange(n + 1, dtype=np.float64)

    def _propose(self, uniforms: np.ndarray) -> tuple[int, int]:
        m = self.model
        return _mcmc(
            uniforms,
            self.adj,
            self.deg,
            self.nbr,
            self.nbr_pos,
            self.sp_count,
            self.elist,
            self.epos,
            self.n_edges,
            self.logodds,
            float(m.gwesp_coef),
            math.exp(m.gwesp_decay),
            self.esp_rpow,
            float(m.gwdegree_coef),
            self.deg_rpow,
            self.running,
        )


class DirectedChainState(_Chain):
    """Incremental state of one directed chain: adjacency, in/out lists and degrees, two-paths, arcs."""

    def __init__(self, start, model: ErgmModel):
        n = model.n
        self.model = model
        a, arcs = _start_ties(start, model)
        self._set_adjacency(arcs)
        self.outdeg = self.adj.sum(axis=1).astype(np.int64)
        self.indeg = self.adj.sum(axis=0).astype(np.int64)
        width = max(n - 1, 1)
        self.out_nbr = np.zeros((n, width), dtype=np.int32)
        self.in_nbr = np.zeros((n, width), dtype=np.int32)
        self.out_pos = np.full((n, n), -1, dtype=np.int32)
        self.in_pos = np.full((n, n), -1, dtype=np.int32)
        for v in range(n):
            out = np.flatnonzero(self.adj[v]).astype(np.int32)
            self.out_nbr[v, : out.size] = out
            self.out_pos[v, out] = np.arange(out.size, dtype=np.int32)
            inn = np.flatnonzero(self.adj[:, v]).astype(np.int32)
            self.in_nbr[v, : inn.size] = inn
            self.in_pos[v, inn] = np.arange(inn.size, dtype=np.int32)
        a_int = self.adj.astype(np.int32)
        self.l2 = a_int @ a_int  # two-paths i→k→j (diagonal unused)
        self._set_edge_list(*np.nonzero(self.adj))
        self._set_statistics(a, DIRECTED_STAT_NAMES)
        powers = np.arange(n + 1, dtype=np.float64)
        self.esp_rpow = gw_decay_base(model.gwesp_decay) ** powers
        self.in_rpow = gw_decay_base(model.gwidegree_decay) ** powers
        self.out_rpow = gw_decay_base(model.gwodegree_decay) ** powers

    def _propose(self, uniforms: np.ndarray) -> tuple[int, int]:
        m = self.model
        return _mcmc_directed(
            uniforms,
            self.adj,
            self.outdeg,
            self.indeg,
            self.out_nbr,
            self.out_pos,
            self.in_nbr,
            self.in_pos,
            self.l2,
            self.elist,
            self.epos,
            self.n_edges,
            self.logodds,
            float(m.gwesp_coef),
            math.exp(m.gwesp_decay),
            self.esp_rpow,
            float(m.gwidegree_coef),
            self.in_rpow,
            float(m.gwodegree_coef),
            self.out_rpow,
            float(m.mutual_coef),
            self.running,
        )


# --------------------------------------------------------------------------- generic kernel
_GENERIC_KERNELS: dict[tuple, object] = {}

_GENERIC_TEMPLATE = """
def kernel(uniforms, adj, elist, epos, n_edges, logodds, directed, theta, bounds, buf, running, {params}):
    n = adj.shape[0]
    n_dyads = n * (n - 1) if directed else n * (n - 1) // 2
    n_stats = buf.shape[0]
    accepted = 0
    for step in range(uniforms.shape[0]):
        u = uniforms[step]
        i, j = _tnt_proposal(u, elist, n_edges, n)
        y = adj[i, j]
        buf[:] = 0.0
{calls}
        d_ind = logodds[i, j]
        log_ratio = d_ind
        for k in range(n_stats):
            log_ratio += theta[k] * buf[k]
        adding = y == 0
        if not adding:
            log_ratio = -log_ratio
        log_ratio += tnt_log_q_ratio(n_edges, n_dyads, adding)
        if log_ratio >= 0.0 or u[3] < math.exp(log_ratio):
            a, b = i, j
            if not directed and a > b:
                a, b = j, i
            if adding:
                adj[i, j] = 1
                if not directed:
                    adj[j, i] = 1
                n_edges = _edge_list_add(elist, epos, a, b, n_edges)
            else:
                adj[i, j] = 0
                if not directed:
                    adj[j, i] = 0
                n_edges = _edge_list_remove(elist, epos, a, b, n_edges)
            sign = 1.0 if adding else -1.0
            running[0] += sign
            for k in range(n_stats):
                running[1 + k] += sign * buf[k]
            running[1 + n_stats] += sign * d_ind
            accepted += 1
    return n_edges, accepted
"""


def generic_kernel(funcs: tuple) -> object:
    """The TNT kernel that calls the given per-dyad change functions in order (compiled once per tuple).

    Numba cannot loop over a heterogeneous tuple of functions, so the kernel's source lists one
    call per term; everything else (proposal, acceptance, bookkeeping) is shared.
    """
    if funcs not in _GENERIC_KERNELS:
        calls = "\n".join(f"        f{k}(adj, i, j, p{k}, buf[bounds[{k}]:bounds[{k + 1}]])" for k in range(len(funcs)))
        source = _GENERIC_TEMPLATE.format(params=", ".join(f"p{k}" for k in range(len(funcs))), calls=calls)
        env = {
            "math": math,
            "_tnt_proposal": _tnt_proposal,
            "tnt_log_q_ratio": tnt_log_q_ratio,
            "_edge_list_add": _edge_list_add,
            "_edge_list_remove": _edge_list_remove,
        }
        env.update({f"f{k}": f for k, f in enumerate(funcs)})
        exec(compile(source, f"<generic TNT kernel for {len(funcs)} terms>", "exec"), env)  # noqa: S102 (our template)
        _GENERIC_KERNELS[funcs] = numba.njit(env["kernel"])
    return _GENERIC_KERNELS[funcs]


class GenericChainState(_Chain):
    """Chain state for any dependent terms: dense adjacency and the arc/edge list.

    Each proposal asks every dependent term's own change function for the toggled dyad, from the
    current state (exact, O(n) or so per term and proposal instead of an incremental update).
    """

    def __init__(self, start, model: ErgmModel):
        self.model = model
        a, ties = _start_ties(start, model)
        self._set_adjacency(ties)
        self._set_edge_list(ties.row, ties.col)
        self._set_statistics(a, model.stat_names)
        self.theta = np.concatenate([t.coef for t in model.generic])
        self.bounds = np.cumsum([0] + [len(t.coef) for t in model.generic]).astype(np.int64)
        self.buf = np.zeros(len(self.theta))
        self.kernel = generic_kernel(tuple(t.func for t in model.generic))

    def _propose(self, uniforms: np.ndarray) -> tuple[int, int]:
        return self.kernel(
            uniforms,
            self.adj,
            self.elist,
            self.epos,
            self.n_edges,
            self.logodds,
            self.model.directed,
            self.theta,
            self.bounds,
            self.buf,
            self.running,
            *(t.params for t in self.model.generic),
        )


def chain_state(start, model: ErgmModel) -> ChainState | DirectedChainState | GenericChainState:
    """The incremental chain state matching the model: the generic one when it has generic terms."""
    if model.generic:
        return GenericChainState(start, model)
    return DirectedChainState(start, model) if model.directed else ChainState(start, model)


def simulate(
    model: ErgmModel,
    start,
    nsim: int,
    seed: int,
    burnin: int = 10_000,
    interval: int = 1_000,
    keep_networks: bool = True,
    chunk: int = 1_000_000,
    on_draw: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Draw ``nsim`` networks from ``model`` by TNT Metropolis–Hastings.

    The chain starts at ``start`` (btergm: the observed target network itself; honest prediction:
    the year t−1 network), makes ``burnin`` proposals, then records a network after every
    ``interval`` further proposals (ergm's ``MCMC.burnin`` / ``MCMC.interval``). ``keep_networks=False``
    keeps only the statistics (cheaper for long chains). Proposals are run in chunks of at most
    ``chunk`` to bound the memory of the uniforms. ``on_draw(1)`` is called after each draw
    (a progress bar's ``advance``); it does not touch the generator.
    """
    if nsim < 1 or interval < 1 or burnin < 0:
        raise ValueError(f"need nsim >= 1, interval >= 1 and burnin >= 0 (got {nsim}, {interval}, {burnin})")
    if model.n < 2:
        raise ValueError("a network needs at least two nodes to simulate")
    rng = np.random.default_rng(seed)
    state = chain_state(start, model)

    def advance(steps: int) -> int:
        done = 0
        while steps > 0:
            k = min(steps, chunk)
            done += state.run(k, rng)
            steps -= k
        return done

    accepted = advance(burnin)
    networks: list[sp.csr_matrix] = []
    stats = np.empty((nsim, len(model.stat_names)))
    for s in range(nsim):
        accepted += advance(interval)
        stats[s] = state.running
        if keep_networks:
            networks.append(state.network())
        if on_draw is not None:
            on_draw(1)
    total = burnin + nsim * interval
    return SimulationResult(
        networks=networks,
        stats=pd.DataFrame(stats, columns=list(model.stat_names)),
        acceptance_rate=accepted / total if total else 0.0,
        seed=seed,
        burnin=burnin,
        interval=interval,
    )


# --------------------------------------------------------------------------- from a formula
@dataclass
class YearModel:
    """The simulable model of one panel year and the networks a chain may start from.

    ``observed`` is the year's own network (btergm's start and the prediction target) and
    ``previous`` the year t−1 network on the same nodes (the honest start; ``None`` if the year is
    the panel's first). ``nodes`` are the labels kept by the design's composition rule. ``step`` is
    the year's term inputs and ``dependent`` the dependent terms with their coefficients, so the
    conditional log-odds under any network can be recomputed from the formula's own change statistics.
    """

    year: int
    nodes: np.ndarray
    model: ErgmModel
    observed: sp.csr_matrix
    previous: sp.csr_matrix | None
    step: object = None
    dependent: tuple = ()

    def conditional_logodds(self, network, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """θᵀΔ_ij for the dyads ``(tail, head)`` with the rest of the network at ``network``.

        The dyad-independent part comes from ``model.dyad_logodds``; every dependent term adds its
        own change statistics computed on ``network`` (so no dependent term is ever left out).
        """
        eta = self.model.dyad_logodds[tail, head].astype(np.float64)
        if self.dependent:
            at = self.step.with_network(sp.csr_matrix(network))
            for term, coef in self.dependent:
                eta = eta + term.change_stats(at, tail, head) @ coef
        return eta


def coefficient_vector(coefs, names: Sequence[str]) -> np.ndarray:
    """Coefficients aligned to ``names`` from a mapping / Series (by name) or a sequence (by position).

    Objects with a ``params`` attribute (a fit result) are read through it.
    """
    if hasattr(coefs, "params"):
        coefs = coefs.params
    if isinstance(coefs, (Mapping, pd.Series)):
        missing = [n for n in names if n not in coefs]
        if missing:
            raise SimulationError(f"no coefficient for {missing} (have: {list(coefs.keys())})")
        return np.array([float(coefs[n]) for n in names])
    values = np.asarray(coefs, dtype=np.float64).ravel()
    if values.size != len(names):
        raise SimulationError(f"{values.size} coefficients for {len(names)} terms {list(names)}")
    return values


def model_formula(fit, formula=None, caller: str = "this function"):
    """The :class:`~customsnet.modeling.terms.formula.Formula` of an after-fit call.

    ``formula`` when given, else the one the fit result carries; bare coefficients need ``formula=``.
    """
    from customsnet.modeling.terms.formula import as_formula

    if formula is None:
        formula = getattr(fit, "formula", None)
        if not formula:
            raise ValueError(f"{caller} needs the model formula: pass formula=, or a fit result that carries it")
    return as_formula(formula)


def simulation_inputs(
    fit, panel, *, formula=None, year: int, missing: str = "error", btergm_window_start: int | None = None
) -> YearModel:
    """Build the simulable ERGM of ``year`` from a fit (or coefficients), a :class:`Panel` and its formula.

    ``fit`` is a fit result, a mapping of coefficients by name or a vector in formula order;
    ``formula`` defaults to the fit's own.

    Every dyad-independent term (edges, edgecov, memory, timecov, nodecov, absdiff, …) is evaluated
    for all dyads of the year with the design's own term code and collapsed into
    ``L = Σ_k θ_k Δ_k``; every dependent term (``term.dependent``) becomes a dependence term of the
    sampler (:func:`sampler_model`). The node
    set and lagged networks are cut exactly as :func:`~customsnet.modeling.design.build.build_design` does.
    An ``offset()`` term keeps its fixed coefficient; ``-Inf`` on a dyad-independent offset gives
    ``-inf`` entries of ``L`` (structural zeros: the sampler never proposes them, prediction gives
    them probability 0). Other non-finite coefficients are refused. ``missing`` is the design's
    missing-value policy (``"error"``, ``"drop-nodes"``, ``"impute-zero"``, ``"impute-mode"``),
    applied as ``build_design`` applies it.

    ``timecov`` reads the year's calendar position in the panel's year list (the fit's clock). Only
    to reproduce btergm's out-of-sample ``gof(fit, formula = nets[k:l] ~ ...)`` numbers, which count
    positions inside the new list, give ``btergm_window_start=<year k>``: the panel is cut to the years
    ``k..year`` first, so ``timecov`` sees position ``year - k + 1`` of ``T = year - k + 1`` steps (btergm's
    re-indexing quirk, spec §10.16; e.g. ``nets[7:8]`` multiplies year 8 by 2, not 8).
    """
    from customsnet.modeling.design.build import restrict_network, step_inputs
    from customsnet.modeling.terms.base import all_dyads
    from customsnet.modeling.terms.offset import Offset, fixed_product

    if btergm_window_start is not None:
        window = [y for y in panel.years if btergm_window_start <= y <= year]
        if not window or window[0] != btergm_window_start or window[-1] != year:
            raise SimulationError(
                f"btergm_window_start={btergm_window_start}: the window {btergm_window_start}-{year} must start "
                f"and end at panel years ({panel.years[0]}-{panel.years[-1]})"
            )
        panel = panel.subset_years(window)
    formula = model_formula(fit, formula, "simulation_inputs").for_panel(panel)
    names = formula.coef_names(panel.directed)
    theta = coefficient_vector(fit, names)
    structural = {
        n for t in formula.terms if isinstance(t, Offset) and not t.dependent for n in t.coef_names(panel.directed)
    }
    if not all(np.isfinite(v) or (n in structural and v == -np.inf) for n, v in zip(names, theta)):
        bad = [n for n, v in zip(names, theta) if not np.isfinite(v)]
        raise SimulationError(
            f"coefficients {bad} are not finite (NaN: not identified by the MPLE, e.g. under separation; "
            f"±Inf: offsets); a model with them cannot be simulated — refit with estimator 'btergm' or drop the term"
        )
    if year not in panel.years:
        raise SimulationError(f"year {year} is not in the panel ({panel.years[0]}-{panel.years[-1]})")
    year_index = panel.years.index(year)
    if year_index < formula.max_lag:
        raise SimulationError(f"year {year} has no predecessor {formula.max_lag} year(s) back for the temporal terms")
    step = step_inputs(panel, formula, year, missing=missing)
    labels = step.nodes
    n = step.n
    tail, head = all_dyads(n, directed=panel.directed)
    logodds = np.zeros((n, n))
    dependent: list[tuple] = []
    k = 0
    for term in formula.terms:
        width = term.n_stats
        coef = theta[k : k + width]
        k += width
        if term.dependent:
            dependent.append((term, coef))
            continue
        delta = fixed_product(term.change_stats(step, tail, head), coef)
        if np.isposinf(delta).any():
            raise SimulationError(f"term {term.to_r()}: an infinite offset forces ties, which the sampler cannot hold")
        if np.isnan(delta).any():
            raise SimulationError(f"term {term.to_r()} has missing values in year {year}")
        logodds[tail, head] += delta
    if not panel.directed:
        logodds = logodds + logodds.T
    model = sampler_model(logodds, panel.directed, step, dependent)
    previous = None
    if year_index > 0:
        prev_year = panel.years[year_index - 1]
        previous = restrict_network(panel.network(formula.lhs, prev_year), panel.nodes[prev_year], labels)
    return YearModel(
        year=year,
        nodes=step.nodes,
        model=model,
        observed=step.network,
        previous=previous,
        step=step,
        dependent=tuple(dependent),
    )


def sampler_model(logodds: np.ndarray, directed: bool, step, dependent: Sequence[tuple]) -> ErgmModel:
    """The :class:`ErgmModel` for dyad-independent log-odds and dependent ``(term, coef)`` pairs.

    When every dependent term maps onto the specialised incremental kernels (gwesp, gwdegree,
    gwidegree, gwodegree, mutual; each term says so itself) those are used; otherwise every
    dependent term runs through the generic kernel with its own per-dyad change function.
    """
    fields: dict[str, float] = {}
    for term, coef in dependent:
        own = term.fast_sampler_fields(coef)
        if own is None or set(own) & set(fields):
            break
        fields.update(own)
    else:
        return ErgmModel(logodds, directed=directed, **fields)
    try:
        generic = tuple(SamplerTerm.of(term, step, coef) for term, coef in dependent)
    except TermError as exc:
        raise SimulationError(str(exc)) from None
    return ErgmModel(logodds, directed=directed, generic=generic)
