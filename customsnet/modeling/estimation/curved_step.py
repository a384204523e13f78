"""One MCMC-MLE step for a curved ERGM: maximise the lognormal approximation over φ numerically.

With draws z at φ₀ (mean μ, covariance Σ) and the pseudo-observation ξ, the approximated
log-likelihood ratio is ℓ(φ) = d'(ξ − μ) − ½ d'Σd with d = η(φ) − η(φ₀); its gradient is
J(φ)'(ξ − μ − Σd). ergm's trust region caps the approximated gain: when the maximiser gains
more, the step is shortened along the segment from φ₀ until the gain equals the cap.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, minimize

#: decays are kept inside [MIN_DECAY, MAX_DECAY] (the curved model is undefined for α < 0)
MIN_DECAY, MAX_DECAY = 1e-4, 20.0


def curved_step(
    z: np.ndarray, target: np.ndarray, phi0: np.ndarray, layout, trust_region: float
) -> tuple[np.ndarray, float]:
    """The next φ and the trust-region shortening factor (1 when the maximiser was taken)."""
    from customsnet.modeling.estimation.mcmc_diagnostics import principal_basis

    mu = z.mean(axis=0)
    cov = np.atleast_2d(np.cov(z, rowvar=False))
    # only the part of the target the draws can reach: along directions without variance (counts
    # never seen in the sample) the lognormal approximation would promise an unbounded gain
    basis, _ = principal_basis(z)
    a = basis @ (basis.T @ (target - mu))
    eta0 = layout.eta(phi0)

    def gain(phi: np.ndarray) -> float:
        d = layout.eta(phi) - eta0
        return float(d @ a - 0.5 * d @ cov @ d)

    def objective(phi: np.ndarray) -> tuple[float, np.ndarray]:
        d = layout.eta(phi) - eta0
        value = d @ a - 0.5 * d @ cov @ d
        grad = layout.jacobian(phi).T @ (a - cov @ d)
        return -float(value), -grad

    bounds = [(None, None)] * layout.n_params
    for j in layout.decay_param:
        bounds[j] = (MIN_DECAY, MAX_DECAY)
    start = np.clip(
        phi0,
        [b[0] if b[0] is not None else -np.inf for b in bounds],
        [b[1] if b[1] is not None else np.inf for b in bounds],
    )
    res = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 500, "ftol": 1e-12, "gtol": 1e-9},
    )
    phi1 = res.x
    best = -float(res.fun)
    if not np.isfinite(best) or best <= trust_region:
        return phi1, 1.0
    s = brentq(lambda t: gain(phi0 + t * (phi1 - phi0)) - trust_region, 0.0, 1.0, xtol=1e-6)
    return phi0 + s * (phi1 - phi0), float(s)
