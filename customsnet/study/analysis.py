"""The study's analysis of one panel: Models 1–3 and the formation model, out-of-sample
prediction, goodness of fit, interpretation and hive plots, saved to a run directory.

Used by ``customsnet demo`` (synthetic world) and ``customsnet run`` (real sources). It works on
a :class:`~customsnet.modeling.panel.panel.Panel` only; the callers export the panel from the graph
and write the results back. Every artefact goes to ``run_dir`` (JSON, CSV, PNG/SVG), so the
report can be rebuilt from it without refitting (:mod:`customsnet.report.build`).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from customsnet import __version__
from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.bootstrap import Progress, labelled
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.results import FitResult
from customsnet.modeling.simulation.settings import SimulationSettings
from customsnet.modeling.terms.formula import parse_formula
from customsnet.study.rundir import RunDirectory

#: fewer new ties than this in a test year: AUCs are too noisy to read, the output says so
SMALL_TEST_SET = 20

NETWORK_TERMS = "gwesp(0.5, fixed=TRUE) + gwdegree(0.1, fixed=TRUE)"
COVARIATE_TERMS = (
    "edgecov(mlat) + edgecov(fta) + edgecov(trade) + edgecov(contiguity) + edgecov(terrorism) + edgecov(drugs)"
    " + absdiff('polyarchy') + absdiff('civlib') + absdiff('corruption') + absdiff('ideal_point')"
)


def study_formulas(outcome: str = "CMAA", covariate_terms: str = COVARIATE_TERMS) -> dict[str, str]:
    """The study's three models (btergm syntax) on the exported panel's names."""
    return {
        "Model 1": f"{outcome} ~ edges + {NETWORK_TERMS} + memory(type='stability')",
        "Model 2": f"{outcome} ~ edges + {covariate_terms}",
        "Model 3": f"{outcome} ~ edges + {NETWORK_TERMS} + memory(type='stability') + {covariate_terms}",
    }


def without_memory(formula: str) -> str:
    """The formula minus its memory term (the formation model's own formula)."""
    f = parse_formula(formula)
    kept = [t.to_r() for t in f.terms if not t.to_r().startswith("memory(")]
    return f"{f.lhs} ~ " + " + ".join(kept)


@dataclass
class AnalysisSettings:
    """What to run and how hard (the demo's defaults; tests shrink them)."""

    bootstrap: int = 100
    seed: int = 1
    n_jobs: int = 2
    missing: str = "impute-mode"
    estimator: str = "mple"
    train: tuple[int, int] = (1990, 1999)
    test_year: int = 2000
    predict_nsim: int = 100
    gof_years: tuple[int, ...] = (2000, 2010, 2020)
    gof_nsim: int = 50
    hive_every: int = 5
    top_predictions: int = 3
    #: Table A5: one covariate x time model per covariate (those of Model 3's edgecov terms)
    timetrend_covariates: tuple[str, ...] = ("mlat", "fta", "trade")
    #: Figure A2: shares of CMAA ties rewired, repetitions per share (Model 3, no bootstrap)
    rewire_shares: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)
    rewire_reps: int = 3


@dataclass
class StageTimer:
    """Wall time per stage, reported in the run summary."""

    seconds: dict[str, float] = field(default_factory=dict)

    def __call__(self, name: str, started: float) -> None:
        self.seconds[name] = round(time.perf_counter() - started, 2)


def _save_fig(fig, path_stem: Path) -> Path:
    """PNG (embedded in the report) + PDF (for the paper) next to ``path_stem``; returns the PNG."""
    from customsnet.modeling.evaluation.plots import save_figure

    return save_figure(fig, path_stem)[0]


def identified_truth(fits: dict[str, FitResult], truth: dict | None) -> dict[str, float]:
    """The generating values worth drawing: those of terms Model 3 identifies, plus edges − memory.

    btergm's edges and memory of the demo are set far apart on purpose (ties never dissolve), so
    their "true values" are arbitrary points on a ridge; only their difference, the formation
    intercept, is a parameter the data can recover.
    """
    from customsnet.modeling.results import is_estimated

    truth = truth or {}
    values = dict(truth.get("btergm", {}))
    model = fits.get("Model 3")
    if model is None or not values:
        return {}
    tidy = model.tidy()
    keep = {t: values[t] for t, s in zip(tidy["term"], tidy["status"]) if t in values and is_estimated(s)}
    combo = [c.label for c in model.combinations if c.label.startswith("edges - ")]
    if combo and "formation_intercept" in truth:
        keep[combo[0]] = float(truth["formation_intercept"])
    return keep


def fit_models(
    panel: Panel,
    formulas: dict[str, str],
    settings: AnalysisSettings,
    run: RunDirectory,
    progress: Callable[[str], None],
    bars: Progress | None = None,
) -> dict[str, FitResult]:
    """Fit every model (settings.estimator) plus Model 3's formation model; save JSON + CSV.

    ``bars`` (``start(description, total) -> advance(n)``) follows each model's bootstrap.
    """
    fits: dict[str, FitResult] = {}
    run.fits.mkdir(parents=True, exist_ok=True)
    jobs = [(name, f, settings.estimator) for name, f in formulas.items()]
    if "Model 3" in formulas:
        jobs.append(("Formation", formulas["Model 3"], "formation"))
    for name, formula, estimator in jobs:
        progress(f"fitting {name} ({estimator}, R={settings.bootstrap})")
        design = build_design(panel, formula, missing=settings.missing)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_tergm(
                design,
                estimator=estimator,
                bootstrap=settings.bootstrap,
                seed=settings.seed,
                n_jobs=settings.n_jobs,
                progress=labelled(bars, name),
            )
        fit.meta["missing_policy"] = settings.missing
        fit.meta["model"] = name
        fits[name] = fit
        fit.save(run.fit_file(name))
    return fits


def _btergm_point_fit(panel: Panel, formula: str, settings: AnalysisSettings) -> FitResult:
    """btergm-parity point fit (no bootstrap): finite coefficients even under separation, for simulation."""
    design = build_design(panel, formula, missing=settings.missing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_tergm(design, estimator="btergm", bootstrap=0)


def out_of_sample(
    panel: Panel, formulas: dict[str, str], settings: AnalysisSettings, run: RunDirectory, progress
) -> pd.DataFrame:
    """Train on ``settings.train`` (DV years), predict ``settings.test_year``: btergm's recipe and the honest one."""
    from customsnet.modeling.evaluation.predict import (
        compare,
        plot_roc_pr,
        predict_btergm,
        predict_honest,
    )

    first, last = settings.train
    lag_year = first - 1 if (first - 1) in panel.years else first
    train = panel.subset_years([y for y in panel.years if lag_year <= y <= last])
    window = panel.subset_years([y for y in panel.years if settings.test_year - 1 <= y <= settings.test_year])
    predictions = []
    for name in ("Model 2", "Model 3"):
        if name not in formulas:
            continue
        progress(f"out-of-sample: {name}")
        fit = _btergm_point_fit(train, formulas[name], settings)
        simulation = SimulationSettings(nsim=settings.predict_nsim, seed=settings.seed)
        predictions.append(
            predict_btergm(
                fit,
                window,
                formula=formulas[name],
                year=settings.test_year,
                settings=simulation,
                label=name,
                rgraph_seed=settings.seed,
                missing=settings.missing,
            )
        )
        predictions.append(
            predict_honest(
                fit,
                window,
                formula=formulas[name],
                year=settings.test_year,
                method="auto",
                settings=simulation,
                label=name,
                missing=settings.missing,
            )
        )
    table = flag_small_test_sets(compare(predictions).reset_index())
    table.to_csv(run.prediction_file, index=False)
    plot_roc_pr(predictions, run.figure("roc_pr_all"), new_ties=False)
    plot_roc_pr(predictions, run.figure("roc_pr_new_ties"), new_ties=True)
    return table


def prediction_warnings(table: pd.DataFrame) -> list[str]:
    """One line per model whose test set is small (the table has a row per model and mode)."""
    if "warning" not in table:
        return []
    lines = [f"{label}: {w}" for label, w in zip(table.get("label", [""] * len(table)), table["warning"]) if w]
    return list(dict.fromkeys(lines))


def flag_small_test_sets(table: pd.DataFrame, minimum: int = SMALL_TEST_SET) -> pd.DataFrame:
    """Add ``small_test_set`` (fewer than ``minimum`` new ties) and a readable ``warning`` column."""
    table = table.copy()
    new = table["new ties"] if "new ties" in table else pd.Series(np.nan, index=table.index)
    table["small_test_set"] = new.fillna(0) < minimum
    table["warning"] = [
        f"only {int(n)} new ties in the test year (< {minimum}): the new-tie AUCs are too noisy to compare models"
        if small
        else ""
        for n, small in zip(new.fillna(0), table["small_test_set"])
    ]
    return table


def goodness_of_fit(
    panel: Panel, formulas: dict[str, str], settings: AnalysisSettings, run: RunDirectory, progress
) -> pd.DataFrame:
    """GOF of the btergm-parity fits of ``formulas`` (the study compares Models 2 and 3) for a few
    years, chains started at t−1 (honest); one figure with the models side by side."""
    from customsnet.modeling.evaluation.gof import gof, plot_gof

    years = [y for y in settings.gof_years if y in panel.years[1:]]
    if not years or not formulas:
        return pd.DataFrame()
    n = max(len(panel.nodes[y]) for y in years)
    sweep = n * (n - 1) // 2
    results, rows = {}, []
    for name, formula in formulas.items():
        progress(f"goodness of fit, {name} ({len(years)} years x {settings.gof_nsim} simulations)")
        fit = _btergm_point_fit(panel, formula, settings)
        simulation = SimulationSettings(
            nsim=settings.gof_nsim,
            seed=settings.seed,
            burnin=3 * sweep,
            interval=max(sweep // 4, 1000),
            start="previous",
            n_jobs=settings.n_jobs,
        )
        res = gof(fit, panel, formula=formula, years=years, settings=simulation, missing=settings.missing)
        results[name] = res
        for stat, table in res.tables.items():
            t = table.copy()
            t.insert(0, "statistic", stat)
            t.insert(0, "model", name)
            rows.append(t.reset_index().rename(columns={"index": "category"}))
    plot_gof(results, run.figure("gof"))
    frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    frame.to_csv(run.gof_file, index=False)
    return frame


def interpretation(
    panel: Panel, formula: str, settings: AnalysisSettings, run: RunDirectory, progress, bars: Progress | None = None
) -> dict:
    """edgeprob-based average probabilities by shared partners and degree with 95% bootstrap
    intervals (btergm-parity fit, bootstrapped like the models); the MLAT difference."""
    from customsnet.modeling.evaluation.interpret import (
        binary_covariate_effect,
        dyad_structure,
        edgeprob,
        plot_probability_bars,
        probability_by_degree,
        probability_by_shared_partners,
        with_bootstrap_intervals,
    )

    progress(f"interpretation (edgeprob, probabilities by shared partners and degree, R={settings.bootstrap})")
    design = build_design(panel, formula, missing=settings.missing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # btergm's estimator: finite coefficients in every replicate, even where memory separates
        fit = fit_tergm(
            design,
            estimator="btergm",
            bootstrap=settings.bootstrap,
            seed=settings.seed,
            n_jobs=settings.n_jobs,
            progress=labelled(bars, "interpretation"),
        )
    design = build_design(panel, formula, compress=False, missing=settings.missing, check=False)
    table = edgeprob(fit, design)
    structure = dyad_structure(table, panel, parse_formula(formula).lhs, design)
    by_sp = with_bootstrap_intervals(probability_by_shared_partners, fit, table, structure, max_k=8)
    by_deg = with_bootstrap_intervals(probability_by_degree, fit, table, structure, max_k=20)
    by_sp.to_csv(run.root / "prob_by_shared_partners.csv", index=False)
    by_deg.to_csv(run.root / "prob_by_degree.csv", index=False)
    plot_probability_bars([by_sp, by_deg], run.figure("predicted_probabilities"))
    out = {}
    if "edgecov.mlat[[i]]" in fit.names:
        out["mlat"] = binary_covariate_effect(fit, table, "edgecov.mlat[[i]]")
    run.interpretation_file.write_text(json.dumps(out, indent=2, default=float), encoding="utf-8")
    return out


def time_trends(panel: Panel, formula: str, settings: AnalysisSettings, run: RunDirectory, progress) -> pd.DataFrame:
    """Table A5: one covariate x time model per covariate of ``formula`` listed in the settings."""
    from customsnet.modeling.evaluation.timetrend import fit_timetrends
    from customsnet.modeling.terms import EdgeCov

    present = {t.x for t in parse_formula(formula).terms if isinstance(t, EdgeCov)}
    covariates = [c for c in settings.timetrend_covariates if c in present]
    if not covariates:
        return pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = fit_timetrends(
            panel,
            formula,
            covariates,
            estimator=settings.estimator,
            bootstrap=settings.bootstrap,
            seed=settings.seed,
            n_jobs=settings.n_jobs,
            missing=settings.missing,
            progress=lambda c: progress(f"time trend: {c} x time (R={settings.bootstrap})"),
        )
    out = run.root / "timetrend"
    out.mkdir(parents=True, exist_ok=True)
    for cov, result in study.results.items():
        result.fit.meta["model"] = f"{cov} x time"
        result.fit.save(out / f"timetrend_{cov}")
    table = study.table()
    table.to_csv(run.root / "timetrend.csv", index=False)
    study.effects().to_csv(run.root / "timetrend_effects.csv", index=False)
    study.plot(run.figure("timetrend"))
    return table


def rewiring_sensitivity(
    panel: Panel, formula: str, settings: AnalysisSettings, run: RunDirectory, progress
) -> pd.DataFrame:
    """Figure A2: refit ``formula`` with shares of the outcome ties rewired (no bootstrap)."""
    from customsnet.modeling.evaluation.sensitivity import (
        plot_sensitivity,
        rewiring_study,
        summarize_study,
    )

    if not settings.rewire_shares:
        return pd.DataFrame()
    n = 1 + len(settings.rewire_shares) * settings.rewire_reps
    progress(f"rewiring sensitivity ({n} fits)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = rewiring_study(
            panel,
            formula,
            shares=settings.rewire_shares,
            reps=settings.rewire_reps,
            estimator=settings.estimator,
            bootstrap=0,
            seed=settings.seed,
            terms="network",
            missing=settings.missing,
            n_jobs=settings.n_jobs,
        )
    study.to_csv(run.root / "sensitivity.csv", index=False)
    summary = summarize_study(study)
    summary.to_csv(run.root / "sensitivity_summary.csv", index=False)
    plot_sensitivity(study, run.figure("sensitivity"))
    return summary


def hive_plots(
    panel: Panel, regions: dict[str, str], settings: AnalysisSettings, run: RunDirectory, outcome: str = "CMAA"
) -> Path:
    """Hive plots of the outcome network every ``hive_every`` years (axes: world regions); the PNG path."""
    years = [y for y in panel.years if (y - panel.years[0]) % settings.hive_every == 0 or y == panel.years[-1]]
    return _save_fig(hive_figure(panel, regions, sorted(set(years)), outcome), run.figure("hive"))


def hive_figure(panel: Panel, regions: dict[str, str], years: list[int], outcome: str = "CMAA"):
    """The study's Figure 5: one hive plot per year, three per row at double-column width."""
    from customsnet.modeling.evaluation.plots import DOUBLE_COLUMN, new_figure, publication_style

    continents = {lab: _continent(regions.get(lab, "")) for y in years for lab in panel.nodes[y]}
    axes_order = [c for c in ("Africa", "Americas", "Asia", "Europe", "Oceania", "Other") if c in continents.values()]
    max_deg = max(float(panel.network(outcome, y).sum(axis=1).max()) for y in years) or 1.0
    cols = min(len(years), 3)
    rows = int(np.ceil(len(years) / cols))
    with publication_style():
        fig = new_figure(DOUBLE_COLUMN, 2.35 * rows)
        axs = fig.subplots(rows, cols, squeeze=False)
        _draw_hives(axs, years, cols, panel, continents, axes_order, outcome, max_deg)
    return fig


def _draw_hives(axs, years, cols, panel, continents, axes_order, outcome, max_deg) -> None:
    from customsnet.report.hive import draw_hive

    for k, y in enumerate(years):
        labels = panel.nodes[y]
        groups = np.array([continents[lab] for lab in labels])
        a = panel.network(outcome, y)
        deg = np.asarray(a.sum(axis=1)).ravel()
        top = {labels[i]: labels[i] for i in np.argsort(-deg)[:3] if deg[i] > 0}
        draw_hive(
            axs[k // cols][k % cols],
            a,
            groups,
            axes_order,
            title=f"{y}: {int(sp.triu(a, 1).nnz)} ties",
            max_degree=max_deg,
            highlight=top,
            labels=labels,
        )
    for k in range(len(years), axs.size):
        axs[k // cols][k % cols].axis("off")


def _continent(region: str) -> str:
    r = (region or "").lower()
    # "europe" before "asia": World Bank regions such as "Europe & Central Asia" mean Europe here
    for key, name in (
        ("africa", "Africa"),
        ("america", "Americas"),
        ("caribbean", "Americas"),
        ("europe", "Europe"),
        ("asia", "Asia"),
        ("melanesia", "Oceania"),
        ("micronesia", "Oceania"),
        ("polynesia", "Oceania"),
        ("australia", "Oceania"),
        ("oceania", "Oceania"),
    ):
        if key in r:
            return name
    return "Other"  # e.g. a party the graph has no region for


def predicted_partners(
    panel: Panel, formation_fit: FitResult, formula: str, settings: AnalysisSettings
) -> pd.DataFrame:
    """Top new partners per country for the year after the panel, from the formation model.

    Conditional probability of each untied dyad given the last observed network and the last
    year's covariates (the same values the model uses for that year). Pairs listed in
    ``panel.meta["tied_pairs"]`` (an agreement of any date, undated included) are never listed.
    """
    from customsnet.modeling.simulation.simulate import simulation_inputs

    last = panel.years[-1]
    ym = simulation_inputs(
        formation_fit.params, panel, formula=without_memory(formula), year=last, missing=settings.missing
    )
    a = sp.csr_matrix(ym.observed)
    n = len(ym.nodes)
    i, j = np.triu_indices(n, k=1)
    # every term's change statistics on the last observed network (dependent terms included)
    eta = ym.conditional_logodds(a, i, j)
    p = 1.0 / (1.0 + np.exp(-eta))
    untied = np.asarray(a[i, j]).ravel() == 0
    # a pair with an agreement of any date (undated, or dated after the panel) is not a "new" partner
    tied_elsewhere = set(panel.meta.get("tied_pairs", []))
    if tied_elsewhere:
        pairs = np.char.add(np.char.add(np.asarray(ym.nodes[i], dtype=str), " "), np.asarray(ym.nodes[j], dtype=str))
        untied &= ~np.isin(pairs, list(tied_elsewhere))
    frame = pd.DataFrame({"a": ym.nodes[i], "b": ym.nodes[j], "p": p})[untied]
    both = pd.concat(
        [frame.rename(columns={"a": "iso3", "b": "partner"}), frame.rename(columns={"b": "iso3", "a": "partner"})]
    )
    both = both.sort_values(["iso3", "p"], ascending=[True, False])
    both["rank"] = both.groupby("iso3").cumcount() + 1
    top = both[both["rank"] <= settings.top_predictions].copy()
    top["year"] = last + 1
    return top.rename(columns={"p": "probability"})[["iso3", "partner", "year", "probability", "rank"]]


def run_analysis(
    panel: Panel,
    run_dir: Path | RunDirectory,
    settings: AnalysisSettings,
    regions: dict[str, str],
    progress: Callable[[str], None] = lambda s: None,
    formulas: dict[str, str] | None = None,
    truth: dict | None = None,
    meta: dict | None = None,
    bars: Progress | None = None,
) -> dict:
    """Everything after the panel: fits, prediction, GOF, interpretation, plots; returns the run summary.

    ``progress(text)`` is told each stage; ``bars`` (``start(description, total) -> advance(n)``)
    follows the bootstraps with counts (the CLI's bars; None: none).

    The summary's ``synthetic`` comes from the panel's provenance (``panel.meta["synthetic"]``:
    some fact came from a synthetic Source); ``meta`` cannot override it. Only a panel without
    provenance (not exported from the graph) takes ``meta["synthetic"]``.
    """
    from customsnet.modeling.evaluation.plots import coefficient_plot

    run = run_dir if isinstance(run_dir, RunDirectory) else RunDirectory.create(run_dir)
    run.figures.mkdir(parents=True, exist_ok=True)
    timer = StageTimer()
    formulas = formulas or study_formulas(panel.meta.get("outcome", "CMAA"))
    panel.save(run.panel_file)

    t = time.perf_counter()
    fits = fit_models(panel, formulas, settings, run, progress, bars)
    timer("fits", t)
    for name, fit in fits.items():
        fit.tidy().to_csv(run.coefficients_file(name), index=False)
    coefficient_plot(fits, run.figure("coefficients"), truth=identified_truth(fits, truth) or None)

    t = time.perf_counter()
    pred = out_of_sample(panel, formulas, settings, run, progress)
    timer("prediction", t)
    t = time.perf_counter()
    goodness_of_fit(panel, {k: formulas[k] for k in ("Model 2", "Model 3") if k in formulas}, settings, run, progress)
    timer("gof", t)
    t = time.perf_counter()
    interp = interpretation(panel, formulas["Model 3"], settings, run, progress, bars)
    timer("interpretation", t)
    t = time.perf_counter()
    hive_plots(panel, regions, settings, run, outcome=parse_formula(formulas["Model 3"]).lhs)
    partners = predicted_partners(panel, fits["Formation"], formulas["Model 3"], settings)
    partners.to_csv(run.predicted_partners_file, index=False)
    timer("plots and predictions", t)
    t = time.perf_counter()
    time_trends(panel, formulas["Model 3"], settings, run, progress)
    timer("time trends", t)
    t = time.perf_counter()
    rewiring_sensitivity(panel, formulas["Model 3"], settings, run, progress)
    timer("rewiring sensitivity", t)

    summary = {
        "run_id": run.run_id,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "software_version": __version__,
        "formulas": formulas,
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(settings).items()},
        "years": [panel.years[0], panel.years[-1]],
        "n_nodes": {str(y): len(panel.nodes[y]) for y in panel.years},
        "ties": {
            str(y): int(sp.triu(panel.network(parse_formula(formulas["Model 3"]).lhs, y), 1).nnz) for y in panel.years
        },
        "missing_notes": list(panel.missing),
        "fit_warnings": {k: f.warnings for k, f in fits.items()},
        "interpretation": interp,
        "prediction": pred.to_dict(orient="records"),
        "truth": truth or {},
        "stage_seconds": timer.seconds,
        "undated": panel.meta.get("undated", {}),
        "observation_sources": panel.meta.get("observation_sources", {}),
        "sources": sorted({r["source"] for r in panel.meta.get("sources", []) if r.get("source")}),
        "warnings": prediction_warnings(pred),
        **(meta or {}),
    }
    if "synthetic" in panel.meta:
        summary["synthetic"] = bool(panel.meta["synthetic"])
        summary["synthetic_sources"] = sorted(
            {r["source"] for r in panel.meta.get("sources", []) if r.get("synthetic")}
        )
    if summary.get("synthetic") and not summary.get("banner"):
        summary["banner"] = (
            "SYNTHETIC DATA: facts from synthetic sources were used ("
            + ", ".join(summary.get("synthetic_sources", []))
            + ")."
        )
    run.write_summary(summary, default=_json_default)
    return summary


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
