"""MCMC output analysis for the MCMC-MLE: batch means, effective sample size, autocorrelation, hull test.

Statistics arrive as one array per chain (draws x statistics). Chains are independent, so
variances of means are estimated within chains and pooled.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def autocorrelations(chains: list[np.ndarray], max_lag: int | None = None) -> np.ndarray:
    """Autocorrelation ρ_k per statistic (lags 0..max_lag), within chains, averaged over chains (FFT)."""
    n = min(len(z) for z in chains)
    max_lag = n - 1 if max_lag is None else min(max_lag, n - 1)
    acov = []
    var = []
    for z in chains:
        c = z[:n] - z[:n].mean(axis=0)
        f = np.fft.rfft(c, n=2 * n, axis=0)
        g = np.fft.irfft(f * np.conj(f), axis=0)[: max_lag + 1] / n
        acov.append(g)
        var.append(g[0])
    acov = np.mean(acov, axis=0)
    v = np.mean(var, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v > 0, acov / np.where(v > 0, v, 1.0), 0.0)


def integrated_times(chains: list[np.ndarray]) -> np.ndarray:
    """Integrated autocorrelation time τ per statistic, by Geyer's initial positive sequence.

    τ = −1 + 2 Σ_m Γ_m where Γ_m = ρ_{2m} + ρ_{2m+1}, summed while Γ_m > 0 (constant statistics: 1).
    """
    rho = autocorrelations(chains)
    p = rho.shape[1]
    tau = np.ones(p)
    for j in range(p):
        r = rho[:, j]
        if r[0] == 0:
            continue
        pairs = r[: 2 * (len(r) // 2)].reshape(-1, 2).sum(axis=1)
        stop = np.flatnonzero(pairs <= 0)
        m = stop[0] if len(stop) else len(pairs)
        # initial monotone sequence: each pair no larger than the one before
        mono = np.minimum.accumulate(pairs[:m]) if m else pairs[:0]
        tau[j] = max(-1.0 + 2.0 * mono.sum(), 1.0)
    return tau


def mcmc_covariance(chains: list[np.ndarray]) -> np.ndarray:
    """Asymptotic covariance Ω of the draws, Cov(mean) ≈ Ω / N (Bartlett lag window, pooled chains).

    The window is 3·max τ lags wide (τ from :func:`integrated_times`), at most a third of a chain,
    so the estimate accounts for the autocorrelation of the slowest statistic and stays positive
    semi-definite.
    """
    n = min(len(z) for z in chains)
    width = int(min(max(np.ceil(3 * integrated_times(chains).max()), 1), max(n // 3, 1)))
    total = None
    for z in chains:
        c = z[:n] - z[:n].mean(axis=0)
        omega = c.T @ c / n
        for k in range(1, width + 1):
            g = c[k:].T @ c[:-k] / n
            omega += (1.0 - k / (width + 1)) * (g + g.T)
        total = omega if total is None else total + omega
    assert total is not None
    return total / len(chains)


def effective_sizes(chains: list[np.ndarray]) -> np.ndarray:
    """Effective sample size per statistic: N / τ (N draws over all chains)."""
    return sum(len(z) for z in chains) / integrated_times(chains)


def lag_autocorrelation(chains: list[np.ndarray], lag: int = 1) -> np.ndarray:
    """Autocorrelation at ``lag`` per statistic, averaged over chains (NaN for constant statistics)."""
    out = []
    for z in chains:
        c = z - z.mean(axis=0)
        denom = (c * c).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append((c[lag:] * c[:-lag]).sum(axis=0) / denom)
    return np.mean(out, axis=0)


def principal_basis(z: np.ndarray, tolerance: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Orthonormal basis of the directions in which the draws vary, and their variances."""
    cov = np.atleast_2d(np.cov(z, rowvar=False))
    values, vectors = np.linalg.eigh(cov)
    keep = values > tolerance * max(values.max(initial=0.0), 1e-300)
    return vectors[:, keep], values[keep]


def in_convex_hull(point: np.ndarray, points: np.ndarray) -> bool:
    """Whether ``point`` is a convex combination of the rows of ``points`` (a feasibility LP)."""
    n = len(points)
    a_eq = np.vstack([points.T, np.ones((1, n))])
    b_eq = np.r_[point, 1.0]
    res = linprog(np.zeros(n), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return bool(res.status == 0)


def hummel_steplength(z: np.ndarray, target: np.ndarray, margin: float = 0.05, tolerance: float = 1e-3) -> float:
    """Hummel, Hunter & Handcock's step length γ ∈ [0, 1].

    The largest γ with μ + (1 + margin)·γ·(target − μ) inside the convex hull of the draws ``z``
    (μ their mean), found by bisection as ergm's ``.Hummel.steplength`` does. The hull is taken in
    the standardised principal coordinates of the draws (directions without variance are left
    out: they carry no information about the step).
    """
    mu = z.mean(axis=0)
    basis, var = principal_basis(z)
    if basis.shape[1] == 0:
        return 0.0
    scale = np.sqrt(var)
    pts = ((z - mu) @ basis) / scale
    direction = ((target - mu) @ basis) / scale
    factor = 1.0 + margin
    if in_convex_hull(factor * direction, pts):
        return 1.0
    lo, hi = 0.0, 1.0
    while hi - lo > tolerance:
        mid = 0.5 * (lo + hi)
        if in_convex_hull(factor * mid * direction, pts):
            lo = mid
        else:
            hi = mid
    return lo
