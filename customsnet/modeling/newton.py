"""The converged MPLE: damped Newton on a subspace, for many replicates at once.

The log pseudolikelihood of a logit is concave, so Newton's method with step halving converges
from zero whenever the maximum exists; a point where the gradient vanishes certifies existence.
The coefficients are restricted to ``beta = Q gamma`` (``Q``: orthonormal basis of the identified
subspace, :mod:`customsnet.modeling.separation`), which makes the problem strictly concave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from customsnet.modeling.logit_stats import MODE_EXACT, StackedRows, replicate_statistics

GRAD_TOL = 1e-12  # max |gradient| relative to the total weight
MAX_ITER = 100
MAX_HALVINGS = 40
DIVERGED = 1e4  # |coefficient| beyond which a replicate is declared divergent (separation)


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
) -> list[NewtonOutcome]:
    """Maximise each replicate's weighted log pseudolikelihood over ``beta = basis @ gamma``.

    ``counts`` (R, T') gives each replicate's step multiplicities; rows with zero weight in
    ``rows`` (e.g. separated rows) take no part. Converged means ``max |Q'g| <= grad_tol * sum(w)``.
    """
    counts = np.atleast_2d(np.asarray(counts))
    n_rep = counts.shape[0]
    p = rows.n_params
    Q = np.eye(p) if basis is None else np.asarray(basis, dtype=np.float64)
    q = Q.shape[1]
    step_weight = np.add.reduceat(rows.w, rows.offsets[:-1]) if len(rows.w) else np.zeros(rows.n_steps)
    step_weight[np.diff(rows.offsets) == 0] = 0.0
    total_w = np.maximum(counts @ step_weight, 1.0)

    gamma = np.zeros((n_rep, q))
    gamma_prev = np.zeros((n_rep, q))
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
        st = replicate_statistics(rows, counts[idx], gamma[idx] @ Q.T, MODE_EXACT, n_jobs)
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
            if grad_max[r] <= grad_tol * total_w[r]:
                converged[r], active[r] = True, False
                continue
            if iters[r] >= max_iter or np.abs(gamma[r]).max() > DIVERGED:
                diverged[r] = np.abs(gamma[r]).max() > DIVERGED
                active[r] = False
                continue
            H = Q.T @ st.A[k] @ Q
            try:
                step[r] = np.linalg.solve(H, gq)
            except np.linalg.LinAlgError:
                step[r] = np.linalg.lstsq(H, gq, rcond=None)[0]
            gamma_prev[r] = gamma[r]
            gamma[r] = gamma[r] + step[r]
            dev_prev[r] = dev
            iters[r] += 1
    return [
        NewtonOutcome(
            coef=Q @ gamma[r] if converged[r] else np.full(p, np.nan) if diverged[r] else Q @ gamma[r],
            iterations=int(iters[r]),
            grad_max=float(grad_max[r]),
            converged=bool(converged[r]),
            deviance=float(dev_final[r]),
            diverged=bool(diverged[r]),
        )
        for r in range(n_rep)
    ]
