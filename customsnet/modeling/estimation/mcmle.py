"""MCMC maximum likelihood of the pooled temporal ERGM (btergm's ``mtergm``), ergm's MCMLE.

The model is the MPLE's model: the modeled years form one block-diagonal network with dyads
across years fixed, memory / delrecip / edgecov / timecov are covariates exactly as in the
design (see :mod:`.mcmc_sample`). The likelihood is maximised by Geyer–Thompson importance
sampling with Hummel, Hunter & Handcock's step lengths, as ergm does:

1. start at the MPLE θ₀ (or ``start``);
2. draw ``samplesize`` pooled networks at θₖ (parallel chains, one per year and chain);
3. γ = the largest step (≤ 1) for which μ + 1.05·γ·(g_obs − μ) lies in the convex hull of the
   draws; the pseudo-observation ξ = μ + γ(g_obs − μ) replaces g_obs;
4. θₖ₊₁ maximises the lognormal approximation of the log-likelihood ratio, which for a
   linear model is the Newton step θₖ + Σ⁻¹(ξ − μ) (Σ the covariance of the draws);
5. stop after two consecutive full steps (γ = 1), ergm's Hummel rule; then a final sample at
   the estimate gives the last Newton step, the diagnostics and the covariance.

The covariance is ergm's: the inverse Fisher information Σ⁻¹ plus the MCMC part
Σ⁻¹ Cov(z̄) Σ⁻¹, with Cov(z̄) from a lag-window estimate within chains (so it accounts for the
autocorrelation, i.e. for the effective sample size). Within an iteration the interval between
draws doubles (and the chains continue) until the smallest effective sample size reaches
``min_ess``, as ergm's ``MCMLE.effectiveSize`` does; the burn-in is at least 16 intervals.

Randomness: each chain's generator is ``SeedSequence(seed, spawn_key=(iteration, year, chain))``,
so results depend only on the seed and the control settings, not on ``n_jobs`` nor on whether the
chains run on a Dask cluster (``scheduler=``, see :mod:`.chain_dispatch`).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from customsnet.modeling.estimation.chain_dispatch import ChainDispatch, ChainTask
from customsnet.modeling.estimation.mcmc_diagnostics import (
    effective_sizes,
    hummel_steplength,
    in_convex_hull,
    lag_autocorrelation,
    mcmc_covariance,
    principal_basis,
)
from customsnet.modeling.estimation.mcmc_sample import ChainDraws, StepModel
from customsnet.modeling.terms.formula import as_formula


class MCMLEDegeneracyError(RuntimeError):
    """The sampled networks carry no information (frozen chains): the model is degenerate there."""


class MCMLEWarning(UserWarning):
    """The MCMC-MLE did not converge, or the sample leaves some direction unidentified."""


@dataclass
class MCMLEControl:
    """MCMC and optimisation settings (ergm's ``control.ergm`` names in brackets).

    ``burnin`` and ``interval`` count TNT proposals per year and chain; ``samplesize`` counts
    pooled draws (each one draw of every year) over all chains.
    """

    samplesize: int = 1024  # MCMC.samplesize
    n_chains: int = 2
    burnin: int = 16384  # MCMC.burnin
    interval: int = 1024  # MCMC.interval
    max_iterations: int = 30  # MCMLE.maxit
    min_ess: float = 64.0  # MCMLE.effectiveSize: grow the interval below this
    max_interval: int = 1 << 17
    hummel_margin: float = 0.05  # MCMLE.steplength.margin
    # MCMLE.trustregion: largest approximated log-likelihood gain per step. ergm's 20 lets the first
    # steps from a poor MPLE run off along weakly identified directions (gwdegree in ergmx case A
    # went to -23 and froze the chains); 5 converged there in 7 iterations, 2 in 10
    trust_region: float = 5.0
    final_samplesize: int | None = None  # the sample at the estimate (default: samplesize)

    def __post_init__(self) -> None:
        for name in ("samplesize", "n_chains", "interval", "max_iterations"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"MCMLEControl.{name} must be >= 1, got {getattr(self, name)}")
        if self.burnin < 0:
            raise ValueError(f"MCMLEControl.burnin must be >= 0, got {self.burnin}")
        if self.samplesize < 4 * self.n_chains:
            raise ValueError(f"MCMLEControl.samplesize ({self.samplesize}) must be >= 4 draws per chain")

    @property
    def draws_per_chain(self) -> int:
        return -(-int(self.samplesize) // int(self.n_chains))

    @property
    def final_draws_per_chain(self) -> int:
        total = self.samplesize if self.final_samplesize is None else self.final_samplesize
        return -(-int(total) // int(self.n_chains))


@dataclass
class PooledSample:
    """Pooled statistics per chain (each row: the sum over years of one draw per year)."""

    chains: list[np.ndarray]
    ends: dict[tuple[int, int], np.ndarray]  # (year index, chain) -> last ties
    acceptance: float
    seconds: float
    cpu_seconds: float = 0.0  # summed CPU time of the chains

    @property
    def stacked(self) -> np.ndarray:
        return np.vstack(self.chains)


@dataclass
class MCMLEFit:
    """The numbers of an MCMC-MLE run (independent of the results table)."""

    names: list[str]
    estimates: np.ndarray
    covariance: np.ndarray
    mcmc_covariance: np.ndarray
    start: np.ndarray
    observed: np.ndarray
    converged: bool
    iterations: int
    trace: list[dict]
    diagnostics: dict[str, list[float]]
    final_sample: np.ndarray
    status: list[str]
    warnings: list[str] = field(default_factory=list)
    control: dict = field(default_factory=dict)
    seed: int | None = None
    seconds: float = 0.0


# --------------------------------------------------------------------------- sampling
def sample_pooled(
    steps: list[StepModel],
    theta: np.ndarray,
    starts: dict[tuple[int, int], np.ndarray],
    draws_per_chain: int,
    burnin: int,
    interval: int,
    n_chains: int,
    seed: int,
    iteration: int | tuple[int, ...],
    n_jobs: int = 1,
    dispatch: ChainDispatch | None = None,
) -> PooledSample:
    """Draw the pooled model at ``theta``: one chain per (year, chain) task, summed over years.

    The chains run on ``dispatch`` (an open :class:`ChainDispatch` over ``steps``: local cores or
    a Dask cluster), else on ``n_jobs`` local processes.
    """
    tic = time.perf_counter()
    tasks = [(t, c) for t in range(len(steps)) for c in range(n_chains)]

    def seed_of(t: int, c: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(seed, spawn_key=(*np.atleast_1d(iteration).tolist(), t, c))

    chain_tasks = [
        ChainTask(t, theta, starts.get((t, c)), draws_per_chain, burnin, interval, seed_of(t, c)) for t, c in tasks
    ]
    outs: list[ChainDraws] = (dispatch or ChainDispatch(steps, n_jobs)).run(chain_tasks)
    chains = [np.zeros((draws_per_chain, steps[0].n_stats)) for _ in range(n_chains)]
    ends = {}
    for (t, c), out in zip(tasks, outs):
        chains[c] += out.stats
        ends[(t, c)] = out.end_edges
    acceptance = float(np.mean([o.acceptance for o in outs]))
    return PooledSample(chains, ends, acceptance, time.perf_counter() - tic, float(sum(o.cpu_seconds for o in outs)))


def _adaptive_sample(
    steps: list[StepModel],
    theta: np.ndarray,
    starts: dict[tuple[int, int], np.ndarray],
    control: MCMLEControl,
    draws_per_chain: int,
    interval: int,
    seed: int,
    iteration: int,
    dispatch: ChainDispatch,
    layout=None,
) -> tuple[PooledSample, int]:
    """Sample at ``theta``, doubling the interval (chains continue) until min ESS >= ``control.min_ess``.

    For a curved model the ESS is that of the local canonical statistics g·J(θ): the rare
    high counts (esp#k for large k) would otherwise drive the interval up for no gain.
    """
    attempt = 0
    seconds = cpu = 0.0
    while True:
        burnin = max(int(control.burnin), 16 * interval) if attempt == 0 else 0
        sample = sample_pooled(
            steps,
            theta,
            starts,
            draws_per_chain,
            burnin,
            interval,
            control.n_chains,
            seed,
            (iteration, attempt),
            dispatch=dispatch,
        )
        seconds += sample.seconds
        cpu += sample.cpu_seconds
        sample.seconds, sample.cpu_seconds = seconds, cpu  # the whole iteration, every attempt
        if _degeneracy(sample) or interval >= control.max_interval:
            return sample, interval
        if _ess(sample, theta, layout).min() >= control.min_ess:
            return sample, interval
        starts = sample.ends
        interval = min(2 * interval, int(control.max_interval))
        attempt += 1


def _ess(sample: PooledSample, theta: np.ndarray, layout) -> np.ndarray:
    """ESS per statistic, or per local canonical statistic g·J(θ) of a curved model."""
    if layout is None:
        return effective_sizes(sample.chains)
    jac = layout.jacobian(theta)
    return effective_sizes([c @ jac for c in sample.chains])


def _steplength(z: np.ndarray, observed: np.ndarray, theta: np.ndarray, layout, margin: float) -> float:
    """Hummel's γ; for a curved model in the local canonical statistics g·J(φ).

    The count statistics of a curved term (esp#k, degree#k) put the observation on the hull's
    boundary whenever a count is 0 in the data (counts cannot be negative), which would cap every
    step at 1/1.05; the likelihood at φ only sees g through g·J(φ), so the hull is taken there.
    """
    if layout is None:
        return hummel_steplength(z, observed, margin)
    jac = layout.jacobian(theta)
    return hummel_steplength(z @ jac, observed @ jac, margin)


def _degeneracy(sample: PooledSample) -> str:
    """Why a sample cannot inform a step ('' when it can): frozen chains or no variation at all."""
    if sample.acceptance == 0.0:
        return "no proposal was accepted (the chains are frozen)"
    if principal_basis(sample.stacked)[0].shape[1] == 0:
        return "every draw has the same statistics"
    return ""


# --------------------------------------------------------------------------- one step
def newton_step(
    z: np.ndarray, target: np.ndarray, trust_region: float = np.inf
) -> tuple[np.ndarray, np.ndarray, float]:
    """Σ⁺(target − μ) on the directions the draws span (shortened by the trust region), that basis, the shortening.

    For a linear ERGM this maximises the lognormal approximation of the log-likelihood ratio
    ℓ(δ) = δ'(target − μ) − ½δ'Σδ (ergm's default ``MCMLE.metric``). ergm's ``MCMLE.trustregion``
    caps the approximated gain at ``trust_region``: when the Newton step would gain more
    (½ a'Σ⁻¹a), it is shortened along its direction to the point where the gain equals the cap.
    """
    basis, var = principal_basis(z)
    mu = z.mean(axis=0)
    coords = ((target - mu) @ basis) / np.sqrt(var)
    gain = 0.5 * float(coords @ coords)
    scale = 1.0
    if gain > trust_region:
        q = 2.0 * gain  # ℓ(s·δ) = q(s − s²/2); solve ℓ = trust_region for the smaller s
        scale = 1.0 - np.sqrt(1.0 - 2.0 * trust_region / q)
    delta = scale * (basis @ (((target - mu) @ basis) / var))
    return delta, basis, float(scale)


def _inverse_on(basis: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Pseudo-inverse of ``matrix`` restricted to the span of ``basis``."""
    inner = basis.T @ matrix @ basis
    return basis @ np.linalg.inv(inner) @ basis.T


def pooled_steps(panel, formula, missing: str = "error") -> tuple[list[StepModel], list[int]]:
    """One :class:`StepModel` per modeled year, cut exactly as the MPLE design cuts the years."""
    from customsnet.modeling.design.build import step_inputs

    formula = as_formula(formula)
    years = panel.years[formula.max_lag :]
    return [StepModel.from_step(formula, step_inputs(panel, formula, y, missing=missing)) for y in years], years


def mcmle_iterations(progress, control: MCMLEControl | None = None):
    """A ``progress(record)`` hook for :func:`mcmle` that advances a bar by iterations, or None.

    ``progress`` has the bootstrap's shape, ``start(description, total) -> advance(n)``; the bar's
    total is the iteration cap (``control.max_iterations``; the fit usually stops earlier). A
    backtracking iteration reports no record, so the bar advances to each record's iteration number.
    """
    if progress is None:
        return None
    cap = int((control or MCMLEControl()).max_iterations)
    advance = progress(f"MCMC-MLE iterations (at most {cap})", cap)
    done = [0]

    def report(record: dict) -> None:
        advance(int(record["iteration"]) - done[0])
        done[0] = int(record["iteration"])

    return report


def mcmle(
    steps: list[StepModel],
    names: list[str],
    start: np.ndarray,
    control: MCMLEControl | None = None,
    seed: int | None = None,
    n_jobs: int = 1,
    progress=None,
    layout=None,
    scheduler: Any = None,
) -> MCMLEFit:
    """Maximise the pooled likelihood from ``start`` (see the module doc for the algorithm).

    ``progress`` is called with each iteration's trace record (a dict), e.g. to print it.
    ``layout`` is a :class:`~customsnet.modeling.estimation.curved.CurvedLayout` for a curved model (the
    statistics are then η-space counts and the steps are found numerically); None: linear.
    The chains run on ``n_jobs`` local processes, or on the Dask cluster ``scheduler``
    (``"tcp://host:8786"`` or a ``distributed.Client``); the result is the same bit for bit.
    """
    with ChainDispatch(steps, n_jobs, scheduler) as dispatch:
        return _mcmle_on(dispatch, steps, names, start, control, seed, progress, layout)


def _mcmle_on(
    dispatch: ChainDispatch,
    steps: list[StepModel],
    names: list[str],
    start: np.ndarray,
    control: MCMLEControl | None,
    seed: int | None,
    progress,
    layout,
) -> MCMLEFit:
    """:func:`mcmle` with its chains on ``dispatch`` (an open :class:`ChainDispatch` over ``steps``)."""
    tic = time.perf_counter()
    control = control or MCMLEControl()
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (1 << 63))
    start = np.asarray(start, dtype=np.float64)
    if not np.all(np.isfinite(start)):
        bad = [n for n, v in zip(names, start) if not np.isfinite(v)]
        raise ValueError(f"the start has non-finite coefficients {bad} (MPLE not identified?); give start=")
    observed = np.sum([s.observed_statistics() for s in steps], axis=0)
    theta = start.copy()
    starts: dict[tuple[int, int], np.ndarray] = {}
    interval = int(control.interval)
    trace: list[dict] = []
    full_steps = 0
    converged = False
    notes: list[str] = []
    iteration = 0
    previous: tuple[np.ndarray, float] | None = None  # (θ before the last step, its γ)
    backtracks = 0
    for iteration in range(1, int(control.max_iterations) + 1):
        sample, interval = _adaptive_sample(
            steps, theta, starts, control, control.draws_per_chain, interval, seed, iteration, dispatch, layout
        )
        starts = sample.ends
        z = sample.stacked
        ess = _ess(sample, theta, layout)
        degenerate = _degeneracy(sample)
        if degenerate:
            notes.append(
                f"iteration {iteration}: {degenerate}; the model is degenerate at {np.round(theta, 4).tolist()}"
            )
            break
        gamma = _steplength(z, observed, theta, layout, control.hummel_margin)
        if previous is not None and gamma < 0.01 and previous[1] >= 0.1 and backtracks < 6:
            # the last step ran into a region where the observation is far outside the sample (a
            # degenerate model): go back half way instead of crawling out with tiny steps
            theta = 0.5 * (theta + previous[0])
            backtracks += 1
            trace.append(
                {
                    "iteration": iteration,
                    "theta": theta.tolist(),
                    "gamma": gamma,
                    "trust_scale": 0.0,
                    "interval": interval,
                    "min_ess": float(np.min(ess)),
                    "max_abs_t": float("nan"),
                    "acceptance": sample.acceptance,
                    "seconds": sample.seconds,
                    "cpu_seconds": sample.cpu_seconds,
                    "backtrack": True,
                }
            )
            full_steps = 0
            continue
        target = z.mean(axis=0) + gamma * (observed - z.mean(axis=0))
        if layout is None:
            delta, _, shortened = newton_step(z, target, control.trust_region)
        else:
            from customsnet.modeling.estimation.curved_step import curved_step

            new_theta, shortened = curved_step(z, target, theta, layout, control.trust_region)
            delta = new_theta - theta
        sd = z.std(axis=0, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_ratio = (z.mean(axis=0) - observed) / sd
        record = {
            "iteration": iteration,
            "theta": theta.tolist(),
            "gamma": gamma,
            "trust_scale": shortened,
            "interval": interval,
            "min_ess": float(np.min(ess)),
            "max_abs_t": float(np.nanmax(np.abs(t_ratio))),
            "acceptance": sample.acceptance,
            "seconds": sample.seconds,
            "cpu_seconds": sample.cpu_seconds,
        }
        trace.append(record)
        if progress is not None:
            progress(record)
        previous = (theta.copy(), gamma)
        theta = theta + delta
        # Hummel's rule: two consecutive full steps (neither the hull nor the trust region shortened them)
        full_steps = full_steps + 1 if gamma >= 1.0 and shortened >= 1.0 else 0
        if full_steps >= 2:
            converged = True
            break
    if not converged and not notes:
        notes.append(
            f"MCMC-MLE did not converge in {control.max_iterations} iterations (Hummel steps < 1 until the end); "
            "increase max_iterations or the sample size, or check the model for degeneracy"
        )

    # final sample at the estimate: last Newton step, diagnostics and covariance
    final, interval = _adaptive_sample(
        steps, theta, starts, control, control.final_draws_per_chain, interval, seed, 0, dispatch, layout
    )
    degenerate = _degeneracy(final)
    if degenerate:
        raise MCMLEDegeneracyError(
            f"the final sample at {np.round(theta, 4).tolist()} is degenerate ({degenerate}); " + " ".join(notes)
        )
    z = final.stacked
    mu = z.mean(axis=0)
    gamma = _steplength(z, observed, theta, layout, control.hummel_margin)
    if gamma < 1.0:
        converged = False
        notes.append(f"at the final sample the observed statistics are outside the sampled hull (step {gamma:.3g})")
    cov_z = np.atleast_2d(np.cov(z, rowvar=False))
    p = len(names)
    status = ["ok"] * p
    if layout is None:
        delta, basis, _ = newton_step(z, mu + gamma * (observed - mu))
        estimate = theta + delta
        if basis.shape[1] < p:
            free = np.abs(basis).sum(axis=1) > 1e-8
            notes.append(f"the final sample spans {basis.shape[1]} of {p} statistic directions; SEs are partial")
            for j in np.flatnonzero(~free):
                status[j] = "not identified: statistic constant in the sample"
        fisher_inv = _inverse_on(basis, cov_z)
        mc_cov = fisher_inv @ (mcmc_covariance(final.chains) / len(z)) @ fisher_inv
    else:
        from customsnet.modeling.estimation.curved_step import curved_step

        estimate, _ = curved_step(z, mu + gamma * (observed - mu), theta, layout, np.inf)
        jac = layout.jacobian(estimate)
        fisher_inv = np.linalg.pinv(jac.T @ cov_z @ jac)
        # the long-run covariance of the score contributions g·J (ergm.MCMCse's estfun), which has
        # the coefficients' dimension rather than the K counts' per curved term
        omega = mcmc_covariance([c @ jac for c in final.chains])
        mc_cov = fisher_inv @ (omega / len(z)) @ fisher_inv
    covariance = fisher_inv + mc_cov
    sd = z.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_ratio = (mu - observed) / sd
    diagnostics = {
        "stat_names": list(names) if layout is None else layout.stat_names,
        "observed": observed.tolist(),
        "sim_mean": mu.tolist(),
        "sim_sd": sd.tolist(),
        "t_ratio": t_ratio.tolist(),
        "ess": effective_sizes(final.chains).tolist(),
        "autocorrelation_lag1": lag_autocorrelation(final.chains, 1).tolist(),
        "observed_in_hull": [bool(in_convex_hull(observed, z))] if p <= 30 else [],
        "final_interval": [float(interval)],
        "final_acceptance": [final.acceptance],
        "final_seconds": [final.seconds],
        "final_cpu_seconds": [final.cpu_seconds],
        "total_cpu_seconds": [final.cpu_seconds + sum(r["cpu_seconds"] for r in trace)],
    }
    return MCMLEFit(
        names=list(names),
        estimates=estimate,
        covariance=covariance,
        mcmc_covariance=mc_cov,
        start=start,
        observed=observed,
        converged=converged,
        iterations=iteration,
        trace=trace,
        diagnostics=diagnostics,
        final_sample=z,
        status=status,
        warnings=notes,
        control=asdict(control),
        seed=seed,
        seconds=time.perf_counter() - tic,
    )


def fit_mcmle(
    panel,
    formula,
    control: MCMLEControl | None = None,
    seed: int | None = None,
    n_jobs: int = 1,
    missing: str = "error",
    start: np.ndarray | None = None,
    level: float = 0.95,
    progress=None,
    scheduler: Any = None,
) -> Any:
    """MCMC-MLE of ``formula`` on ``panel`` (btergm's ``mtergm``), started from the MPLE.

    ``gwesp(α)``, ``gwdsp(α)``, ``gwnsp(α)``, ``gwdegree(α)``, ``gwidegree(α)``, ``gwodegree(α)``
    (and ``dgw*``) written with ``fixed = FALSE`` (or without ``fixed``, ergm's default) are
    curved: their decay is estimated too (:mod:`.curved`), starting at α; the start
    is the MPLE of the formula with the decays fixed at their starting values. A separable
    formula (``Form(~ …) + Persist(~ …)``) is fitted by tergm's CMLE
    (:func:`fit_separable_mcmle`). ``scheduler``: run the chains on that Dask cluster (as the
    bootstrap's ``--scheduler``), with the same result as locally.

    Returns an :class:`~customsnet.modeling.estimation.mcmle_result.MCMLEResult` (a ``FitResult`` with standard
    errors that include the MCMC error, the iteration trace and the convergence diagnostics).
    """
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm
    from customsnet.modeling.estimation.mcmle_result import MCMLEResult

    curved = []
    written = str(formula)  # as the user wrote it (curved terms included), for the result
    if isinstance(formula, str):
        from customsnet.modeling.estimation.curved import split_curved
        from customsnet.modeling.estimation.separable import is_separable

        if is_separable(formula):
            return fit_separable_mcmle(
                panel,
                formula,
                control=control,
                seed=seed,
                n_jobs=n_jobs,
                missing=missing,
                level=level,
                progress=progress,
                scheduler=scheduler,
            )

        formula, curved = split_curved(formula)
    formula = as_formula(formula)
    design = build_design(panel, formula, compress=True, missing=missing)
    names = list(design.names)
    if any(n.startswith("offset(") for n in names):
        raise ValueError(f"estimator 'mcmle' does not take offset() terms ({names}); use estimator='mple'")
    given_start = start
    if curved:
        start = None  # the fixed formula's MPLE; a given start is in the curved coefficients
    if start is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mple = fit_tergm(design, estimator="mple", bootstrap=0)
        start = mple.estimates
        if not np.all(np.isfinite(start)):
            bad = [n for n, v in zip(names, start) if not np.isfinite(v)]
            raise ValueError(
                f"the MPLE does not identify {bad} (separation), so it cannot start the MCMC-MLE; "
                "give start= explicitly (e.g. the btergm estimates) or drop the terms"
            )
    layout = None
    if curved:
        from customsnet.modeling.estimation.curved import curved_steps

        steps, years, layout = curved_steps(panel, formula, names, curved, missing=missing)
        start = layout.start(start) if given_start is None else np.asarray(given_start, dtype=float)
        names = layout.names
    else:
        steps, years = pooled_steps(panel, formula, missing=missing)
    fit = mcmle(
        steps,
        names,
        np.asarray(start, dtype=float),
        control=control,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        layout=layout,
        scheduler=scheduler,
    )
    for message in fit.warnings:
        warnings.warn(message, MCMLEWarning, stacklevel=2)
    return MCMLEResult.from_mcmle(
        fit,
        formula=written,
        years=list(years),
        nobs_dyads=int(design.n_dyads),
        nobs_btergm=int(design.nobs_btergm),
        level=level,
    )


def fit_separable_mcmle(
    panel,
    formula: str,
    control=None,
    seed: int | None = None,
    n_jobs: int = 1,
    missing: str = "error",
    level: float = 0.95,
    progress=None,
    scheduler: Any = None,
):
    """tergm's CMLE of a ``Form(~ …) + Persist(~ …)`` model by MCMC-MLE, started from the CMPLE.

    All transitions and both parts are one pooled model (independent chains per transition and
    part), fitted jointly as ergmx and tergm do.
    """
    from customsnet.modeling.estimation.mcmle_result import MCMLEResult
    from customsnet.modeling.estimation.separable import fit_separable, separable_design, separable_step_models

    design = separable_design(panel, formula, missing=missing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = fit_separable(panel, formula, missing=missing).estimates
    models, names = separable_step_models(panel, formula, missing=missing)
    fit = mcmle(models, names, start, control=control, seed=seed, n_jobs=n_jobs, progress=progress, scheduler=scheduler)
    for message in fit.warnings:
        warnings.warn(message, MCMLEWarning, stacklevel=2)
    result = MCMLEResult.from_mcmle(
        fit,
        formula=formula,
        years=list(design.years),
        nobs_dyads=int(design.n_dyads),
        nobs_btergm=int(design.nobs_btergm),
        level=level,
    )
    result.meta["model"] = "separable (CMLE by MCMC)"
    return result
