"""FitResult: a fitted TERGM, in the style of statsmodels' results objects.

``params`` (pandas Series), ``conf_int()``, ``summary()``, ``to_frame()``, ``btergm_se()``,
``save()``/``load()`` (JSON, plus a CSV of the table). Terms whose estimates do not exist carry
NaN and a status saying why; identified combinations of them (e.g. ``edges - memory``) are
reported as extra rows.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from customsnet.modeling.bootstrap import basic_interval, complete_replicates, percentile_interval

FORMAT_VERSION = 1


@dataclass
class Combination:
    """An identified linear combination of coefficients that are not identified one by one."""

    label: str
    coefs: dict[str, float]
    estimate: float
    boot: list[float] = field(default_factory=list)


@dataclass
class FitResult:
    """A TERGM fit: estimates, bootstrap replicates and the diagnostics needed to read them."""

    names: list[str]
    estimates: np.ndarray
    status: list[str]
    estimator: str
    formula: str
    years: list[int]
    nobs_dyads: int
    nobs_btergm: int
    iterations: int
    converged: bool
    criterion: float
    deviance: float
    boot_t: np.ndarray  # (R, p); NaN where a replicate has no estimate
    boot_indices: np.ndarray  # (R, T') 1-based step numbers, as R's boot.array(indices = TRUE)
    boot_failed: np.ndarray  # bool per replicate
    boot_notes: list[str]
    combinations: list[Combination] = field(default_factory=list)
    seed: int | None = None
    warnings: list[str] = field(default_factory=list)
    level: float = 0.95
    meta: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ basics
    @property
    def params(self) -> pd.Series:
        """Point estimates by btergm coefficient name (NaN when not identified)."""
        return pd.Series(np.asarray(self.estimates, dtype=float), index=self.names, name="Estimate")

    @property
    def n_steps(self) -> int:
        """T': the number of modeled time steps."""
        return len(self.years)

    @property
    def R(self) -> int:
        """Number of bootstrap replications requested."""
        return int(self.boot_t.shape[0])

    @property
    def n_failed(self) -> int:
        return int(np.sum(self.boot_failed))

    def boot_frame(self) -> pd.DataFrame:
        """Replicate coefficients (R x terms), as btergm's ``fit@boot$t``."""
        return pd.DataFrame(self.boot_t, columns=self.names, index=pd.RangeIndex(1, self.R + 1, name="rep"))

    # ------------------------------------------------------------------ intervals
    def conf_int(self, level: float | None = None, kind: str = "perc") -> pd.DataFrame:
        """Bootstrap interval per term (``perc`` as boot's percentile, or ``basic``).

        Columns are labelled like R (``2.5%``, ``97.5%``). Terms without an estimate, or a run
        without bootstrap, give NaN. Identified combinations are appended as extra rows.
        """
        level = self.level if level is None else float(level)
        if kind not in ("perc", "basic"):
            raise ValueError(f"kind must be 'perc' or 'basic', got {kind!r}")
        lo_lab, hi_lab = _level_labels(level)
        rows = {}
        t, _ = complete_replicates(self.boot_t, self.names) if self.R else (self.boot_t, None)
        for j, name in enumerate(self.names):
            rows[name] = self._interval(t[:, j] if self.R else np.array([]), self.estimates[j], level, kind)
        for c in self.combinations:
            rows[c.label] = self._interval(np.asarray(c.boot, float), c.estimate, level, kind)
        return pd.DataFrame.from_dict(rows, orient="index", columns=[lo_lab, hi_lab])

    @staticmethod
    def _interval(t: np.ndarray, estimate: float, level: float, kind: str) -> tuple[float, float]:
        t = t[np.isfinite(t)]
        if len(t) == 0 or not np.isfinite(estimate):
            return (np.nan, np.nan)
        if kind == "basic":
            return basic_interval(t, estimate, level)
        return percentile_interval(t, level)

    def boot_mean(self) -> pd.Series:
        """Mean of the complete replicates per term (btergm's ``Boot mean``)."""
        if not self.R:
            return pd.Series(np.nan, index=self.names)
        t, _ = complete_replicates(self.boot_t, self.names)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return pd.Series(np.nanmean(t, axis=0) if len(t) else np.nan, index=self.names)

    # ------------------------------------------------------------------ tables
    def to_frame(self, level: float | None = None, kind: str = "perc") -> pd.DataFrame:
        """btergm's table (Estimate, Boot mean, lower, upper) plus an identification column."""
        ci = self.conf_int(level, kind)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean = self.boot_mean()
        frame = pd.DataFrame(
            {
                "Estimate": list(self.estimates) + [c.estimate for c in self.combinations],
                "Boot mean": list(mean.to_numpy())
                + [float(np.nanmean(c.boot)) if len(c.boot) and np.isfinite(c.boot).any() else np.nan for c in self.combinations],
            },
            index=list(self.names) + [c.label for c in self.combinations],
        )
        frame = frame.join(ci)
        frame["Identification"] = list(self.status) + ["identified combination"] * len(self.combinations)
        return frame

    def summary(self, level: float | None = None, kind: str = "perc") -> "Summary":
        """A printable summary: header (formula, estimator, steps, R, nobs, convergence) and table."""
        table = self.to_frame(level, kind)
        crit = "final relative deviance change" if self.estimator == "btergm" else "max |gradient|"
        span = f"{self.years[0]}-{self.years[-1]}" if self.years else "-"
        lines = [
            f"TERGM by MPLE ({self.estimator})",
            f"Formula: {self.formula}" if self.formula else "Formula: (not recorded)",
            *(
                ["Model: tie formation (dyads untied at t-1; memory terms dropped; edges estimates btergm's edges - memory)"]
                if self.estimator == "formation"
                else []
            ),
            f"Time steps: {self.n_steps} ({span})",
            f"Bootstrapping sample size: {self.R}"
            + (f" ({self.n_failed} failed)" if self.n_failed else "")
            + (f", seed {self.seed}" if self.seed is not None else ""),
            (
                f"Observations: {self.nobs_dyads:,} dyads at risk (untied at t-1) of {self.nobs_btergm:,} ordered pairs"
                if self.estimator == "formation"
                else f"Observations: {self.nobs_dyads:,} dyads ({self.nobs_btergm:,} ordered pairs, btergm's nobs)"
            ),
            f"Iterations: {self.iterations}; converged: {'yes' if self.converged else 'NO'}; {crit}: {self.criterion:.3g}",
            "",
        ]
        with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.6f}".format):
            lines.append(table.to_string())
        if self.warnings:
            lines += ["", *[f"Warning: {w}" for w in self.warnings]]
        return Summary("\n".join(lines), table)

    def btergm_se(self) -> pd.DataFrame:
        """btergm's ``btergm.se``: RMS of replicates around the estimate, with its z and p.

        Caveats (kept for compatibility, not recommended): the "standard error" uses divisor R
        and centres on the point estimate, not the replicate mean; ``z = (0 - Boot mean)/SE``
        has the opposite sign of the estimate; under separation the numbers are meaningless.
        Prefer :meth:`conf_int`.
        """
        warnings.warn(
            "bootstrapped standard errors and p-values may be misleading; report the percentile intervals",
            UserWarning,
            stacklevel=2,
        )
        t, _ = complete_replicates(self.boot_t, self.names)
        est = np.asarray(self.estimates, float)
        se = np.sqrt(np.mean((t - est) ** 2, axis=0)) if len(t) else np.full(len(est), np.nan)
        z = (0.0 - np.nanmean(t, axis=0)) / se if len(t) else np.full(len(est), np.nan)
        return pd.DataFrame(
            {"Estimate": est, "Std.Err": se, "Z value": z, "Pr(>z)": 2.0 * norm.cdf(-np.abs(z))}, index=self.names
        )

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        d = asdict(self)
        d["format_version"] = FORMAT_VERSION
        for key in ("estimates", "boot_t", "boot_indices", "boot_failed"):
            d[key] = _to_json_array(getattr(self, key))
        return _json_safe(d)

    @classmethod
    def from_dict(cls, d: dict) -> "FitResult":
        if d.get("result_type") == "mcmle" and cls is FitResult:
            # MCMC-MLE fits carry more fields (covariance, trace, diagnostics)
            from customsnet.modeling.mcmle_result import MCMLEResult

            return MCMLEResult.from_dict(d)
        d = dict(d)
        d.pop("format_version", None)
        d["estimates"] = _from_json_array(d["estimates"], float)
        d["boot_t"] = _from_json_array(d["boot_t"], float).reshape(-1, len(d["names"]))
        d["boot_indices"] = _from_json_array(d["boot_indices"], np.int64).reshape(len(d["boot_t"]), len(d["years"]))
        d["boot_failed"] = _from_json_array(d["boot_failed"], bool)
        d["combinations"] = [
            Combination(
                label=c["label"],
                coefs=c["coefs"],
                estimate=_nan_if_none(c["estimate"]),
                boot=[_nan_if_none(v) for v in c.get("boot", [])],
            )
            for c in d.get("combinations", [])
        ]
        for key in ("criterion", "deviance"):
            d[key] = _nan_if_none(d[key])
        return cls(**d)

    def save(self, path: str | Path) -> tuple[Path, Path]:
        """Write ``<path>.json`` (everything) and ``<path>.csv`` (the summary table)."""
        path = Path(path)
        if path.suffix in (".json", ".csv"):
            path = path.with_suffix("")
        path.parent.mkdir(parents=True, exist_ok=True)
        json_path, csv_path = path.with_suffix(".json"), path.with_suffix(".csv")
        json_path.write_text(json.dumps(self.to_dict(), indent=1, allow_nan=False))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.to_frame().to_csv(csv_path, index_label="term", float_format="%.17g")
        return json_path, csv_path

    @classmethod
    def load(cls, path: str | Path) -> "FitResult":
        path = Path(path)
        if path.suffix != ".json":
            path = path.with_suffix(".json")
        return cls.from_dict(json.loads(path.read_text()))


@dataclass
class Summary:
    """Printable summary; ``table`` holds the numbers."""

    text: str
    table: pd.DataFrame

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def as_text(self) -> str:
        return self.text


def _level_labels(level: float) -> tuple[str, str]:
    # R: paste0(100 * (1 - level) / 2, "%"), 15 significant digits
    lo = 100 * (1 - level) / 2
    hi = 100 * (1 + level) / 2
    return f"{float(f'{lo:.15g}'):g}%", f"{float(f'{hi:.15g}'):g}%"


def _to_json_array(a: np.ndarray) -> list:
    arr = np.asarray(a)
    if arr.dtype.kind == "f":
        return [None if not np.isfinite(v) else float(v) for v in arr.ravel()]
    return arr.ravel().tolist()


def _json_safe(value):
    """Non-finite floats become None (JSON has no NaN); containers are walked."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _nan_if_none(v) -> float:
    return float("nan") if v is None else float(v)


def _from_json_array(values: list, dtype) -> np.ndarray:
    if dtype is float:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    return np.asarray(values, dtype=dtype)
