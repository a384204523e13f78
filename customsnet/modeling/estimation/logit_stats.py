"""Per-step sufficient statistics of a weighted logistic regression, in one fused pass.

Every estimator here (speedglm-parity IRLS, converged Newton, their bootstrap replicates) needs,
at a coefficient vector, the same four quantities over a block of rows: ``A = X'WX``,
``b = X'(Wz)``, the gradient ``g = X'w(y - mu)`` and the deviance. A bootstrap replicate stacks
whole time steps (possibly repeated), so its statistics are the per-step statistics summed with
the multiplicity of each step: only distinct drawn steps are ever visited, each once per
iteration. The kernel below computes the statistics for many (step, coefficient vector) pairs in
parallel (threads over chunks of pairs; the compiled kernel releases the GIL);
:class:`StackedRows` holds the design rows contiguously for it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numba
import numpy as np
from joblib import Parallel, delayed

from customsnet.modeling.design.design import Design

# Modes of the kernel: how (eta, mu) are obtained for each row.
MODE_R_CLAMPED = 0  # eta = x.beta with R's clamped logit family (speedglm / glm.fit parity)
MODE_R_START = 1  # mu = (w y + 0.5)/(w + 1), R's binomial initialize; beta ignored
MODE_EXACT = 2  # eta = x.beta with the exact logistic (converged Newton)

_EPS = np.finfo(np.float64).eps
_THRESH = 30.0


@dataclass
class StackedRows:
    """Design rows of all steps, concatenated; step ``s`` owns rows ``offsets[s]:offsets[s+1]``.

    The change statistics are kept column-major (``XT``, terms x rows), the layout the kernel
    streams through; ``X`` is its transposed view.
    """

    XT: np.ndarray
    y: np.ndarray
    w: np.ndarray
    offsets: np.ndarray
    #: statistics of these rows that do not depend on the coefficients (R's start values, step
    #: Gram matrices, the overlap rows), kept so bootstrap chunks and the point fit share them
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_design(cls, design: Design) -> StackedRows:
        """The design's rows; shares the design's :class:`RowStore` when it has one, else one copy."""
        sizes = np.array([len(s.y) for s in design.steps], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        shared = design.shared_columns()
        if shared is not None:
            return cls(*shared, offsets)
        # fill one column-major buffer step by step (no row-major stacked copy in between)
        p = len(design.names) if design.steps else 0
        XT = np.empty((p, int(offsets[-1])))
        y = np.empty(int(offsets[-1]))
        w = np.empty(int(offsets[-1]))
        for s, lo, hi in zip(design.steps, offsets[:-1], offsets[1:]):
            XT[:, lo:hi] = np.asarray(s.X, dtype=np.float64).T
            y[lo:hi] = s.y
            w[lo:hi] = s.w
        return cls(XT, y, w, offsets)

    @property
    def X(self) -> np.ndarray:
        """Rows x terms (a view)."""
        return self.XT.T

    @property
    def n_steps(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_params(self) -> int:
        return self.XT.shape[0]

    def with_weights(self, w: np.ndarray) -> StackedRows:
        """Same rows, other weights (a zero weight removes a row from every statistic)."""
        return StackedRows(self.XT, self.y, np.asarray(w, np.float64), self.offsets)

    def overlap(self, separated: np.ndarray) -> StackedRows:
        """These rows with the ``separated`` ones weighted 0 (one object per mask, so its memo is reused)."""
        separated = np.asarray(separated, dtype=bool)
        key = ("overlap", separated.tobytes())
        if key not in self.memo:
            self.memo[key] = self.with_weights(np.where(separated, 0.0, self.w))
        return self.memo[key]

    def step_of_row(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_steps), np.diff(self.offsets))


@dataclass
class PairStats:
    """Statistics per (step, coefficient-vector) pair, as returned by :func:`pair_statistics`."""

    A: np.ndarray  # (pairs, p, p)
    b: np.ndarray  # (pairs, p)
    g: np.ndarray  # (pairs, p)
    dev: np.ndarray  # (pairs,)


_BLOCK = 512  # rows per block: buffers stay in L1, inner loops vectorise

_rows_evaluated = [0]  # running total of rows streamed through the kernel in this process


def rows_evaluated() -> int:
    """Rows the kernel has streamed through so far in this process (benchmarks: design passes)."""
    return _rows_evaluated[0]


@numba.njit(nogil=True, cache=True)
def _row_weights(XT, y, w, lo, m, beta, mode, eta, Wb, Wzb, gb):  # pragma: no cover - compiled
    """Per-row IRLS weight ``W``, ``W z``, ``w (y - mu)`` for rows ``lo..lo+m``; returns the deviance."""
    p = XT.shape[0]
    eps = 2.220446049250313e-16
    for r in range(m):
        eta[r] = 0.0
    if mode != 1:
        for j in range(p):  # same order as R's sparse X %*% beta: column by column
            bj = beta[j]
            xj = XT[j, lo : lo + m]
            for r in range(m):
                eta[r] += xj[r] * bj
    dk = 0.0
    for r in range(m):
        wr = w[lo + r]
        yr = y[lo + r]
        if wr == 0.0:
            Wb[r] = 0.0
            Wzb[r] = 0.0
            gb[r] = 0.0
            continue
        et = eta[r]
        if mode == 2:
            # exact logistic, stable in both tails
            if et >= 0.0:
                e = np.exp(-et)
                mu = 1.0 / (1.0 + e)
                one_minus = e / (1.0 + e)
                sp_pos = np.log1p(e)  # log(1 + exp(-eta))
                sp_neg = et + sp_pos  # log(1 + exp(eta))
            else:
                e = np.exp(et)
                mu = e / (1.0 + e)
                one_minus = 1.0 / (1.0 + e)
                sp_neg = np.log1p(e)
                sp_pos = -et + sp_neg
            var = mu * one_minus
            Wr = wr * var
            resid = yr - mu
            zr = et + resid / var if var > 0.0 else et
            dk += 2.0 * wr * (sp_pos if yr == 1.0 else sp_neg)
        else:
            if mode == 1:
                # R's binomial initialize: mu0 = (w y + 0.5)/(w + 1), eta0 = logit(mu0)
                mu = (wr * yr + 0.5) / (wr + 1.0)
                et = np.log(mu / (1.0 - mu))
            # R's family.c: logit_linkinv and logit_mu_eta (clamped at |eta| > 30)
            if et < -30.0 or et > 30.0:
                if mode == 0:
                    tau = eps if et < -30.0 else 1.0 / eps
                    mu = tau / (1.0 + tau)
                mu_eta = eps
            else:
                ex = np.exp(et)
                if mode == 0:
                    mu = ex / (1.0 + ex)
                opexp = 1.0 + ex
                mu_eta = ex / (opexp * opexp)
            var = mu * (1.0 - mu)
            resid = yr - mu
            zr = et + resid / mu_eta
            Wr = wr * mu_eta * mu_eta / var
            # binomial dev.resids: 2 w [y log(y/mu) + (1-y) log((1-y)/(1-mu))]
            if yr != 0.0:
                dk += 2.0 * wr * yr * np.log(yr / mu)
            if yr != 1.0:
                dk += 2.0 * wr * (1.0 - yr) * np.log((1.0 - yr) / (1.0 - mu))
        Wb[r] = Wr
        Wzb[r] = Wr * zr
        gb[r] = wr * resid
    return dk


@numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _accumulate(XT, lo, m, Wb, Wzb, gb, Ak, bk, gk):  # pragma: no cover - compiled
    """Add one block's ``X'WX``, ``X'Wz``, ``X'w(y-mu)`` (reassociation lets the sums vectorise)."""
    p = XT.shape[0]
    for i in range(p):
        xi = XT[i, lo : lo + m]  # slices: plain unit-stride loops that LLVM vectorises
        sb = 0.0
        sg = 0.0
        for r in range(m):
            sb += Wzb[r] * xi[r]
            sg += gb[r] * xi[r]
        bk[i] += sb
        gk[i] += sg
        for j in range(i, p):
            xj = XT[j, lo : lo + m]
            s = 0.0
            for r in range(m):
                s += Wb[r] * xi[r] * xj[r]
            Ak[i, j] += s


@numba.njit(nogil=True, cache=True)
def _pair_kernel(XT, y, w, offsets, step_idx, beta_idx, B, mode):  # pragma: no cover - compiled
    n_pairs = step_idx.shape[0]
    p = XT.shape[0]
    A = np.zeros((n_pairs, p, p))
    b = np.zeros((n_pairs, p))
    g = np.zeros((n_pairs, p))
    dev = np.zeros(n_pairs)
    eta = np.empty(_BLOCK)
    Wb = np.empty(_BLOCK)
    Wzb = np.empty(_BLOCK)
    gb = np.empty(_BLOCK)
    for k in range(n_pairs):
        s = step_idx[k]
        beta = B[beta_idx[k]]
        Ak = np.zeros((p, p))
        bk = np.zeros(p)
        gk = np.zeros(p)
        dk = 0.0
        lo = offsets[s]
        hi = offsets[s + 1]
        while lo < hi:
            m = min(_BLOCK, hi - lo)
            dk += _row_weights(XT, y, w, lo, m, beta, mode, eta, Wb, Wzb, gb)
            _accumulate(XT, lo, m, Wb, Wzb, gb, Ak, bk, gk)
            lo += m
        for i in range(p):
            for j in range(i, p):
                A[k, i, j] = Ak[i, j]
                A[k, j, i] = Ak[i, j]
            b[k, i] = bk[i]
            g[k, i] = gk[i]
        dev[k] = dk
    return A, b, g, dev


def pair_statistics(
    rows: StackedRows, step_idx: np.ndarray, beta_idx: np.ndarray, B: np.ndarray, mode: int, n_jobs: int = 1
) -> PairStats:
    """Statistics of step ``step_idx[k]`` at coefficients ``B[beta_idx[k]]`` for every pair ``k``.

    With ``n_jobs > 1`` the pairs are split into chunks run on joblib threads.
    """
    step_idx = np.ascontiguousarray(step_idx, dtype=np.int64)
    beta_idx = np.ascontiguousarray(beta_idx, dtype=np.int64)
    B = np.ascontiguousarray(np.atleast_2d(B), dtype=np.float64)
    _rows_evaluated[0] += int(np.diff(rows.offsets)[step_idx].sum())

    def run(sl: slice) -> tuple:
        return _pair_kernel(rows.XT, rows.y, rows.w, rows.offsets, step_idx[sl], beta_idx[sl], B, int(mode))

    n_jobs = max(1, min(int(n_jobs), len(step_idx)))
    if n_jobs == 1:
        return PairStats(*run(slice(None)))
    # balance by rows, not by pairs: steps differ in size
    cost = np.cumsum(np.diff(rows.offsets)[step_idx])
    cuts = np.searchsorted(cost, cost[-1] * np.arange(1, n_jobs) / n_jobs)
    bounds = np.concatenate([[0], cuts, [len(step_idx)]])
    slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]
    parts = Parallel(n_jobs=len(slices), backend="threading")(delayed(run)(sl) for sl in slices)
    return PairStats(*(np.concatenate([part[i] for part in parts]) for i in range(4)))


def start_statistics(rows: StackedRows, steps: np.ndarray, n_jobs: int = 1) -> PairStats:
    """Per-step statistics at R's binomial start (:data:`MODE_R_START`), all steps, cached on ``rows``.

    Rows of steps not yet evaluated are zero until ``steps`` asks for them; each step is computed
    once per ``rows`` object (a pair's statistics do not depend on the other pairs evaluated with it).
    """
    p, T = rows.n_params, rows.n_steps
    cache = rows.memo.setdefault("start", {})
    if not cache:
        cache.update(
            done=np.zeros(T, bool),
            stats=PairStats(np.zeros((T, p, p)), np.zeros((T, p)), np.zeros((T, p)), np.zeros(T)),
        )
    todo = np.asarray(steps, dtype=np.int64)[~cache["done"][steps]]
    if len(todo):
        new = pair_statistics(rows, todo, np.zeros(len(todo), np.int64), np.zeros((1, p)), MODE_R_START, n_jobs)
        stats = cache["stats"]
        stats.A[todo], stats.b[todo], stats.g[todo], stats.dev[todo] = new.A, new.b, new.g, new.dev
        cache["done"][todo] = True  # after the values: a concurrent reader sees finished steps only
    return cache["stats"]


@dataclass
class ReplicateStats:
    """Statistics summed over each replicate's steps (with multiplicity)."""

    A: np.ndarray  # (R, p, p)
    b: np.ndarray  # (R, p)
    g: np.ndarray  # (R, p)
    dev: np.ndarray  # (R,)


def replicate_statistics(
    rows: StackedRows, counts: np.ndarray, B: np.ndarray, mode: int, n_jobs: int = 1
) -> ReplicateStats:
    """Sum of per-step statistics for each replicate ``r`` at ``B[r]``, steps weighted by ``counts[r]``.

    ``counts`` is (R, T'): how often each step is drawn in each replicate. Only steps with a
    positive count are evaluated. In :data:`MODE_R_START` the statistics do not depend on the
    coefficients, so every step is evaluated once and shared. Each replicate's sums depend only on
    its own counts and coefficients, not on the other rows of the batch.
    """
    counts = np.atleast_2d(np.asarray(counts))
    B = np.atleast_2d(np.asarray(B, dtype=np.float64))
    n_rep = counts.shape[0]
    p = rows.n_params
    rep_idx, step_idx = np.nonzero(counts > 0)
    if mode == MODE_R_START:
        per_step = start_statistics(rows, np.unique(step_idx), n_jobs)
        st = PairStats(per_step.A[step_idx], per_step.b[step_idx], per_step.g[step_idx], per_step.dev[step_idx])
    else:
        st = pair_statistics(rows, step_idx, rep_idx, B, mode, n_jobs)
    c = counts[rep_idx, step_idx].astype(np.float64)
    A = np.zeros((n_rep, p, p))
    b = np.zeros((n_rep, p))
    g = np.zeros((n_rep, p))
    dev = np.zeros(n_rep)
    # pairs are grouped by replicate in row-major order; add.at sums each replicate's steps in
    # step order whatever else is in the batch (a BLAS product's rounding can depend on the
    # batch's shape), so chunked, unchunked and cluster bootstraps give the same bits
    np.add.at(A, rep_idx, c[:, None, None] * st.A)
    np.add.at(b, rep_idx, c[:, None] * st.b)
    np.add.at(g, rep_idx, c[:, None] * st.g)
    np.add.at(dev, rep_idx, c * st.dev)
    return ReplicateStats(A, b, g, dev)
