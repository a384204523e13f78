"""``customsnet predict | gof | interpret`` as library calls: evaluate a fitted model on its panel.

Each starts from a point fit (a saved ``--fit`` or a fresh fit with the default estimator);
a fit with non-identified coefficients is evaluated as :func:`~customsnet.workflows.fitting.evaluation_fit`
says, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from customsnet.modeling.parallel import Progress, map_tasks
from customsnet.modeling.simulation.settings import SimulationSettings
from customsnet.workflows.fitting import evaluation_fit, fit_or_load, point_fit
from customsnet.workflows.inputs import (
    DEFAULT_ESTIMATOR,
    InputError,
    PanelSource,
    open_panel,
    resolve_formula,
    resolve_formula_names,
    select_years,
    span_text,
)

#: the commands' simulation defaults: 100 networks, seed 1 (as ``--seed``), btergm's chain lengths
DEFAULT_SIMULATION = SimulationSettings(nsim=100, seed=1)


# --------------------------------------------------------------------------- predict
@dataclass
class PredictionRun:
    """One model of ``customsnet predict``: its fit on the training years and both predictions."""

    label: str
    formula: str
    fit: Any
    btergm: Any  # btergm-compatible prediction (chains start at the test year's network)
    honest: Any  # nothing from the test year used


@dataclass
class PredictOutcome:
    runs: list[PredictionRun]
    table: Any  # the side-by-side comparison (pandas DataFrame)
    messages: list[str] = field(default_factory=list)


def _prediction(
    kind: str,
    coefs,
    panel,
    formula: str,
    test: int,
    settings: SimulationSettings,
    label: str,
    method: str,
    sweeps: int,
    missing: str,
    progress: Progress | None = None,
):
    """One prediction of ``customsnet predict`` (a task: ``kind`` is ``"btergm"`` or ``"honest"``)."""
    from customsnet.modeling.evaluation.predict import predict_btergm, predict_honest

    if kind == "btergm":
        return predict_btergm(
            coefs,
            panel,
            formula=formula,
            year=test,
            settings=settings,
            label=label,
            rgraph_seed=settings.seed + 1,
            missing=missing,
            progress=progress,
        )
    return predict_honest(
        coefs,
        panel,
        formula=formula,
        year=test,
        method=method,
        settings=settings,
        sweeps=sweeps,
        label=label,
        missing=missing,
        progress=progress,
    )


def run_predict(
    source: PanelSource,
    formulas: list[str | None],
    train: list[int],
    test: int,
    estimator: str = DEFAULT_ESTIMATOR,
    settings: SimulationSettings = DEFAULT_SIMULATION,
    method: str = "auto",
    sweeps: int = 10,
    out: Path | None = None,
    progress: Progress | None = None,
) -> PredictOutcome:
    """Fit each formula on ``train`` and predict year ``test`` both ways; save tables and figures in ``out``.

    ``settings``: nsim and seed of both predictions (the random-graph baseline uses seed + 1).
    The predictions run on ``settings.n_jobs`` processes or ``settings.scheduler`` (then
    ``progress`` counts finished predictions), else here (then it counts simulated networks).
    """
    import pandas as pd

    from customsnet.modeling.evaluation.predict import compare, plot_roc_pr

    if max(train) >= test:
        raise InputError(f"--train: training years must precede the test year {test} (got up to {max(train)})")
    resolved = [resolve_formula(given, source) for given in (formulas or [None])]
    years = list(range(min(train), test + 1)) if source.path is None else None
    panel = open_panel(PanelSource(source.path, years, source.basis, source.missing))
    if test not in panel.years:
        raise InputError(f"--test: test year {test} is not in the panel ({span_text(panel.years)})")
    training = select_years(panel, train)
    models, messages = [], []
    for k, given in enumerate(resolved, start=1):
        formula, notes = resolve_formula_names(given, panel)
        messages += notes
        fit, caught = point_fit(training, formula, estimator, source.missing)
        fit, notes = evaluation_fit(fit, training, formula, source.missing)
        messages += caught + notes
        models.append((f"model {k}" if len(resolved) > 1 else "model", formula, fit))
    tasks = [
        (kind, fit.params, panel, formula, test, settings, label, method, sweeps, source.missing)
        for label, formula, fit in models
        for kind in ("btergm", "honest")
    ]
    if settings.n_jobs > 1 or settings.scheduler is not None:
        done = map_tasks(
            _prediction,
            tasks,
            n_jobs=settings.n_jobs,
            scheduler=settings.scheduler,
            progress=progress,
            description="predictions",
        )
    else:  # here, so the bars can count every simulated network
        done = [_prediction(*task, progress=progress) for task in tasks]
    runs = [
        PredictionRun(label, formula, fit, done[2 * k], done[2 * k + 1])
        for k, (label, formula, fit) in enumerate(models)
    ]
    predictions = [p for run in runs for p in (run.btergm, run.honest)]
    table = compare(predictions)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "prediction_metrics.csv", float_format="%.10g")
        pd.DataFrame([{"label": r.label, "formula": r.formula} for r in runs]).to_csv(out / "models.csv", index=False)
        for p in predictions:
            name = f"scores_{p.label.replace(' ', '')}_{p.mode.replace(':', '_')}.csv"
            p.scores.to_csv(out / name, index=False, float_format="%.10g")
        plot_roc_pr(predictions, out / "prediction_all_dyads")
        plot_roc_pr(predictions, out / "prediction_new_ties", new_ties=True)
    return PredictOutcome(runs, table, messages)


# --------------------------------------------------------------------------- gof
@dataclass
class GofOutcome:
    result: Any  # modeling.gof's result (tables, summary, plot)
    figures: list[Path]
    messages: list[str] = field(default_factory=list)


def run_gof(
    source: PanelSource,
    formula: str | None,
    fit_path: Path | None,
    out: Path,
    estimator: str = DEFAULT_ESTIMATOR,
    settings: SimulationSettings = DEFAULT_SIMULATION,
    btergm_compatible: bool = False,
    progress: Progress | None = None,
) -> GofOutcome:
    """Simulate from the fitted model on the panel's years; tables and boxplots in ``out``.

    ``settings`` as for :func:`~customsnet.modeling.evaluation.gof.gof` (the random-graph
    baseline of the tie prediction uses seed + 1); ``progress`` counts the finished years.
    """
    from customsnet.modeling.evaluation.gof import gof
    from customsnet.modeling.terms.formula import as_formula

    panel = open_panel(source)
    fit, formula, messages = fit_or_load(panel, source, formula, fit_path, estimator)
    eval_years = panel.years[as_formula(formula).max_lag :]
    result = gof(
        fit,
        panel,
        formula=formula,
        years=eval_years,
        settings=settings,
        btergm_compatible=btergm_compatible,
        rgraph_seed=settings.seed + 1,
        missing=source.missing,
        progress=progress,
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, table in result.tables.items():
        table.to_csv(out / f"gof_{name}.csv", index_label="category", float_format="%.10g")
    return GofOutcome(result, result.plot(out / "gof"), messages)


# --------------------------------------------------------------------------- interpret
@dataclass
class InterpretOutcome:
    formula: str
    averages: list[Any]  # DataFrames: probability by shared partners / degree (observed, counterfactual)
    effects: Any | None  # DataFrame of binary covariate effects, or None
    figures: list[Path]
    messages: list[str] = field(default_factory=list)


def run_interpret(
    source: PanelSource,
    formula: str | None,
    fit_path: Path | None,
    out: Path,
    estimator: str = DEFAULT_ESTIMATOR,
    covariates: tuple[str, ...] = (),
) -> InterpretOutcome:
    """Per-dyad tie probabilities (edgeprob), averages by shared partners and degree, covariate effects."""
    import pandas as pd

    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.evaluation.interpret import (
        binary_covariate_effect,
        dyad_structure,
        edgeprob,
        plot_probability_bars,
        probability_by_degree,
        probability_by_shared_partners,
        with_bootstrap_intervals,
    )
    from customsnet.modeling.terms.formula import as_formula

    panel = open_panel(source)
    fit, formula, messages = fit_or_load(panel, source, formula, fit_path, estimator)
    design = build_design(panel, formula, compress=False, check=False, missing=source.missing)
    table = edgeprob(fit, design)
    structure = dyad_structure(table, panel, as_formula(formula).lhs, design)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "edgeprob.csv", index=False, float_format="%.17g")

    def average(func, **kwargs):  # with 95% bootstrap intervals when the fit has replicates
        if fit.R:
            return with_bootstrap_intervals(func, fit, table, structure, **kwargs)
        return func(fit, table, structure, **kwargs)

    frames = []
    if any(n.startswith("gwesp.") for n in design.names):
        frames += [
            average(probability_by_shared_partners),
            average(probability_by_shared_partners, kind="counterfactual"),
        ]
    frames.append(average(probability_by_degree))
    if any(n.startswith("gwdeg.") for n in design.names):
        frames.append(average(probability_by_degree, kind="counterfactual"))
    for frame in frames:
        key = "shared_partners" if "shared_partners" in frame.columns else "degree"
        frame.to_csv(out / f"probability_by_{key}_{frame['kind'].iloc[0]}.csv", index=False, float_format="%.10g")
    effects = None
    if covariates:
        effects = pd.DataFrame([binary_covariate_effect(fit, table, name) for name in covariates])
        effects.to_csv(out / "covariate_effects.csv", index=False, float_format="%.10g")
    figures = plot_probability_bars(frames, out / "probabilities")  # the formula is printed, not a title
    return InterpretOutcome(formula, frames, effects, figures, messages)


# --------------------------------------------------------------------------- degeneracy
@dataclass
class DegeneracyOutcome:
    check: Any  # modeling.degeneracy's result (table, summary())
    table_path: Path
    messages: list[str] = field(default_factory=list)


def run_degeneracy(
    source: PanelSource,
    formula: str | None,
    fit_path: Path | None,
    out: Path,
    estimator: str = DEFAULT_ESTIMATOR,
    settings: SimulationSettings = DEFAULT_SIMULATION,
    progress: Progress | None = None,
) -> DegeneracyOutcome:
    """btergm's checkdegeneracy: simulate from a fit per year; ``out/degeneracy.csv``; ``progress`` counts years."""
    from customsnet.modeling.evaluation.degeneracy import check_degeneracy

    panel = open_panel(source)
    fit, formula, messages = fit_or_load(panel, source, formula, fit_path, estimator)
    check = check_degeneracy(fit, panel, formula=formula, settings=settings, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "degeneracy.csv"
    check.table.to_csv(path, index=False, float_format="%.10g")
    return DegeneracyOutcome(check, path, messages)
