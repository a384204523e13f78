"""CLI commands (evaluate): ``customsnet predict``, ``customsnet gof`` and ``customsnet interpret``."""

from __future__ import annotations

import click

from customsnet.commands.options import (
    design_options,
    estimator_option,
    fit_file_option,
    formula_option,
    out_option,
    simulation_options,
)
from customsnet.commands.output import echo_warnings
from customsnet.commands.progress import spinner, task_bars


# --------------------------------------------------------------------------- predict
def _echo_run(run, test_year: int, estimator: str, years: list[int], nsim: int) -> None:
    leaky, honest = run.btergm, run.honest
    click.echo(f"{run.label}: {run.formula}")
    click.echo(f"coefficients ({run.fit.estimator}, fitted on {years[0]}-{years[-1]}):")
    for name, value in run.fit.params.items():
        click.echo(f"  {name:<28} {value: .6f}")
    b = leaky.btergm_all
    click.echo(
        f"\nbtergm-compatible (chains start at the year-{test_year} network; burn-in {leaky.settings['burnin']}, "
        f"interval {leaky.settings['interval']}, nsim {nsim}):"
    )
    click.echo(
        f"  all dyads:  auc.roc {b.auc_roc:.4f}  auc.pr {b.auc_pr:.4f}   "
        f"random graph: auc.roc {b.auc_roc_rgraph:.4f}  auc.pr {b.auc_pr_rgraph:.4f}"
    )
    n_new = leaky.metrics()["new ties"]
    click.echo(
        f"\nhonest ({honest.mode.split(':')[1]}, nothing from {test_year} used), "
        f"new ties only ({n_new} new ties among dyads untied in {test_year - 1}):"
    )
    from customsnet.study.analysis import SMALL_TEST_SET

    if 0 < n_new < SMALL_TEST_SET:
        click.echo(
            f"  warning: small test set: only {n_new} new ties (< {SMALL_TEST_SET}); the new-tie AUCs are "
            "too noisy to compare models"
        )
    if honest.btergm_new is None:
        click.echo("  no new ties to evaluate")
    else:
        click.echo(
            f"  new ties:   ROC-AUC {honest.standard_new['roc_auc']:.4f}  "
            f"PR-AUC (average precision) {honest.standard_new['average_precision']:.4f}  "
            f"btergm-style auc.pr {honest.btergm_new.auc_pr:.4f}"
        )
    click.echo(
        f"  all dyads:  ROC-AUC {honest.standard_all['roc_auc']:.4f}  "
        f"PR-AUC (average precision) {honest.standard_all['average_precision']:.4f}"
    )
    if leaky.btergm_new is not None:
        click.echo(
            f"\n(btergm-compatible scores on new ties: ROC-AUC {leaky.standard_new['roc_auc']:.4f}  "
            f"average precision {leaky.standard_new['average_precision']:.4f})"
        )


@click.command("predict")
@design_options(years_name="--train", years_help="Training years: FIRST-LAST or a comma list, e.g. 1990-1999.")
@formula_option(multiple=True)
@click.option("--test", "test_year", type=int, required=True, help="The held-out year to predict.")
@estimator_option
@simulation_options(chain=False)
@click.option(
    "--method",
    type=click.Choice(["auto", "exact", "conditional", "simulate"]),
    default="auto",
    show_default=True,
    help="Honest method (auto: exact if dyad-independent, else simulate).",
)
@click.option(
    "--sweeps",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Honest simulation burn-in, in sweeps of all dyads.",
)
@out_option(required=False, help="Directory for scores, metrics, figures.")
def predict_command(source, formulas, test_year, estimator, simulation, method, sweeps, out):
    """Fit on --train years and predict --test: btergm-compatible AUCs and honest new-tie AUCs."""
    from customsnet.workflows.evaluation import run_predict

    if source.years is None:
        raise click.UsageError("--train is required (the years to fit on)")
    with task_bars() as bars:
        outcome = run_predict(
            source,
            list(formulas),
            source.years,
            test_year,
            estimator=estimator,
            settings=simulation,
            method=method,
            sweeps=sweeps,
            out=out,
            progress=bars,
        )
    nsim = simulation.nsim
    for k, run in enumerate(outcome.runs):
        if k:
            click.echo("")
        _echo_run(run, test_year, estimator, source.years, nsim)
    if len(outcome.runs) > 1:
        cols = ["btergm auc.roc", "btergm auc.pr", "new ties: roc_auc", "new ties: average_precision"]
        click.echo("\nside by side:")
        click.echo(outcome.table[cols].to_string(float_format=lambda v: f"{v:.4f}"))
    echo_warnings(outcome.messages)
    if out is not None:
        click.echo(f"saved metrics, scores and ROC/PR figures in {out}")


# --------------------------------------------------------------------------- gof
@click.command("gof")
@design_options(years_help="Years to fit on (without --fit) and to evaluate: FIRST-LAST or a comma list.")
@formula_option()
@fit_file_option
@estimator_option
@simulation_options(chain=True, start=True)
@click.option("--btergm-compatible", is_flag=True, help="Count pairs as btergm does (ordered) and use its tables.")
@out_option()
def gof_command(source, formula, fit_path, estimator, simulation, btergm_compatible, out):
    """Goodness of fit: simulate from the fitted model; tables, boxplots and tie prediction in --out."""
    from customsnet.workflows.evaluation import run_gof

    with task_bars() as bars:
        outcome = run_gof(
            source,
            formula,
            fit_path,
            out,
            estimator=estimator,
            settings=simulation,
            btergm_compatible=btergm_compatible,
            progress=bars,
        )
    click.echo(outcome.result.summary())
    echo_warnings(outcome.messages)
    click.echo(f"saved tables and {', '.join(p.name for p in outcome.figures)} in {out}")


# --------------------------------------------------------------------------- interpret
@click.command("interpret")
@design_options()
@formula_option()
@fit_file_option
@estimator_option
@click.option(
    "--covariate",
    "covariates",
    multiple=True,
    help="Change-statistic column of a binary covariate: report mean p(1) - mean p(0). Repeatable.",
)
@out_option()
def interpret_command(source, formula, fit_path, estimator, covariates, out):
    """Per-dyad tie probabilities (edgeprob), averages by shared partners and degree, covariate effects."""
    from customsnet.workflows.evaluation import run_interpret

    with spinner("computing tie probabilities..."):
        outcome = run_interpret(source, formula, fit_path, out, estimator=estimator, covariates=tuple(covariates))
    for frame in outcome.averages:
        key = "shared partners" if "shared_partners" in frame.columns else "degree"
        click.echo(f"\naverage predicted tie probability by {key} ({frame['kind'].iloc[0]}):")
        click.echo(frame.drop(columns=["kind"]).to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if outcome.effects is not None:
        click.echo("\nbinary covariates (mean p with the covariate at 1 minus at 0):")
        click.echo(outcome.effects.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    echo_warnings(outcome.messages)
    click.echo(f"\nsaved edgeprob.csv, averages and {', '.join(p.name for p in outcome.figures)} in {out}")
