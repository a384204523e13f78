"""Covariate x linear time models (the study's Table A5): does an effect grow or fade over the years?

For each covariate ``c`` the model keeps its main effect and adds btergm's
``timecov(x = c)``, whose change statistic at calendar step ``s`` is ``c_ij * s`` (``s`` counts
the *untrimmed* panel years from 1, so with a lag-1 memory the first modeled year has
``s = 2``; spec §3.3). The implied effect of one unit of ``c`` in the year at step ``s`` is

    beta_main + beta_interaction * s

and its interval comes from the same bootstrap replicates (main and interaction drawn jointly).
Coefficient names follow btergm: ``edgecov.c[[i]]`` and ``edgecov.timecov<k>.c[[i]]``, with
``k`` the rank of the timecov term in the formula.

Node attributes. ``timecov`` needs a *dyadic* covariate (btergm: a list of matrices), so a
nodal term such as ``absdiff("polyarchy")`` cannot be interacted directly. Because
``absdiff("a")`` is exactly the dyadic matrix ``|a_i - a_j|``, we derive that matrix per year
as a dyadic covariate ``absdiff_a`` in a copy of the panel; ``timecov(x = absdiff_a)`` then
interacts it with time. When the formula already has ``absdiff("a")`` (power 1) that term is
the main effect (``absdiff.a``); adding ``edgecov(absdiff_a)`` too would duplicate it exactly.
Otherwise ``edgecov(absdiff_a)`` is added as the main effect. A missing attribute value makes
the whole row and column of the derived matrix missing, as in ``absdiff`` itself. Other nodal
terms (``nodecov``: ``a_i + a_j``; ``nodematch``) could be derived the same way but are not
offered, to keep the names honest about what was interacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.bootstrap import percentile_interval
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.evaluation.plots import save_figure
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.results import FitResult
from customsnet.modeling.terms import AbsDiff, DyadCov, EdgeCov, Term, TimeCov
from customsnet.modeling.terms.formula import Formula, FormulaError, as_formula

TABLE_COLUMNS = ["covariate", "effect", "term", "estimate", "lower", "upper"]


class TimeTrendError(ValueError):
    """A time-trend model cannot be set up (unknown covariate, bad name)."""


@dataclass(frozen=True)
class TrendTerm:
    """One covariate to interact with time: what the user named and the dyadic covariate used."""

    covariate: str  # as given: a dyadic covariate / network, or a node attribute
    dyadic: str  # the dyadic covariate timecov reads (``absdiff_<attr>`` for a node attribute)
    derived_from: str | None = None  # the node attribute behind a derived ``absdiff_<attr>``


def derived_absdiff_name(attr: str) -> str:
    """Name of the dyadic ``|a_i - a_j|`` covariate derived from node attribute ``attr``."""
    return f"absdiff_{attr}"


def resolve_trends(panel: Panel, covariates: Sequence[str]) -> list[TrendTerm]:
    """Decide for each covariate which dyadic covariate ``timecov`` reads (see module doc)."""
    trends = []
    for cov in covariates:
        # btergm finds timecov's covariate with the regex \w+; other characters break the name
        if not cov or not all(ch.isalnum() or ch == "_" for ch in cov):
            raise TimeTrendError(f"covariate name {cov!r} must use letters, digits and underscores only")
        if cov in panel.dyad_covs or cov in panel.networks:
            trends.append(TrendTerm(cov, cov))
        elif cov in panel.node_attrs:
            trends.append(TrendTerm(cov, derived_absdiff_name(cov), derived_from=cov))
        else:
            raise TimeTrendError(
                f"{cov!r} is neither a dyadic covariate/network ({sorted(set(panel.dyad_covs) | set(panel.networks))}) "
                f"nor a node attribute ({sorted(panel.node_attrs)}) of the panel"
            )
    if len({t.dyadic for t in trends}) != len(trends):
        raise TimeTrendError(f"covariates {list(covariates)} repeat a time trend")
    return trends


def absdiff_matrix(values: np.ndarray) -> np.ndarray:
    """``|a_i - a_j|`` for all pairs (NaN where either value is missing), zero diagonal."""
    m = np.abs(values[:, None] - values[None, :])
    np.fill_diagonal(m, 0.0)
    return m


def with_absdiff_covariates(panel: Panel, attrs: Sequence[str]) -> Panel:
    """A copy of ``panel`` with the dyadic covariates ``absdiff_<attr>`` added for each attribute."""
    derived = {}
    for attr in attrs:
        name = derived_absdiff_name(attr)
        if name in panel.dyad_covs or name in panel.networks:
            raise TimeTrendError(f"the panel already has a dyadic covariate or network named {name!r}")
        derived[name] = {y: absdiff_matrix(panel.node_attr(attr, y)) for y in panel.years}
    return Panel(
        years=list(panel.years),
        nodes=dict(panel.nodes),
        networks=panel.networks,
        dyad_covs={**panel.dyad_covs, **derived},
        node_attrs=panel.node_attrs,
        directed=panel.directed,
        missing=list(panel.missing),
        meta=dict(panel.meta),
    )


def _main_effect(formula: Formula, trend: TrendTerm) -> Term | None:
    """The formula's existing main effect of ``trend``, or None."""
    for term in formula.terms:
        if isinstance(term, (EdgeCov, DyadCov)) and term.x == trend.dyadic:
            return term
        if trend.derived_from and isinstance(term, AbsDiff) and term.attr == trend.derived_from and term.pow == 1:
            return term
    return None


def _existing_timecov(formula: Formula, dyadic: str) -> bool:
    return any(isinstance(t, TimeCov) and t.x == dyadic for t in formula.terms)


def timetrend_formula(formula: Formula | str, trends: Sequence[TrendTerm]) -> Formula:
    """``formula`` plus, per trend, its main effect (if absent) and ``timecov(x = <dyadic>)``.

    Main effects are appended before the timecov terms; a ``timecov(x = ...)`` already in the
    formula is kept, not repeated. btergm numbers timecov terms in formula order.
    """
    formula = as_formula(formula)
    mains: list[Term] = [EdgeCov(t.dyadic) for t in trends if _main_effect(formula, t) is None]
    trend_terms: list[Term] = [TimeCov(x=t.dyadic) for t in trends if not _existing_timecov(formula, t.dyadic)]
    try:
        return Formula(formula.lhs, tuple(formula.terms) + tuple(mains) + tuple(trend_terms))
    except FormulaError as exc:
        raise TimeTrendError(f"cannot add time trends to {formula}: {exc}") from None


def trend_names(formula: Formula, trend: TrendTerm, directed: bool) -> tuple[str, str]:
    """Coefficient names (main effect, time interaction) of ``trend`` in ``formula``."""
    main = _main_effect(formula, trend)
    inter = next((t for t in formula.terms if isinstance(t, TimeCov) and t.x == trend.dyadic), None)
    if main is None or inter is None:
        raise TimeTrendError(f"formula {formula} lacks the main effect or the timecov term of {trend.covariate!r}")
    return main.coef_names(directed)[0], inter.coef_names(directed)[0]


@dataclass
class TimeTrendResult:
    """A fitted covariate x time model, with helpers to read the implied effects over time."""

    fit: FitResult
    formula: Formula
    trends: list[TrendTerm]
    panel_years: list[int]
    directed: bool = False
    time_values: dict[int, float] = field(default_factory=dict)  # modeled year -> timecov multiplier

    def names(self, trend: TrendTerm) -> tuple[str, str]:
        return trend_names(self.formula, trend, self.directed)

    def trend(self, covariate: str) -> TrendTerm:
        for t in self.trends:
            if covariate in (t.covariate, t.dyadic):
                return t
        raise TimeTrendError(f"no time trend for {covariate!r} (have {[t.covariate for t in self.trends]})")

    def table(self, level: float | None = None) -> pd.DataFrame:
        """Main effects and time interactions with bootstrap intervals (one row per coefficient)."""
        estimates = self.fit.tidy(self.fit.level if level is None else level).set_index("term")[
            ["estimate", "lower", "upper"]
        ]
        rows = [
            {"covariate": trend.covariate, "effect": effect, "term": name, **estimates.loc[name].to_dict()}
            for trend in self.trends
            for effect, name in zip(("main", "x time"), self.names(trend))
        ]
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)

    def effect_over_time(self, covariate: str, level: float | None = None) -> pd.DataFrame:
        """Per modeled year: ``main + interaction * s`` and its percentile interval from the replicates."""
        level = self.fit.level if level is None else float(level)
        main, inter = self.names(self.trend(covariate))
        params = self.fit.params
        boot = self.fit.boot_frame()[[main, inter]].to_numpy(float) if self.fit.R else np.zeros((0, 2))
        boot = boot[np.all(np.isfinite(boot), axis=1)]
        rows = []
        for year, s in self.time_values.items():
            effect = params[main] + params[inter] * s
            lo, hi = percentile_interval(boot[:, 0] + boot[:, 1] * s, level) if len(boot) else (np.nan, np.nan)
            rows.append({"year": year, "time_value": s, "effect": effect, "lower": lo, "upper": hi})
        return pd.DataFrame(rows, columns=["year", "time_value", "effect", "lower", "upper"])

    def figure(self, level: float | None = None) -> Figure:
        """The implied effect of each covariate over the modeled years with its band."""
        return effects_figure([(self, t) for t in self.trends], level)

    def plot(self, path: str | Path, level: float | None = None) -> list[Path]:
        """:meth:`figure` written to ``path`` (format by extension, see :func:`save_figure`)."""
        return save_figure(self.figure(level), path)


def effects_figure(panels: Sequence[tuple[TimeTrendResult, TrendTerm]], level: float | None = None) -> Figure:
    """One panel per (model, covariate): ``main + interaction x s`` per year with its bootstrap band."""
    from customsnet.modeling.evaluation.plots import (
        DOUBLE_COLUMN,
        new_figure,
        outside_legend,
        publication_style,
    )

    k = len(panels)
    ncols = min(k, 3)
    nrows = -(-k // ncols)
    with publication_style():
        fig = new_figure(DOUBLE_COLUMN, 0.5 + 2.0 * nrows)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, (result, trend) in zip(axes, panels):
            frame = result.effect_over_time(trend.covariate, level)
            ax.fill_between(
                frame["year"],
                frame["lower"],
                frame["upper"],
                color="#0072B2",
                alpha=0.25,
                lw=0,
                label="bootstrap interval",
            )
            ax.plot(
                frame["year"], frame["effect"], "o-", color="#0072B2", ms=2.5, lw=1.2, label="main + interaction x time"
            )
            ax.axhline(0.0, color="#777777", lw=0.6, ls="--")
            ax.set_title(trend.covariate)
            ax.set_xlabel("year")
            ax.set_ylabel("effect (log-odds per unit)")
        for ax in axes[k:]:
            ax.set_visible(False)
        outside_legend(fig, *axes[0].get_legend_handles_labels())
    return fig


@dataclass
class TimeTrendStudy:
    """One covariate x time model per covariate (the study's Table A5): the base formula plus one trend."""

    results: dict[str, TimeTrendResult]

    @property
    def fits(self) -> dict[str, FitResult]:
        """The fits by covariate, for a side-by-side table (``customsnet table``, :func:`regression_table`)."""
        return {cov: r.fit for cov, r in self.results.items()}

    def table(self, level: float | None = None) -> pd.DataFrame:
        """Main effect and time interaction of each model's covariate (Table A5's rows), one row per coefficient."""
        return pd.concat([r.table(level) for r in self.results.values()], ignore_index=True)

    def effects(self, level: float | None = None) -> pd.DataFrame:
        """Per covariate and modeled year: the implied effect and its interval."""
        return pd.concat(
            [r.effect_over_time(cov, level).assign(covariate=cov) for cov, r in self.results.items()], ignore_index=True
        )

    def figure(self, level: float | None = None) -> Figure:
        return effects_figure([(r, r.trend(cov)) for cov, r in self.results.items()], level)

    def plot(self, path: str | Path, level: float | None = None) -> list[Path]:
        return save_figure(self.figure(level), path)


def fit_timetrends(
    panel: Panel,
    formula: Formula | str,
    covariates: Sequence[str],
    estimator: str = "mple",
    bootstrap: int = 100,
    seed: int | None = None,
    level: float = 0.95,
    n_jobs: int = 1,
    missing: str = "error",
    progress=None,
) -> TimeTrendStudy:
    """Table A5: for each covariate its own model, ``formula`` + that covariate's time trend.

    Every model bootstraps with the same ``seed``, so the models differ only by their trend term.
    ``progress(covariate)`` is called before each fit. (:func:`fit_timetrend` puts several trends
    in one model instead.)
    """
    if not covariates:
        raise TimeTrendError("give at least one covariate to interact with time")
    resolve_trends(panel, covariates)  # all names checked before the first fit
    results = {}
    for cov in covariates:
        if progress is not None:
            progress(cov)
        results[cov] = fit_timetrend(
            panel,
            formula,
            [cov],
            estimator=estimator,
            bootstrap=bootstrap,
            seed=seed,
            level=level,
            n_jobs=n_jobs,
            missing=missing,
        )
    return TimeTrendStudy(results)


def fit_timetrend(
    panel: Panel,
    formula: Formula | str,
    covariates: Sequence[str],
    estimator: str = "mple",
    bootstrap: int = 100,
    seed: int | None = None,
    level: float = 0.95,
    n_jobs: int = 1,
    missing: str = "error",
) -> TimeTrendResult:
    """One model with ``timecov(x = c)`` (and main effects) for every covariate; fit and return it.

    For the study's Table A5 (one model per covariate) use :func:`fit_timetrends`.
    """
    if not covariates:
        raise TimeTrendError("give at least one covariate to interact with time")
    formula = as_formula(formula)
    trends = resolve_trends(panel, covariates)
    derived = [t.derived_from for t in trends if t.derived_from]
    data = with_absdiff_covariates(panel, derived) if derived else panel
    model = timetrend_formula(formula, trends)
    design = build_design(data, model, compress=True, missing=missing)
    design.formula = str(model)
    fit = fit_tergm(design, estimator=estimator, bootstrap=bootstrap, seed=seed, n_jobs=n_jobs, level=level)
    # every trend has the default clock: s = calendar position in the untrimmed year list
    clock = TimeCov().time_values(len(panel.years))
    times = {y: float(clock[panel.years.index(y)]) for y in design.years}
    return TimeTrendResult(
        fit=fit, formula=model, trends=trends, panel_years=list(panel.years), directed=panel.directed, time_values=times
    )
