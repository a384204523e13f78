"""FitResult: a fitted TERGM, in the style of statsmodels' results objects.

``params``, ``bse``, ``conf_int()``, ``cov_params()``, ``nobs``, ``llf``, ``aic``, ``bic``,
``summary()`` (text and HTML), ``save()``/``load()`` (JSON, plus a CSV of the table).

:meth:`FitResult.tidy` is *the* table of results: one row per term (and per identified
combination), columns :data:`TIDY_COLUMNS`. Every consumer (plots, reports, the ``table``
command, the robustness studies) reads it by column name; :meth:`FitResult.to_frame` is only
btergm's printed layout of the same numbers.

Terms whose estimates do not exist carry NaN and a status saying why; identified combinations
of them (e.g. ``edges - memory``) are reported as extra rows.

Likelihood quantities are *pseudo*-likelihood quantities: ``llf`` is the maximised log
pseudo-likelihood (the logistic log-likelihood of the change statistics, which treats dyads as
independent given the rest of the network), and ``aic``/``bic`` are computed from it. They are
useful to compare specifications fitted to the same dyads, but they are not likelihood-based
information criteria of the ERGM itself (the MPLE's dependence is ignored), so read them as a
rough guide only.
"""

from __future__ import annotations

import importlib
import json
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.stats import norm

from customsnet.modeling.estimation.bootstrap import (
    basic_interval,
    complete_replicates,
    percentile_interval,
)

FORMAT_VERSION = 1

#: ``result_type`` written by a FitResult subclass -> where the subclass lives (``module:Class``);
#: named by string so the base class does not import the estimators built on it
RESULT_TYPES = {"mcmle": "customsnet.modeling.estimation.mcmle_result:MCMLEResult"}

#: columns of :meth:`FitResult.tidy`, in order
TIDY_COLUMNS = ["term", "estimate", "boot_mean", "std_error", "lower", "upper", "status"]

#: the status of an identified combination's row in :meth:`FitResult.tidy`
COMBINATION_STATUS = "identified combination"


class FitFormatError(ValueError):
    """A saved fit cannot be read (not a fit file, or written in another format version)."""


def is_estimated(status: str) -> bool:
    """True when a :meth:`FitResult.tidy` status means the estimate exists ("ok ..." or a combination)."""
    status = str(status)
    return status.startswith("ok") or status == COMBINATION_STATUS


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

    #: where :attr:`bse` and the intervals come from: "bootstrap" (the replicates; none when R = 0)
    #: or "mcmc" (Wald, from an MCMC-MLE's standard errors), so tables can say which is which
    interval_source: ClassVar[str] = "bootstrap"

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
        """Mean of the complete replicates per term (btergm's ``Boot mean``); NaN without replicates."""
        t = self._complete()
        return pd.Series([_mean(t[:, j]) for j in range(len(self.names))], index=self.names, dtype=float)

    def _complete(self) -> np.ndarray:
        """Complete replicates (R' x p), silently: the warning is given once, by conf_int/summary."""
        if not self.R:
            return np.zeros((0, len(self.names)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, _ = complete_replicates(self.boot_t, self.names)
        return t

    @property
    def bse(self) -> pd.Series:
        """Bootstrap standard errors: the standard deviation (ddof 1) of the complete replicates.

        NaN for a term without an estimate or with fewer than two finite replicates. Identified
        combinations are appended. (btergm's own ``btergm.se`` is :meth:`btergm_se`.)
        """
        t = self._complete()
        values = [_sd(t[:, j]) for j in range(len(self.names))] + [
            _sd(np.asarray(c.boot, float)) for c in self.combinations
        ]
        est = list(self.estimates) + [c.estimate for c in self.combinations]
        values = [v if np.isfinite(e) else np.nan for v, e in zip(values, est)]
        return pd.Series(values, index=self._row_labels(), name="Std.Err", dtype=float)

    def cov_params(self) -> pd.DataFrame:
        """Bootstrap covariance of the coefficients (complete replicates, ddof 1); NaN rows/columns
        for terms without an estimate or with fewer than two replicates."""
        t = self._complete()
        p = len(self.names)
        cov = np.full((p, p), np.nan)
        live = np.isfinite(np.asarray(self.estimates, float)) & (np.isfinite(t).all(axis=0) if len(t) else False)
        if len(t) >= 2 and live.any():
            sub = np.cov(t[:, live], rowvar=False, ddof=1)
            cov[np.ix_(live, live)] = np.atleast_2d(sub)
        return pd.DataFrame(cov, index=self.names, columns=self.names)

    @property
    def nobs(self) -> int:
        """Number of observations: dyads over all modeled steps (the risk set for ``formation``)."""
        return int(self.nobs_dyads)

    @property
    def llf(self) -> float:
        """Maximised log pseudo-likelihood, −deviance/2 (binary responses: the saturated model's is 0)."""
        return -0.5 * float(self.deviance) if np.isfinite(self.deviance) else float("nan")

    @property
    def df_model(self) -> int:
        """Estimated parameters: finite estimates plus identified combinations (each one direction).

        Offsets (status "fixed (offset)") are given, not estimated, and do not count (as in ergm).
        """
        estimated = np.isfinite(np.asarray(self.estimates, float))
        estimated &= np.array([not str(s).startswith("fixed (offset)") for s in self.status], dtype=bool)
        return int(estimated.sum()) + len(self.combinations)

    @property
    def aic(self) -> float:
        """Pseudo-likelihood AIC, −2·llf + 2k (see the module notes: a rough guide for an MPLE)."""
        return -2.0 * self.llf + 2.0 * self.df_model

    @property
    def bic(self) -> float:
        """Pseudo-likelihood BIC, −2·llf + k·log(nobs) (see the module notes)."""
        return -2.0 * self.llf + self.df_model * float(np.log(self.nobs)) if self.nobs > 0 else float("nan")

    def _row_labels(self) -> list[str]:
        return list(self.names) + [c.label for c in self.combinations]

    # ------------------------------------------------------------------ tables
    def tidy(self, level: float | None = None, kind: str = "perc") -> pd.DataFrame:
        """The one results table: ``term, estimate, boot_mean, std_error, lower, upper, status``.

        One row per coefficient in fit order, then one per identified combination (status
        ``"identified combination"``). ``lower``/``upper`` are the bootstrap interval at ``level``
        (:meth:`conf_int`), ``std_error`` is :attr:`bse`, ``boot_mean`` the mean of the complete
        replicates. ``status`` is the identification status ("ok", "ok (exists: ...)",
        "not identified: ...", ...): test it with :func:`is_estimated`. The level is in
        ``frame.attrs["level"]``.
        """
        level = self.level if level is None else float(level)
        ci = self.conf_int(level, kind)
        boot_mean = list(self.boot_mean().to_numpy()) + [_mean(np.asarray(c.boot, float)) for c in self.combinations]
        frame = pd.DataFrame(
            {
                "term": self._row_labels(),
                "estimate": np.asarray(list(self.estimates) + [c.estimate for c in self.combinations], dtype=float),
                "boot_mean": np.asarray(boot_mean, dtype=float),
                "std_error": self.bse.to_numpy(dtype=float),
                "lower": ci.iloc[:, 0].to_numpy(dtype=float),
                "upper": ci.iloc[:, 1].to_numpy(dtype=float),
                "status": list(self.status) + [COMBINATION_STATUS] * len(self.combinations),
            },
            columns=TIDY_COLUMNS,
        )
        frame.attrs["level"] = level
        return frame

    def to_frame(self, level: float | None = None, kind: str = "perc") -> pd.DataFrame:
        """btergm's printed layout of :meth:`tidy` (Estimate, Boot mean, 2.5%, 97.5%, Identification)."""
        level = self.level if level is None else float(level)
        tidy = self.tidy(level, kind)
        lo, hi = _level_labels(level)
        return pd.DataFrame(
            {
                "Estimate": tidy["estimate"].to_numpy(),
                "Boot mean": tidy["boot_mean"].to_numpy(),
                lo: tidy["lower"].to_numpy(),
                hi: tidy["upper"].to_numpy(),
                "Identification": tidy["status"].to_numpy(),
            },
            index=tidy["term"].to_list(),
        )

    def summary(self, level: float | None = None, kind: str = "perc") -> Summary:
        """A printable summary: header (formula, estimator, steps, R, nobs, convergence) and table."""
        table = self.to_frame(level, kind)
        crit = "final relative deviance change" if self.estimator == "btergm" else "max |gradient|"
        span = f"{self.years[0]}-{self.years[-1]}" if self.years else "-"
        lines = [
            f"TERGM by MPLE ({self.estimator})",
            f"Formula: {self.formula}" if self.formula else "Formula: (not recorded)",
            *(
                [
                    "Model: tie formation (dyads untied at t-1; memory terms dropped; "
                    "edges estimates btergm's edges - memory)"
                ]
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
            f"Iterations: {self.iterations}; converged: {'yes' if self.converged else 'NO'}; "
            f"{crit}: {self.criterion:.3g}",
            "",
        ]
        lines.insert(-1, self._likelihood_line())
        with pd.option_context(
            "display.width", 200, "display.max_columns", 20, "display.float_format", "{:.6f}".format
        ):
            lines.append(table.to_string())
        if self.warnings:
            lines += ["", *[f"Warning: {w}" for w in self.warnings]]
        return Summary("\n".join(lines), table)

    def _likelihood_line(self) -> str:
        return (
            f"Log pseudo-likelihood: {self.llf:.3f}; pseudo-AIC {self.aic:.3f}; pseudo-BIC {self.bic:.3f} "
            f"({self.df_model} parameters)"
        )

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
        t = self._complete()
        est = np.asarray(self.estimates, float)
        se = np.sqrt(np.mean((t - est) ** 2, axis=0)) if len(t) else np.full(len(est), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (0.0 - self.boot_mean().to_numpy()) / se
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
    def from_dict(cls, d: dict, source: str = "the fit") -> FitResult:
        """A result from :meth:`to_dict`'s output; the format version must be this one's."""
        kind = d.get("result_type")
        if kind in RESULT_TYPES and cls is FitResult:
            # a subclass's fit (e.g. MCMC-MLE: covariance, trace, diagnostics) reads its own fields
            module, _, name = RESULT_TYPES[kind].partition(":")
            return getattr(importlib.import_module(module), name).from_dict(d, source)
        d = dict(d)
        version = d.pop("format_version", None)
        if version is None or "names" not in d:
            raise FitFormatError(
                f"{source} is not a customsnet fit (no format_version/names); "
                "pass the fit.json written by `customsnet fit` or FitResult.save"
            )
        if version != FORMAT_VERSION:
            newer = isinstance(version, int) and version > FORMAT_VERSION
            raise FitFormatError(
                f"{source} has fit format version {version}, this customsnet reads version {FORMAT_VERSION}: "
                + (
                    "upgrade customsnet to read it"
                    if newer
                    else "refit the model with this version (customsnet fit ...)"
                )
            )
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
        # offsets' fixed coefficients (-inf for structural zeros) are kept as text: JSON has no infinity
        for name, value in d.get("meta", {}).get("offset_coef", {}).items():
            if name in d["names"]:
                k = d["names"].index(name)
                d["estimates"][k] = float(value)
                d["boot_t"][:, k] = float(value)
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
    def load(cls, path: str | Path) -> FitResult:
        path = Path(path)
        if path.suffix != ".json":
            path = path.with_suffix(".json")
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise FitFormatError(f"{path} is not valid JSON (line {exc.lineno}): not a saved fit") from None
        return cls.from_dict(data, source=str(path))


@dataclass
class Summary:
    """Printable summary; ``table`` holds the numbers; ``as_html()`` for notebooks and reports."""

    text: str
    table: pd.DataFrame

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def as_text(self) -> str:
        return self.text

    def as_html(self) -> str:
        """The header lines as a paragraph and the table as an HTML table (escaped)."""
        import html

        header, _, _ = self.text.partition("\n\n")
        lines = "<br>".join(html.escape(line) for line in header.splitlines())
        table = self.table.to_html(border=0, na_rep="", float_format=lambda v: f"{v:.4f}")
        return f"<div class='fit-summary'><p>{lines}</p>{table}</div>"

    def _repr_html_(self) -> str:
        return self.as_html()


def _finite(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[np.isfinite(x)]


def _mean(x: np.ndarray) -> float:
    x = _finite(x)
    return float(x.mean()) if len(x) else float("nan")


def _sd(x: np.ndarray) -> float:
    x = _finite(x)
    return float(x.std(ddof=1)) if len(x) >= 2 else float("nan")


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
