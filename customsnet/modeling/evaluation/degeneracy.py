"""Degeneracy check (btergm's ``checkdegeneracy``): observed statistics against the fitted model's.

For every modeled year, draw ``nsim`` networks from the fitted coefficients (the year's ERGM
given its lagged networks and covariates, TNT chains started at the observed network) and place
the observed statistics in the simulated distribution. A model is degenerate when the simulated
networks pile up far from the observed one (all empty or all full, or the observed statistics
in the far tails in many years). Works for any estimator whose coefficients define the pooled
model (``btergm``, ``mple``, ``mcmle``); ``formation`` fits describe a different risk set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from customsnet.modeling.estimation.mcmc_sample import run_chain
from customsnet.modeling.estimation.mcmle import pooled_steps
from customsnet.modeling.parallel import Progress, map_tasks
from customsnet.modeling.simulation.settings import SimulationSettings
from customsnet.modeling.simulation.simulate import SimulationError, coefficient_vector, model_formula


@dataclass
class DegeneracyCheck:
    """Per year and term: observed statistic, simulated mean / sd / 2.5% / 97.5%, and tail shares."""

    table: pd.DataFrame  # columns: year, term, observed, sim_mean, sim_sd, q2.5, q97.5, below, above, t
    nsim: int
    seed: int
    settings: dict = field(default_factory=dict)  # SimulationSettings.record() of the run

    def flagged(self, tail: float = 0.025) -> pd.DataFrame:
        """Rows where the observed statistic lies outside the central ``1 - 2·tail`` of the simulations."""
        t = self.table
        return t[(t["below"] >= 1 - tail) | (t["above"] >= 1 - tail)]

    def summary(self) -> str:
        """A short text: the share of (year, term) cells in the simulated 95% range, and the worst cells."""
        t = self.table
        inside = 1.0 - len(self.flagged()) / max(len(t), 1)
        worst = t.reindex(t["t"].abs().sort_values(ascending=False).index).head(5)
        with pd.option_context("display.width", 200, "display.float_format", "{:.4g}".format):
            return (
                f"Degeneracy check: {self.nsim} simulated networks per year, seed {self.seed}\n"
                f"observed statistic inside the simulated 95% range in {inside:.1%} of {len(t)} year x term cells\n"
                f"largest |t| = |observed - mean| / sd:\n{worst.to_string(index=False)}"
            )


def _year_draws(step, theta: np.ndarray, settings: SimulationSettings, k: int) -> tuple[np.ndarray, np.ndarray]:
    """One year's chain (a task of :func:`check_degeneracy`): simulated and observed statistics."""
    seed = np.random.SeedSequence(settings.seed, spawn_key=(k,))
    draws = run_chain(step, theta, None, settings.nsim, settings.burnin, settings.interval, seed).stats
    return draws, step.observed_statistics()


def check_degeneracy(
    fit,
    panel,
    *,
    formula=None,
    settings: SimulationSettings | None = None,
    years: list[int] | None = None,
    estimator: str | None = None,
    missing: str = "error",
    progress: Progress | None = None,
) -> DegeneracyCheck:
    """Simulate ``settings.nsim`` networks per modeled year from ``fit`` and compare with the observed statistics.

    ``fit`` is a fit result, a mapping by coefficient name or a vector in formula order;
    ``formula`` defaults to the fit's own. ``settings.burnin`` and ``settings.interval`` count
    TNT proposals per year (ergm's ``MCMC.burnin`` / ``MCMC.interval``; default 10,000 / 1,000);
    chains start at the observed network. ``years`` restricts the check to those modeled years
    (default: a fit result's own years, else all). The sampler's generators are
    ``SeedSequence(settings.seed, spawn_key=(k,))`` with k the position of the year in the
    panel's modeled years, so the years may run on ``settings.n_jobs`` processes or
    ``settings.scheduler`` with the same result. ``progress`` counts the finished years.
    """
    settings = settings or SimulationSettings()
    if settings.start not in (None, "observed"):
        raise SimulationError(f"check_degeneracy starts its chains at the observed network, not {settings.start!r}")
    settings = settings.with_defaults(burnin=10_000, interval=1_000, start="observed")
    formula = model_formula(fit, formula, "check_degeneracy")
    estimator = estimator or getattr(fit, "estimator", None)
    if estimator == "formation":
        raise SimulationError(
            "a formation fit models dyads untied at t-1 only; simulate a btergm, mple or mcmle fit of the full model"
        )
    steps, modeled = pooled_steps(panel, formula, missing=missing)
    names = formula.coef_names(panel.directed)
    theta = coefficient_vector(fit, names)
    if not np.all(np.isfinite(theta)):
        bad = [n for n, v in zip(names, theta) if not np.isfinite(v)]
        raise SimulationError(f"coefficients {bad} are not finite (not identified); the model cannot be simulated")
    wanted = years if years is not None else (getattr(fit, "years", None) or None)
    if wanted is not None:
        absent = [y for y in wanted if y not in modeled]
        if absent:
            raise SimulationError(f"years {absent} are not modeled years of the panel ({modeled[0]}-{modeled[-1]})")
    chosen = [(k, step, year) for k, (step, year) in enumerate(zip(steps, modeled)) if wanted is None or year in wanted]
    results = map_tasks(
        _year_draws,
        [(step, theta, settings, k) for k, step, _ in chosen],
        n_jobs=settings.n_jobs,
        scheduler=settings.scheduler,
        progress=progress,
        description=f"degeneracy: {settings.nsim} networks per year",
    )
    rows = []
    for (_, _, year), (draws, observed) in zip(chosen, results):
        mean, sd = draws.mean(axis=0), draws.std(axis=0, ddof=1)
        lo, hi = np.quantile(draws, [0.025, 0.975], axis=0)
        for j, name in enumerate(names):
            rows.append(
                {
                    "year": year,
                    "term": name,
                    "observed": observed[j],
                    "sim_mean": mean[j],
                    "sim_sd": sd[j],
                    "q2.5": lo[j],
                    "q97.5": hi[j],
                    "below": float(np.mean(draws[:, j] < observed[j])),  # share of simulations below the observation
                    "above": float(np.mean(draws[:, j] > observed[j])),
                    "t": (observed[j] - mean[j]) / sd[j] if sd[j] > 0 else (0.0 if observed[j] == mean[j] else np.inf),
                }
            )
    return DegeneracyCheck(pd.DataFrame(rows), settings.nsim, settings.seed, settings.record())
