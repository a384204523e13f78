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


def mcmc_covariance(chains: list[np.ndarray], max_lag: int | None = None) -> np.ndarray:
    """Asymptotic covariance Ω of the draws, Cov(mean) ≈ Ω / N: the spectral density at zero.

    As ergm's ``spectrum0.mvar`` (``R/mcmc_htests.R``, used by ``ergm.MCMCse``): centre on the pooled
    mean, whiten (standardise, principal components, drop constant and linearly dependent
    directions), fit a vector autoregression VAR(p) by least squares within chains, p = 0..max_lag
    (default ⌈10·log₁₀ n⌉) chosen by AIC, and take (I − ΣA)⁻¹ Σ_e (I − ΣA)⁻ᵀ back to the
    original scale. A lag window (Bartlett, 3·τ wide, the earlier estimate here) is biased low by
    10-30% at the autocorrelations the MCMC-MLE runs at (AR(1) with ρ = 0.7-0.9 and 512 draws per
    chain), which made the MCMC part of the standard errors too small.
    """
    chains = [np.asarray(z, dtype=np.float64).reshape(len(z), -1) for z in chains]
    d = chains[0].shape[1]
    total = sum(len(z) for z in chains)
    mean = np.vstack(chains).mean(axis=0)
    x = [z - mean for z in chains]
    cov = sum(c.T @ c for c in x) / max(total - 1, 1)
    tol = np.sqrt(np.finfo(float).eps)
    scale = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    keep = scale / max(scale.max(initial=0.0), 1e-300) > tol
    if not keep.any():
        return np.zeros((d, d))
    std = np.diag(1.0 / scale[keep])
    values, vectors = np.linalg.eigh(std @ cov[np.ix_(keep, keep)] @ std)
    ind = values / values.max() > tol**2
    whiten = std @ vectors[:, ind] / np.sqrt(values[ind])  # x[:, keep] @ whiten has identity covariance
    unwhiten = (np.sqrt(values[ind])[:, None] * vectors[:, ind].T) * scale[keep][None, :]
    y = [c[:, keep] @ whiten for c in x]
    k = whiten.shape[1]
    t_max = max(len(c) for c in y)
    lags = int(np.ceil(10 * np.log10(max(t_max, 2)))) if max_lag is None else int(max_lag)
    lags = max(min(lags, t_max - 1), 0)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for lag in range(lags + 1):
        rows = [
            (c[lag:], np.hstack([c[lag - i : len(c) - i] for i in range(1, lag + 1)] + [np.ones((len(c) - lag, 1))]))
            for c in y
            if len(c) > lag
        ]
        response = np.vstack([r for r, _ in rows])
        design = np.vstack([r for _, r in rows])
        n = len(response)
        df = n - design.shape[1]
        if df <= 0:
            continue
        gram = design.T @ design
        try:
            coef = np.linalg.solve(gram, design.T @ response)
        except np.linalg.LinAlgError:
            coef = np.linalg.lstsq(design, response, rcond=None)[0]
        resid = response - design @ coef
        sigma = resid.T @ resid / df
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            continue
        aic = n * logdet + 2 * (k * k * lag + k)
        a_sum = sum(coef[(i * k) : (i + 1) * k].T for i in range(lag)) if lag else np.zeros((k, k))
        if best is None or aic < best[0]:
            best = (aic, a_sum, sigma)
    if best is None:  # too few draws for any fit: no autocorrelation correction
        _, a_sum, sigma = 0.0, np.zeros((k, k)), np.eye(k)
    else:
        _, a_sum, sigma = best
    adj_inv = np.linalg.inv(np.eye(k) - a_sum)
    v = adj_inv @ sigma @ adj_inv.T
    out = np.zeros((d, d))
    out[np.ix_(keep, keep)] = unwhiten.T @ v @ unwhiten
    return 0.5 * (out + out.T)


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
