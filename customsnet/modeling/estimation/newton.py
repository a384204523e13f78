"""The converged MPLE: damped Newton on a subspace, for many replicates at once.

The log pseudolikelihood of a logit is concave, so Newton's method with step halving converges
from zero whenever the maximum exists. Under separation the gradient also tends to zero, but the
Newton steps stay of order one along the separating direction; convergence therefore requires a
small gradient *and* a small step, which certifies that the maximum is attained.
The coefficients are restricted to ``beta = Q gamma`` (``Q``: orthonormal basis of the identified
subspace, :mod:`customsnet.modeling.estimation.separation`), which makes the problem strictly concave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from customsnet.modeling.estimation.logit_stats import (
    MODE_EXACT,
    StackedRows,
    replicate_statistics,
)

GRAD_TOL = 1e-12  # max |gradient| relative to the total weight
STEP_TOL = 1e-8  # max |Newton step| at convergence (quadratic convergence gets far below)
MAX_ITER = 100
MAX_HALVINGS = 40
MIN_INFORMATION = 1e-8  # min over directions of (curvature / weighted spread of the data): ~ all |eta| > 18
DIVERGED = 1e4  # |coefficient| beyond which a replicate is declared divergent (separation)


def step_grams(rows: StackedRows) -> np.ndarray:
    """(T', p, p) weighted Gram matrices ``X_s' diag(w_s) X_s`` of the steps (computed once per ``rows``)."""
    if "grams" in rows.memo:
        return rows.memo["grams"]
    out = np.zeros((rows.n_steps, rows.n_params, rows.n_params))
    for s in range(rows.n_steps):
        lo, hi = rows.offsets[s], rows.offsets[s + 1]
        X = rows.X[lo:hi]
        out[s] = X.T @ (X * rows.w[lo:hi, None])
    rows.memo["grams"] = out
    return out


def _min_information_ratio(H: np.ndarray, G: np.ndarray) -> float:
    """min over v of v'Hv / v'Gv: the smallest weighted-average mu(1 - mu) along any direction."""
    if H.shape[0] == 0:
        return np.inf
    try:
        return float(sla.eigh(H, G, eigvals_only=True)[0])
    except (np.linalg.LinAlgError, ValueError):
        return 0.0  # the data themselves are degenerate in some direction


@dataclass
class NewtonOutcome:
    """A converged (or failed) Newton fit: full-length coefficients in the original coordinates."""

    coef: np.ndarray
    iterations: int
    grad_max: float
    converged: bool
    deviance: float
    diverged: bool = False


def newton_fit(
    rows: StackedRows,
    counts: np.ndarray,
    basis: np.ndarray | None = None,
    grad_tol: float = GRAD_TOL,
    max_iter: int = MAX_ITER,
    n_jobs: int = 1,
    start: np.ndarray | None = None,
    shift: np.ndarray | None = None,
) -> list[NewtonOutcome]:
    """Maximise each replicate's weighted log pseudolikelihood over ``beta = basis @ gamma``.

    ``counts`` (R, T') gives each replicate's step multiplicities; rows with zero weight in
    ``rows`` (e.g. separated rows) take no part. Converged means ``max |Q'g| <= grad_tol * sum(w)``
    and the next Newton step below ``STEP_TOL``; a replicate that has not converged after
    ``max_iter`` iterations is declared divergent (NaN coefficients): its MPLE likely does not exist.
    ``start`` (coefficients, one vector or one per replicate) is where Newton starts instead of
    zero, e.g. the full data's estimate for bootstrap replicates: the maximum is unique on the
    subspace, so the start changes only how many passes it takes to get there.
    ``shift`` (length p) is a fixed part of every coefficient vector, ``beta = shift + basis @ gamma``:
    offsets' fixed coefficients, with ``basis`` zero on their rows.
    """
    counts = np.atleast_2d(np.asarray(counts))
    n_rep = counts.shape[0]
    p = rows.n_params
    Q = np.eye(p) if basis is None else np.asarray(basis, dtype=np.float64)
    q = Q.shape[1]
    fixed_part = np.zeros(p) if shift is None else np.asarray(shift, dtype=np.float64)
    step_weight = np.bincount(rows.step_of_row(), weights=rows.w, minlength=rows.n_steps)
    # row by row (einsum, not BLAS): a replicate's numbers must not depend on its batch's shape
    total_w = np.maximum(np.array([c @ step_weight for c in counts.astype(np.float64)]).reshape(n_rep), 1.0)
    gram = np.einsum("rs,sij->rij", counts.astype(np.float64), step_grams(rows))

    gamma = np.zeros((n_rep, q))
    if start is not None:
        s0 = np.nan_to_num(np.atleast_2d(np.asarray(start, dtype=np.float64)))
        gamma[:] = s0 @ Q  # coordinates of the start in the subspace
    gamma_prev = gamma.copy()
    step = np.zeros((n_rep, q))
    dev_prev = np.full(n_rep, np.inf)
    halvings = np.zeros(n_rep, dtype=np.int64)
    iters = np.zeros(n_rep, dtype=np.int64)
    grad_max = np.full(n_rep, np.inf)
    dev_final = np.full(n_rep, np.nan)
    converged = np.zeros(n_rep, dtype=bool)
    diverged = np.zeros(n_rep, dtype=bool)
    active = np.ones(n_rep, dtype=bool)
    if q == 0:
        active[:] = False
        converged[:] = True
        grad_max[:] = 0.0
    while active.any():
        idx = np.flatnonzero(active)
        st = replicate_statistics(
            rows, counts[idx], np.einsum("rq,pq->rp", gamma[idx], Q) + fixed_part, MODE_EXACT, n_jobs
        )
        for k, r in enumerate(idx):
            dev = st.dev[k]
            if dev > dev_prev[r] + 1e-10 * (abs(dev_prev[r]) + 1.0) and halvings[r] < MAX_HALVINGS:
                # the full step overshot: halve it and evaluate again
                halvings[r] += 1
                step[r] /= 2.0
                gamma[r] = gamma_prev[r] + step[r]
                continue
            halvings[r] = 0
            gq = Q.T @ st.g[k]
            grad_max[r] = float(np.abs(gq).max())
            dev_final[r] = dev
            H = Q.T @ st.A[k] @ Q
            try:
                newton_step = np.linalg.solve(H, gq)
            except np.linalg.LinAlgError:
                newton_step = np.linalg.lstsq(H, gq, rcond=None)[0]
            if grad_max[r] <= grad_tol * total_w[r] and np.abs(newton_step).max() <= STEP_TOL:
                # Under separation the gradient vanishes too (exponentially). Tell the two apart
                # by the information left: along a separating direction every informative row
                # has mu(1 - mu) -> 0, so the curvature relative to the data's own spread dies.
                if _min_information_ratio(H, Q.T @ gram[r] @ Q) >= MIN_INFORMATION:
                    converged[r] = True
                else:
                    diverged[r] = True
                active[r] = False
                continue
            if iters[r] >= max_iter or np.abs(gamma[r]).max() > DIVERGED:
                diverged[r] = True
                active[r] = False
                continue
            step[r] = newton_step
            gamma_prev[r] = gamma[r]
            gamma[r] = gamma[r] + step[r]
            dev_prev[r] = dev
            iters[r] += 1
    return [
        NewtonOutcome(
            coef=np.full(p, np.nan) if diverged[r] else Q @ gamma[r] + fixed_part,
            iterations=int(iters[r]),
            grad_max=float(grad_max[r]),
            converged=bool(converged[r]),
            deviance=float(dev_final[r]),
            diverged=bool(diverged[r]),
        )
        for r in range(n_rep)
    ]
