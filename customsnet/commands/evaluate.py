"""CLI commands (evaluate): ``customsnet predict``, ``customsnet gof`` and ``customsnet interpret``."""

from __future__ import annotations

import warnings
from pathlib import Path

import click
import pandas as pd

from customsnet.commands.fit import load_panel, parse_years
from customsnet.modeling.estimators import ESTIMATORS

PANEL_HELP = "Panel file (.npz from Panel.save) or a btergm reference case directory."


def resolve_formula(formula: str | None, panel_path: Path, fit_result=None) -> str:
    """The formula given, else the fit's, else the reference formula for a reference case directory."""
    if formula:
        return formula
    if fit_result is not None and fit_result.formula:
        return fit_result.formula
    if panel_path.is_dir():
        from customsnet.modeling.reference import REFERENCE_FORMULA

        return REFERENCE_FORMULA
    raise click.UsageError("--formula is required with a panel file")


def fit_years(panel, formula: str, years: list[int] | None, estimator: str):
    """Fit (no bootstrap) on ``years`` of the panel; warnings are collected, not printed as they come."""
    from customsnet.modeling.build import build_design
    from customsnet.modeling.fit import fit_tergm

    if years is not None:
        missing = [y for y in years if y not in panel.years]
        if missing:
            raise click.BadParameter(f"the panel has no years {missing} (it has {panel.years[0]}-{panel.years[-1]})")
        panel = panel.subset_years(years)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_tergm(build_design(panel, formula, compress=True), estimator=estimator, bootstrap=0)
    return result, [str(w.message) for w in caught]


def fit_or_load(panel, panel_path: Path, formula: str | None, fit_path: Path | None, years, estimator: str):
    """A saved fit (``--fit``) or a fresh fit on ``years``; returns (fit, formula, messages)."""
    if fit_path is not None:
        from customsnet.modeling.results import FitResult

        fit = FitResult.load(fit_path)
        return fit, resolve_formula(formula, panel_path, fit), []
    formula = resolve_formula(formula, panel_path)
    fit, messages = fit_years(panel, formula, years, estimator)
    return fit, formula, messages


def _echo_messages(messages: list[str]) -> None:
    for message in dict.fromkeys(messages):
        click.echo(f"warning: {message}", err=True)


# --------------------------------------------------------------------------- predict
def run_predict(panel_path: Path, formulas: list[str | None], train: list[int], test: int, estimator: str, nsim: int,
                seed: int, method: str, sweeps: int, out: Path | None):
    """Fit each formula on ``train`` and predict ``test`` both ways.

    Returns a list of (label, formula, fit, btergm-compatible prediction, honest prediction), the
    side-by-side comparison table and the collected warnings.
    """
    from customsnet.modeling.predict import compare, plot_roc_pr, predict_btergm, predict_honest

    panel = load_panel(panel_path)
    if test not in panel.years:
        raise click.BadParameter(f"test year {test} is not in the panel ({panel.years[0]}-{panel.years[-1]})")
    if max(train) >= test:
        raise click.BadParameter(f"training years must precede the test year {test} (got up to {max(train)})")
    runs, messages = [], []
    for k, given in enumerate(formulas or [None], start=1):
        formula = resolve_formula(given, panel_path)
        fit, caught = fit_years(panel, formula, train, estimator)
        messages += caught
        label = f"model {k}" if len(formulas or [None]) > 1 else "model"
        leaky = predict_btergm(fit, panel, formula, test, nsim=nsim, seed=seed, rgraph_seed=seed + 1, label=label)
        honest = predict_honest(fit, panel, formula, test, method=method, nsim=nsim, seed=seed, sweeps=sweeps,
                                label=label)
        runs.append((label, formula, fit, leaky, honest))
    predictions = [p for run in runs for p in run[3:]]
    table = compare(predictions)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "prediction_metrics.csv", float_format="%.10g")
        pd.DataFrame([{"label": r[0], "formula": r[1]} for r in runs]).to_csv(out / "models.csv", index=False)
        for p in predictions:
            name = f"scores_{p.label.replace(' ', '')}_{p.mode.replace(':', '_')}.csv"
            p.scores.to_csv(out / name, index=False, float_format="%.10g")
        plot_roc_pr(predictions, out / "prediction_all_dyads")
        plot_roc_pr(predictions, out / "prediction_new_ties", new_ties=True)
    return runs, table, messages


def _echo_run(label: str, formula: str, fit, leaky, honest, test_year: int, estimator: str, years: list[int],
              nsim: int, quiet: bool) -> None:
    click.echo(f"{label}: {formula}")
    if not quiet:
        click.echo(f"coefficients ({estimator}, fitted on {years[0]}-{years[-1]}):")
        for name, value in fit.params.items():
            click.echo(f"  {name:<28} {value: .6f}")
    b = leaky.btergm_all
    click.echo(f"\nbtergm-compatible (chains start at the year-{test_year} network; burn-in {leaky.settings['burnin']}, "
               f"interval {leaky.settings['interval']}, nsim {nsim}):")
    click.echo(f"  all dyads:  auc.roc {b.auc_roc:.4f}  auc.pr {b.auc_pr:.4f}   "
               f"random graph: auc.roc {b.auc_roc_rgraph:.4f}  auc.pr {b.auc_pr_rgraph:.4f}")
    n_new = leaky.metrics()["new ties"]
    click.echo(f"\nhonest ({honest.mode.split(':')[1]}, nothing from {test_year} used), "
               f"new ties only ({n_new} new ties among dyads untied in {test_year - 1}):")
    if honest.btergm_new is None:
        click.echo("  no new ties to evaluate")
    else:
        click.echo(f"  new ties:   ROC-AUC {honest.standard_new['roc_auc']:.4f}  "
                   f"PR-AUC (average precision) {honest.standard_new['average_precision']:.4f}  "
                   f"btergm-style auc.pr {honest.btergm_new.auc_pr:.4f}")
    click.echo(f"  all dyads:  ROC-AUC {honest.standard_all['roc_auc']:.4f}  "
               f"PR-AUC (average precision) {honest.standard_all['average_precision']:.4f}")
    if leaky.btergm_new is not None:
        click.echo(f"\n(btergm-compatible scores on new ties: ROC-AUC {leaky.standard_new['roc_auc']:.4f}  "
                   f"average precision {leaky.standard_new['average_precision']:.4f})")


@click.command("predict")
@click.option("--panel", "panel_path", type=click.Path(exists=True, path_type=Path), required=True, help=PANEL_HELP)
@click.option("--formula", "formulas", multiple=True,
              help="btergm formula; repeat to compare several models side by side "
                   "(default: the reference formula for a reference case directory).")
@click.option("--train", required=True, help="Training years: FIRST-LAST or a comma list, e.g. 1990-1999.")
@click.option("--test", "test_year", type=int, required=True, help="The held-out year to predict.")
@click.option("--estimator", type=click.Choice(ESTIMATORS), default="btergm", show_default=True,
              help="Point estimator (btergm's IRLS gives finite values even under separation).")
@click.option("--nsim", type=click.IntRange(min=2), default=100, show_default=True, help="Simulated networks.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the simulations.")
@click.option("--method", type=click.Choice(["auto", "exact", "conditional", "simulate"]), default="auto",
              show_default=True, help="Honest method (auto: exact if dyad-independent, else simulate).")
@click.option("--sweeps", type=click.IntRange(min=1), default=10, show_default=True,
              help="Honest simulation burn-in, in sweeps of all dyads.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Directory for scores, metrics, figures.")
@click.pass_context
def predict_command(ctx, panel_path, formulas, train, test_year, estimator, nsim, seed, method, sweeps, out):
    """Fit on --train years and predict --test: btergm-compatible AUCs and honest new-tie AUCs."""
    years = parse_years(train)
    runs, table, messages = run_predict(panel_path, list(formulas), years, test_year, estimator, nsim, seed,
                                        method, sweeps, out)
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    for k, (label, formula, fit, leaky, honest) in enumerate(runs):
        if k:
            click.echo("")
        _echo_run(label, formula, fit, leaky, honest, test_year, estimator, years, nsim, quiet)
    if len(runs) > 1:
        cols = ["btergm auc.roc", "btergm auc.pr", "new ties: roc_auc", "new ties: average_precision"]
        click.echo("\nside by side:")
        click.echo(table[cols].to_string(float_format=lambda v: f"{v:.4f}"))
    _echo_messages(messages)
    if out is not None:
        click.echo(f"saved metrics, scores and ROC/PR figures in {out}")


# --------------------------------------------------------------------------- gof
@click.command("gof")
@click.option("--panel", "panel_path", type=click.Path(exists=True, path_type=Path), required=True, help=PANEL_HELP)
@click.option("--formula", help="btergm formula (default: the fit's, or the reference formula).")
@click.option("--fit", "fit_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved fit (fit.json from `customsnet fit`); without it the model is fitted on --years.")
@click.option("--years", help="Years to fit on (without --fit) and to evaluate: FIRST-LAST or a comma list.")
@click.option("--estimator", type=click.Choice(ESTIMATORS), default="btergm", show_default=True)
@click.option("--nsim", type=click.IntRange(min=2), default=100, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--burnin", type=click.IntRange(min=0), default=10_000, show_default=True)
@click.option("--interval", type=click.IntRange(min=1), default=1_000, show_default=True)
@click.option("--start", type=click.Choice(["observed", "previous"]), default="observed", show_default=True,
              help="Start each chain at the year's network (btergm) or at the previous year's.")
@click.option("--btergm-compatible", is_flag=True, help="Count pairs as btergm does (ordered) and use its tables.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output directory.")
def gof_command(panel_path, formula, fit_path, years, estimator, nsim, seed, burnin, interval, start,
                btergm_compatible, out):
    """Goodness of fit: simulate from the fitted model; tables, boxplots and tie prediction in --out."""
    from customsnet.modeling.gof import gof

    panel = load_panel(panel_path)
    year_list = parse_years(years)
    fit, formula, messages = fit_or_load(panel, panel_path, formula, fit_path, year_list, estimator)
    from customsnet.modeling.formula import as_formula

    lag = as_formula(formula).max_lag
    eval_years = (year_list or panel.years)[lag:]
    result = gof(fit, panel, formula, years=eval_years, nsim=nsim, seed=seed, burnin=burnin, interval=interval,
                 start=start, btergm_compatible=btergm_compatible, rgraph_seed=seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in result.tables.items():
        table.to_csv(out / f"gof_{name}.csv", index_label="category", float_format="%.10g")
    paths = result.plot(out / "gof")
    click.echo(result.summary())
    _echo_messages(messages)
    click.echo(f"saved tables and {', '.join(p.name for p in paths)} in {out}")


# --------------------------------------------------------------------------- interpret
@click.command("interpret")
@click.option("--panel", "panel_path", type=click.Path(exists=True, path_type=Path), required=True, help=PANEL_HELP)
@click.option("--formula", help="btergm formula (default: the fit's, or the reference formula).")
@click.option("--fit", "fit_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved fit (fit.json); without it the model is fitted on --years.")
@click.option("--years", help="Years of the panel to use: FIRST-LAST or a comma list (default: all).")
@click.option("--estimator", type=click.Choice(ESTIMATORS), default="btergm", show_default=True)
@click.option("--covariate", "covariates", multiple=True,
              help="Change-statistic column of a binary covariate: report mean p(1) - mean p(0). Repeatable.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output directory.")
def interpret_command(panel_path, formula, fit_path, years, estimator, covariates, out):
    """Per-dyad tie probabilities (edgeprob), averages by shared partners and degree, covariate effects."""
    from customsnet.modeling.build import build_design
    from customsnet.modeling.formula import as_formula
    from customsnet.modeling.interpret import (
        binary_covariate_effect,
        dyad_structure,
        edgeprob,
        plot_probability_bars,
        probability_by_degree,
        probability_by_shared_partners,
        with_bootstrap_intervals,
    )

    panel = load_panel(panel_path)
    year_list = parse_years(years)
    fit, formula, messages = fit_or_load(panel, panel_path, formula, fit_path, year_list, estimator)
    data = panel.subset_years(year_list) if year_list else panel
    design = build_design(data, formula, compress=False, check=False)
    table = edgeprob(fit, design)
    structure = dyad_structure(table, data, as_formula(formula).lhs, design)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "edgeprob.csv", index=False, float_format="%.17g")
    frames = []
    names = design.names

    def average(func, **kwargs):  # with 95% bootstrap intervals when the fit has replicates
        return with_bootstrap_intervals(func, fit, table, structure, **kwargs) if fit.R else func(fit, table, structure, **kwargs)

    if any(n.startswith("gwesp.") for n in names):
        frames += [average(probability_by_shared_partners),
                   average(probability_by_shared_partners, kind="counterfactual")]
    frames.append(average(probability_by_degree))
    if any(n.startswith("gwdeg.") for n in names):
        frames.append(average(probability_by_degree, kind="counterfactual"))
    for frame in frames:
        key = "shared_partners" if "shared_partners" in frame.columns else "degree"
        frame.to_csv(out / f"probability_by_{key}_{frame['kind'].iloc[0]}.csv", index=False, float_format="%.10g")
        click.echo(f"\naverage predicted tie probability by {key.replace('_', ' ')} ({frame['kind'].iloc[0]}):")
        click.echo(frame.drop(columns=["kind"]).to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    effects = [binary_covariate_effect(fit, table, name) for name in covariates]
    if effects:
        frame = pd.DataFrame(effects)
        frame.to_csv(out / "covariate_effects.csv", index=False, float_format="%.10g")
        click.echo("\nbinary covariates (mean p with the covariate at 1 minus at 0):")
        click.echo(frame.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    paths = plot_probability_bars(frames, out / "probabilities")  # the formula is printed, not a title
    _echo_messages(messages)
    click.echo(f"\nsaved edgeprob.csv, averages and {', '.join(p.name for p in paths)} in {out}")


COMMANDS: list = [predict_command, gof_command, interpret_command]
