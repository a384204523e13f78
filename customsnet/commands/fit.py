"""CLI command (fit): ``customsnet fit`` estimates a TERGM from a panel and saves the result."""

from __future__ import annotations

from pathlib import Path

import click

from customsnet.commands.options import (
    design_options,
    estimator_option,
    formula_option,
    mcmc_options,
    mcmc_settings,
    out_option,
    seed_option,
)
from customsnet.commands.output import echo_warnings
from customsnet.commands.progress import note, task_bars


@click.command("fit")
@design_options()
@formula_option()
@estimator_option
@click.option("--bootstrap", type=click.IntRange(min=0), default=100, show_default=True, help="Replications R.")
@seed_option
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="Threads.")
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786) to run the replicates (mcmle: chains) on.")
@click.option(
    "--boot-indices",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of 1-based step indices (R rows x T' columns), e.g. R's boot.array, to reproduce a run.",
)
@mcmc_options
@click.option(
    "--naming",
    type=click.Choice(["ergm4.4", "ergm4.5"]),
    default="ergm4.4",
    show_default=True,
    help="Names of directed gwesp/gwdsp/gwnsp/esp/dsp/nsp: ergm 4.4 (gwesp.fixed.0.5) or 4.5+ (gwesp.OTP.fixed.0.5).",
)
@click.option(
    "--offset-coef",
    help="Fixed coefficients of the formula's offset() terms, comma-separated in formula order "
    "(ergm's offset.coef; -inf for structural zeros), e.g. '-inf' or '0.5,-inf'.",
)
@click.option(
    "--offset-composition",
    is_flag=True,
    help="btergm's offset = TRUE: keep the union of each step's node sets and leave the dyads of nodes "
    "absent from some object out as structural zeros (default: drop those nodes).",
)
@out_option()
def fit_command(
    source,
    formula,
    estimator,
    bootstrap,
    seed,
    jobs,
    scheduler,
    boot_indices,
    mcmc_samplesize,
    mcmc_interval,
    mcmc_burnin,
    mcmc_chains,
    naming,
    offset_coef,
    offset_composition,
    out,
):
    """Fit a TERGM (bootstrapped MPLE, or MCMC-MLE with --estimator mcmle); save fit.json and fit.csv in --out.

    Progress (a bar with the replicates or MCMC-MLE iterations done and the time left) goes to
    stderr; ``customsnet --quiet fit`` hides it and prints the same results.
    """
    from customsnet.workflows.fitting import parse_offset_coef, run_fit

    mcmc = mcmc_settings(mcmc_samplesize, mcmc_interval, mcmc_burnin, mcmc_chains)
    with task_bars() as progress:
        outcome = run_fit(
            source,
            formula,
            out,
            estimator=estimator,
            bootstrap=bootstrap,
            seed=seed,
            jobs=jobs,
            scheduler=scheduler,
            boot_indices=boot_indices,
            status=note,
            mcmc=mcmc,
            naming=naming,
            offset_coef=parse_offset_coef(offset_coef),
            offset=offset_composition,
            progress=progress,
        )
    click.echo(str(outcome.result.summary()))
    echo_warnings(outcome.messages, shown=outcome.result.warnings)
    click.echo(f"saved {outcome.json_path} and {outcome.csv_path}")
