"""btergm's logit fit, reproduced exactly: speedglm's IRLS (and glm.fit as its bootstrap fallback).

btergm reports wherever ``speedglm.wfit`` stopped, which under separation is an artefact of the
start values, R's clamped logit link, the relative-deviance stop at 1e-8 and the 25-iteration cap
(spec §5). Every one of those is reproduced here. The fit runs for many replicates at once: each
replicate is a vector of step multiplicities, and each iteration evaluates only the distinct
steps it draws (:mod:`customsnet.modeling.estimation.logit_stats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla
from scipy.linalg import lapack

from customsnet.modeling.estimation.logit_stats import (
    MODE_R_CLAMPED,
    MODE_R_START,
    StackedRows,
    pair_statistics,
    replicate_statistics,
)

ACC = 1e-8
MAXIT = 25
TOL_VALUES = 1e-7
TOL_VECTORS = 1e-7
TOL_SOLVE = float(np.finfo(np.float64).eps)
GLM_EPSILON = 1e-8
GLM_QR_TOL = 1e-11  # glm.fit: min(1e-7, epsilon / 1000)
#: largest change of any overlap row's linear predictor for which its cached statistics are reused.
#: The IRLS step from the cached statistics differs from a fresh one only at second order in that
#: change (~1e-10), the deviance (corrected to second order) at third order; on the reference
#: cases identified replicate coefficients move by < 3e-14, the separated ones by the same ~7e-8 as
#: from merely summing the row groups in another order.
ETA_REUSE_TOL = 1e-5


class SingularSystemError(np.linalg.LinAlgError):
    """R's ``solve()`` would stop: the system is (computationally) singular."""


@dataclass
class IRLSOutcome:
    """One logit fit: coefficients (NaN where a column was dropped), iterations, final tolerance."""

    coef: np.ndarray
    iterations: int
    tol: float
    converged: bool
    deviance: float
    dropped: list[int] = field(default_factory=list)
    method: str = "speedglm"
    error: str | None = None


def r_solve(A: np.ndarray, b: np.ndarray, tol: float = TOL_SOLVE) -> np.ndarray:
    """``solve(A, b, tol)`` as R does it: LAPACK LU, then stop if rcond (1-norm) < ``tol``."""
    A = np.asarray(A, dtype=np.float64)
    lu, piv, info = lapack.dgetrf(A)
    if info > 0:
        raise SingularSystemError(f"Lapack routine dgesv: system is exactly singular: U[{info},{info}] = 0")
    anorm = float(np.abs(A).sum(axis=0).max())
    rcond, _ = lapack.dgecon(lu, anorm, norm="1")
    if rcond < tol:
        raise SingularSystemError(f"system is computationally singular: reciprocal condition number = {rcond:g}")
    x, _ = lapack.dgetrs(lu, piv, np.asarray(b, dtype=np.float64))
    return x


def eigen_rank_check(A: np.ndarray, tol_values: float = TOL_VALUES, tol_vectors: float = TOL_VECTORS) -> np.ndarray:
    """speedglm's ``control(method = "eigen")``: the kept column indices of ``A``.

    While some eigenvalue is below ``tol_values`` in absolute value, the column with the last
    non-negligible loading in the eigenvector of the smallest eigenvalue is dropped. As in R, the
    dropped positions refer to the shrinking matrix but are removed from the original index
    vector (a quirk that only matters with two or more collinearities).
    """
    n = A.shape[0]
    ncoll = int(np.sum(np.abs(np.linalg.eigvalsh(A)) < tol_values))
    B = A
    nok: list[int] = []
    while ncoll != 0:
        vals, vecs = np.linalg.eigh(B)  # ascending: column 0 is R's last (smallest) eigenvector
        loading = np.flatnonzero(np.abs(vecs[:, 0]) >= tol_vectors)
        coll = int(loading[-1])
        B = np.delete(np.delete(B, coll, axis=0), coll, axis=1)
        nok.append(coll)
        ncoll = int(np.sum(np.abs(vals) < tol_values)) - 1
    return np.delete(np.arange(n), nok) if nok else np.arange(n)


def qr_rank_columns(A: np.ndarray, tol: float = GLM_QR_TOL) -> np.ndarray:
    """Columns kept by R's ``dqrdc2`` pivoting, computed on the Gram matrix ``A = X'WX``.

    A column is aliased when its norm after projection on the earlier kept columns falls below
    ``tol`` times its own norm; aliased columns go to the end with coefficient NA. On the Gram
    matrix the squared residual is only accurate to about ``eps * A_jj``, so the effective
    relative threshold is ``max(tol, 1e-7)`` (R applies 1e-11 to the QR of the rows).
    """
    rel = max(tol, 1e-7)
    keep: list[int] = []
    for j in range(A.shape[0]):
        ajj = A[j, j]
        if ajj <= 0:
            continue
        if keep:
            K = np.array(keep)
            coef = np.linalg.solve(A[np.ix_(K, K)], A[K, j])
            resid = ajj - A[j, K] @ coef
        else:
            resid = ajj
        if np.sqrt(max(resid, 0.0)) >= rel * np.sqrt(ajj):
            keep.append(j)
    return np.array(keep, dtype=np.int64)


@dataclass
class SplitRows:
    """The rows split for speedglm under separation: overlap rows (cacheable) and separated rows.

    Under separation speedglm keeps iterating (up to 25 times) while the coefficients run off
    along the recession directions; the overlap rows are orthogonal to those directions (they
    span the complement of the null space ``N``), so once the identified part has converged their
    linear predictors, and with them their IRLS statistics and deviance, no longer change. Only
    the few separated rows need evaluating then. A step's overlap statistics are reused while
    every overlap row's ``|x.(beta - beta_cached)|`` is provably below :data:`ETA_REUSE_TOL`,
    bounded per step by ``sum_j M_j |(P d)_j| + sum_k E_k |(N d)_k|`` (``P = I - N'N``, ``M_j`` the
    largest ``|x_j|`` and ``E_k`` the largest ``|x.n_k|`` over the step's overlap rows).
    """

    overlap: StackedRows  # all rows, separated ones with weight 0
    separated: StackedRows  # only the separated rows, same steps
    null: np.ndarray  # (m, p) orthonormal null space of the overlap rows
    col_max: np.ndarray  # (T', p) max |x_rj| over the step's overlap rows
    null_resid: np.ndarray  # (T', m) max |x_r . n_k| over the step's overlap rows

    @classmethod
    def from_separation(cls, rows: StackedRows, separated: np.ndarray, null: np.ndarray) -> SplitRows:
        separated = np.asarray(separated, dtype=bool)
        null = np.asarray(null, dtype=np.float64).reshape(-1, rows.n_params)
        sep_idx = np.flatnonzero(separated)
        sep_offsets = np.searchsorted(sep_idx, rows.offsets).astype(np.int64)
        sep = StackedRows(np.ascontiguousarray(rows.XT[:, sep_idx]), rows.y[sep_idx], rows.w[sep_idx], sep_offsets)
        w_ov = np.where(separated, 0.0, rows.w)
        col_max = np.zeros((rows.n_steps, rows.n_params))
        null_resid = np.zeros((rows.n_steps, len(null)))
        for s in range(rows.n_steps):
            lo, hi = rows.offsets[s], rows.offsets[s + 1]
            live = w_ov[lo:hi] > 0
            if not live.any():
                continue
            XTs = rows.XT[:, lo:hi][:, live]
            col_max[s] = np.abs(XTs).max(axis=1)
            if len(null):
                null_resid[s] = np.abs(null @ XTs).max(axis=1)
        return cls(rows.with_weights(w_ov), sep, null, col_max, null_resid)

    def eta_change_bound(self, steps: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """Upper bound of ``max |x_r . delta[k]|`` over the overlap rows of ``steps[k]``, per pair ``k``."""
        # einsum, not BLAS: the bound of a pair must not depend on how many pairs are in the batch
        along = np.einsum("kp,mp->km", delta, self.null)  # (k, m)
        across = delta - np.einsum("km,mp->kp", along, self.null)
        return np.abs(across * self.col_max[steps]).sum(axis=1) + np.abs(along * self.null_resid[steps]).sum(axis=1)


class _CachedStatistics:
    """speedglm's per-iteration ``A, b, dev`` with overlap statistics cached per (replicate, step)."""

    def __init__(
        self, rows: StackedRows, split: SplitRows | None, counts: np.ndarray, n_jobs: int, reuse_tol: float
    ) -> None:
        self.rows, self.split, self.counts, self.n_jobs, self.reuse_tol = rows, split, counts, n_jobs, reuse_tol
        n_rep, n_steps = counts.shape
        p = rows.n_params
        if split is not None:
            self.beta_c = np.full((n_rep, n_steps, p), np.nan)
            self.A_c = np.zeros((n_rep, n_steps, p, p))
            self.b_c = np.zeros((n_rep, n_steps, p))
            self.g_c = np.zeros((n_rep, n_steps, p))
            self.dev_c = np.zeros((n_rep, n_steps))

    def __call__(self, idx: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``A, b, dev`` of replicates ``idx`` at coefficients ``beta`` (one row per replicate)."""
        rows, split = self.rows, self.split
        if split is None:
            st = replicate_statistics(rows, self.counts[idx], beta, MODE_R_CLAMPED, self.n_jobs)
            return st.A, st.b, st.dev
        k_rep, step = np.nonzero(self.counts[idx] > 0)
        r = idx[k_rep]
        c = self.counts[r, step].astype(np.float64)
        delta = beta[k_rep] - self.beta_c[r, step]
        stale = ~(np.isfinite(delta).all(axis=1)) | (
            split.eta_change_bound(step, np.nan_to_num(delta)) > self.reuse_tol
        )
        if stale.any():
            ov = pair_statistics(split.overlap, step[stale], k_rep[stale], beta, MODE_R_CLAMPED, self.n_jobs)
            rs, ss = r[stale], step[stale]
            self.A_c[rs, ss], self.b_c[rs, ss], self.g_c[rs, ss], self.dev_c[rs, ss] = ov.A, ov.b, ov.g, ov.dev
            self.beta_c[rs, ss] = beta[k_rep[stale]]
        fresh = np.where(stale[:, None], 0.0, beta[k_rep] - self.beta_c[r, step])
        # the deviance to second order (d dev / d beta = -2 g, curvature 2 A), so speedglm's stopping
        # test sees the change a full evaluation would; A and b are used as cached
        dev_ov = (
            self.dev_c[r, step]
            - 2.0 * np.einsum("kp,kp->k", self.g_c[r, step], fresh)
            + np.einsum("kp,kpq,kq->k", fresh, self.A_c[r, step], fresh)
        )
        A_pair = self.A_c[r, step].copy()
        b_pair = self.b_c[r, step].copy()
        if len(split.separated.y):
            sep = pair_statistics(split.separated, step, k_rep, beta, MODE_R_CLAMPED, self.n_jobs)
            A_pair += sep.A
            b_pair += sep.b
            dev_ov = dev_ov + sep.dev
        n = len(idx)
        A = np.zeros((n, rows.n_params, rows.n_params))
        b = np.zeros((n, rows.n_params))
        dev = np.zeros(n)
        np.add.at(A, k_rep, c[:, None, None] * A_pair)
        np.add.at(b, k_rep, c[:, None] * b_pair)
        np.add.at(dev, k_rep, c * dev_ov)
        return A, b, dev


def speedglm_fit(
    rows: StackedRows,
    counts: np.ndarray,
    acc: float = ACC,
    maxit: int = MAXIT,
    n_jobs: int = 1,
    split: SplitRows | None = None,
    reuse_tol: float = ETA_REUSE_TOL,
) -> list[IRLSOutcome]:
    """``speedglm.wfit`` (btergm's defaults) for each replicate ``counts[r]`` (step multiplicities).

    A replicate whose LU solve fails is refitted with :func:`glmfit_irls`, as btergm does inside
    ``boot``; if that fails too the outcome carries the error and NaN coefficients. With ``split``
    (the full data's separated rows and null space) converged overlap statistics are reused in
    the iterations that only move the separated coefficients (see :class:`SplitRows`), while no
    overlap row's linear predictor can have moved by more than ``reuse_tol`` (the default keeps
    btergm's values to ~1e-7; ``benchmarks/bench_btergm_floor.py`` shows what larger values cost).
    """
    counts = np.atleast_2d(np.asarray(counts))
    n_rep = counts.shape[0]
    p = rows.n_params
    start = replicate_statistics(rows, counts, np.zeros((1, p)), MODE_R_START, n_jobs)
    beta = np.zeros((n_rep, p))
    ok: list[np.ndarray] = []
    dev_prev = start.dev.copy()
    dev = start.dev.copy()
    tol = np.ones(n_rep)
    iters = np.ones(n_rep, dtype=np.int64)
    failed = np.zeros(n_rep, dtype=bool)
    errors: list[str | None] = [None] * n_rep
    for r in range(n_rep):
        keep = eigen_rank_check(start.A[r])
        ok.append(keep)
        try:
            beta[r, keep] = r_solve(start.A[r][np.ix_(keep, keep)], start.b[r][keep])
        except SingularSystemError as exc:
            failed[r], errors[r] = True, str(exc)
    active = ~failed
    statistics = _CachedStatistics(rows, split, counts, n_jobs, reuse_tol)
    while active.any():
        idx = np.flatnonzero(active)
        st_A, st_b, st_dev = statistics(idx, beta[idx])
        for k, r in enumerate(idx):
            dev[r] = st_dev[k]
            tol[r] = abs(dev_prev[r] - dev[r]) / (abs(dev[r]) + 0.1)
            if tol[r] > acc and iters[r] < maxit:
                iters[r] += 1
                dev_prev[r] = dev[r]
                keep = ok[r]
                try:
                    beta[r] = 0.0
                    beta[r, keep] = r_solve(st_A[k][np.ix_(keep, keep)], st_b[k][keep])
                except SingularSystemError as exc:
                    failed[r], errors[r], active[r] = True, str(exc), False
            else:
                active[r] = False
    out: list[IRLSOutcome] = []
    for r in range(n_rep):
        if failed[r]:
            fallback = glmfit_irls(rows, counts[r])
            fallback.error = f"speedglm: {errors[r]}" + (f"; glm.fit: {fallback.error}" if fallback.error else "")
            out.append(fallback)
            continue
        coef = np.full(p, np.nan)
        coef[ok[r]] = beta[r, ok[r]]
        out.append(
            IRLSOutcome(
                coef=coef,
                iterations=int(iters[r]),
                tol=float(tol[r]),
                converged=bool(tol[r] <= acc),
                deviance=float(dev[r]),
                dropped=[int(j) for j in np.setdiff1d(np.arange(p), ok[r])],
            )
        )
    return out


def glmfit_irls(rows: StackedRows, counts: np.ndarray, epsilon: float = GLM_EPSILON, maxit: int = MAXIT) -> IRLSOutcome:
    """``stats::glm.fit`` for one replicate: same start and link, QR-style aliasing each iteration.

    Solved through the normal equations of the kept columns (identical to R's QR solution up to
    rounding when the kept columns are well conditioned).
    """
    counts = np.atleast_2d(np.asarray(counts))
    p = rows.n_params
    st = replicate_statistics(rows, counts, np.zeros((1, p)), MODE_R_START)
    A, b, dev_old = st.A[0], st.b[0], float(st.dev[0])
    beta = np.zeros(p)
    keep = np.arange(p)
    dev, tol = dev_old, np.inf
    for it in range(1, maxit + 1):
        keep = qr_rank_columns(A)
        beta = np.zeros(p)
        try:
            # QR is invariant to column scaling; equilibrating the normal equations keeps that property
            Ak = A[np.ix_(keep, keep)]
            d = 1.0 / np.sqrt(np.diag(Ak))
            beta[keep] = d * sla.solve(Ak * np.outer(d, d), d * b[keep], assume_a="sym")
        except (np.linalg.LinAlgError, ValueError) as exc:
            return IRLSOutcome(np.full(p, np.nan), it, np.inf, False, np.nan, method="glm.fit", error=str(exc))
        st = replicate_statistics(rows, counts, beta[None, :], MODE_R_CLAMPED)
        dev = float(st.dev[0])
        tol = abs(dev - dev_old) / (abs(dev) + 0.1)
        if tol < epsilon:
            break
        dev_old, A, b = dev, st.A[0], st.b[0]
    coef = np.full(p, np.nan)
    coef[keep] = beta[keep]
    return IRLSOutcome(
        coef=coef,
        iterations=it,
        tol=float(tol),
        converged=bool(tol < epsilon),
        deviance=dev,
        dropped=[int(j) for j in np.setdiff1d(np.arange(p), keep)],
        method="glm.fit",
    )
