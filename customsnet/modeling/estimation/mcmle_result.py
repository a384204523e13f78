"""MCMLEResult: a :class:`~customsnet.modeling.results.FitResult` for MCMC-MLE fits.

It has no bootstrap; its intervals are Wald intervals from standard errors that include the
MCMC error (ergm's ``summary``: Estimate, Std. Error, MCMC %, z value, Pr(>|z|)). It also keeps
the iteration trace, the convergence diagnostics and the final sample of statistics.
:meth:`~customsnet.modeling.results.FitResult.tidy` reads them (``std_error`` is the SE with the
MCMC error, ``lower``/``upper`` the Wald interval), so plots and regression tables show them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.stats import norm

from customsnet.modeling.results import (
    FORMAT_VERSION,
    FitResult,
    Summary,
    _from_json_array,
    _json_safe,
    _level_labels,
    _to_json_array,
)


@dataclass
class MCMLEResult(FitResult):
    """A pooled MCMC-MLE fit (btergm's ``mtergm``); ``covariance`` includes the MCMC part."""

    covariance: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    mcmc_covariance: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    start: np.ndarray = field(default_factory=lambda: np.zeros(0))
    trace: list[dict] = field(default_factory=list)
    diagnostics: dict = field(default_factory=dict)
    final_sample: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    control: dict = field(default_factory=dict)

    interval_source: ClassVar[str] = "mcmc"

    @classmethod
    def from_mcmle(
        cls, fit, formula: str, years: list[int], nobs_dyads: int, nobs_btergm: int, level: float = 0.95
    ) -> MCMLEResult:
        """Wrap an :class:`~customsnet.modeling.estimation.mcmle.MCMLEFit`."""
        p = len(fit.names)
        t = np.asarray(fit.diagnostics.get("t_ratio", [np.nan] * p), float)
        return cls(
            names=list(fit.names),
            estimates=np.asarray(fit.estimates, float),
            status=list(fit.status),
            estimator="mcmle",
            formula=formula,
            years=list(years),
            nobs_dyads=nobs_dyads,
            nobs_btergm=nobs_btergm,
            iterations=int(fit.iterations),
            converged=bool(fit.converged),
            criterion=float(np.nanmax(np.abs(t))) if p else float("nan"),
            deviance=float("nan"),
            boot_t=np.zeros((0, p)),
            boot_indices=np.zeros((0, len(years)), dtype=np.int64),
            boot_failed=np.zeros(0, dtype=bool),
            boot_notes=[],
            seed=fit.seed,
            warnings=list(fit.warnings),
            level=level,
            meta={"seconds": fit.seconds},
            covariance=np.asarray(fit.covariance, float),
            mcmc_covariance=np.asarray(fit.mcmc_covariance, float),
            start=np.asarray(fit.start, float),
            trace=list(fit.trace),
            diagnostics=dict(fit.diagnostics),
            final_sample=np.asarray(fit.final_sample, float),
            control=dict(fit.control),
        )

    # ------------------------------------------------------------------ standard errors
    @property
    def std_errors(self) -> pd.Series:
        """√diag(covariance): standard errors including the MCMC error (ergm's ``Std. Error``)."""
        return pd.Series(np.sqrt(np.diag(self.covariance)), index=self.names, name="Std. Error")

    @property
    def bse(self) -> pd.Series:
        """The standard errors of the table and :meth:`tidy` (statsmodels' name): :attr:`std_errors`."""
        return self.std_errors.rename("Std.Err")

    def cov_params(self) -> pd.DataFrame:
        """The covariance of the estimates, MCMC part included (as :attr:`std_errors`)."""
        return pd.DataFrame(np.asarray(self.covariance, float), index=self.names, columns=self.names)

    @property
    def mcmc_std_errors(self) -> pd.Series:
        """√diag of the MCMC part of the covariance (the Monte Carlo error of the estimates)."""
        return pd.Series(np.sqrt(np.diag(self.mcmc_covariance)), index=self.names, name="MCMC SE")

    def conf_int(self, level: float | None = None, kind: str = "wald") -> pd.DataFrame:
        """Wald intervals θ̂ ± z·SE (the SE includes the MCMC error); ``kind`` is accepted for compatibility."""
        level = self.level if level is None else float(level)
        lo_lab, hi_lab = _level_labels(level)
        z = norm.ppf(0.5 + level / 2)
        se = self.std_errors.to_numpy()
        est = np.asarray(self.estimates, float)
        return pd.DataFrame({lo_lab: est - z * se, hi_lab: est + z * se}, index=self.names)

    def diagnostics_frame(self) -> pd.DataFrame:
        """Per statistic: observed, simulated mean and sd, t-ratio, ESS and lag-1 autocorrelation."""
        d = self.diagnostics
        return pd.DataFrame(
            {
                "observed": d["observed"],
                "sim mean": d["sim_mean"],
                "sim sd": d["sim_sd"],
                "t ratio": d["t_ratio"],
                "ESS": d["ess"],
                "ACF(1)": d["autocorrelation_lag1"],
            },
            index=d.get("stat_names", self.names),
        )

    def trace_frame(self) -> pd.DataFrame:
        """One row per MCMLE iteration: θ at which it sampled, Hummel step, interval, min ESS, max |t|."""
        rows = []
        for r in self.trace:
            row = {k: v for k, v in r.items() if k != "theta"}
            row.update(dict(zip(self.names, r["theta"])))
            rows.append(row)
        return pd.DataFrame(rows).set_index("iteration") if rows else pd.DataFrame()

    # ------------------------------------------------------------------ tables
    def to_frame(self, level: float | None = None, kind: str = "wald") -> pd.DataFrame:
        """ergm's table: Estimate, Std. Error, MCMC %, z value, Pr(>|z|), Wald interval, status."""
        se = self.std_errors.to_numpy()
        mcse = self.mcmc_std_errors.to_numpy()
        est = np.asarray(self.estimates, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / se
            mc_pct = 100.0 * mcse**2 / se**2
        frame = pd.DataFrame(
            {
                "Estimate": est,
                "Std. Error": se,
                "MCMC %": np.round(mc_pct, 1),
                "z value": z,
                "Pr(>|z|)": 2.0 * norm.sf(np.abs(z)),
            },
            index=self.names,
        )
        frame = frame.join(self.conf_int(level))
        frame["Identification"] = list(self.status)
        return frame

    def summary(self, level: float | None = None, kind: str = "wald") -> Summary:
        """Header (formula, steps, iterations, convergence, MCMC settings) and ergm's coefficient table."""
        table = self.to_frame(level)
        span = f"{self.years[0]}-{self.years[-1]}" if self.years else "-"
        c = self.control
        lines = [
            "TERGM by MCMC-MLE (pooled block-diagonal network, as btergm's mtergm)",
            f"Formula: {self.formula}" if self.formula else "Formula: (not recorded)",
            f"Time steps: {self.n_steps} ({span})",
            f"Observations: {self.nobs_dyads:,} dyads ({self.nobs_btergm:,} ordered pairs)",
            (
                f"Iterations: {self.iterations}; converged: {'yes' if self.converged else 'NO'}; "
                f"max |t| of the statistics at the estimate: {self.criterion:.3g}"
            ),
            (
                f"MCMC: sample size {c.get('samplesize')} over {c.get('n_chains')} chains per year, burn-in "
                f"{c.get('burnin')}, final interval {int(self.diagnostics.get('final_interval', [0])[0])}, "
                f"seed {self.seed}"
            ),
            "Std. Error includes the MCMC error (MCMC % is its share of the variance)",
            "",
        ]
        with pd.option_context(
            "display.width", 200, "display.max_columns", 20, "display.float_format", "{:.6f}".format
        ):
            lines.append(table.to_string())
            lines += ["", "MCMC diagnostics at the estimate:", self.diagnostics_frame().to_string()]
        if self.warnings:
            lines += ["", *[f"Warning: {w}" for w in self.warnings]]
        return Summary("\n".join(lines), table)

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        d = asdict(self)
        d["format_version"] = FORMAT_VERSION
        d["result_type"] = "mcmle"
        for key in ("estimates", "boot_t", "boot_indices", "boot_failed", "start"):
            d[key] = _to_json_array(getattr(self, key))
        for key in ("covariance", "mcmc_covariance", "final_sample"):
            d[key] = np.asarray(getattr(self, key), float).tolist()
        return _json_safe(d)

    @classmethod
    def from_dict(cls, d: dict, source: str = "the fit") -> MCMLEResult:
        d = dict(d)
        d.pop("result_type", None)
        keys = ("covariance", "mcmc_covariance", "final_sample", "start", "trace", "diagnostics", "control")
        extra = {k: d.pop(k) for k in keys if k in d}
        base = FitResult.from_dict(d, source).__dict__
        p = len(base["names"])
        return cls(
            **base,
            covariance=np.array(extra.get("covariance", []), float).reshape(p, p),
            mcmc_covariance=np.array(extra.get("mcmc_covariance", []), float).reshape(p, p),
            final_sample=np.array(extra.get("final_sample", []), float).reshape(-1, p),
            start=_from_json_array(extra.get("start", []), float),
            trace=list(extra.get("trace", [])),
            diagnostics=dict(extra.get("diagnostics", {})),
            control=dict(extra.get("control", {})),
        )
