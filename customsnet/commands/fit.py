"""CLI command (fit): ``customsnet fit`` estimates a TERGM from a panel and saves the result."""

from __future__ import annotations

from pathlib import Path

import click

from customsnet.commands.options import (
    design_options,
    estimator_option,
    formula_option,
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
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786) to run the replicates on.")
@click.option(
    "--boot-indices",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of 1-based step indices (R rows x T' columns), e.g. R's boot.array, to reproduce a run.",
)
@click.option("--mcmc-samplesize", type=click.IntRange(min=8), help="mcmle: pooled draws per iteration [1024].")
@click.option(
    "--mcmc-interval", type=click.IntRange(min=1), help="mcmle: starting proposals per year between draws [1024]."
)
@click.option("--mcmc-burnin", type=click.IntRange(min=0), help="mcmle: burn-in proposals per year and chain [16384].")
@click.option("--mcmc-chains", type=click.IntRange(min=1), help="mcmle: chains per year [2].")
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
    out,
):
    """Fit a TERGM (bootstrapped MPLE, or MCMC-MLE with --estimator mcmle); save fit.json and fit.csv in --out.

    Progress (a bar with the replicates or MCMC-MLE iterations done and the time left) goes to
    stderr; ``customsnet --quiet fit`` hides it and prints the same results.
    """
    from customsnet.workflows.fitting import run_fit

    mcmc = {"samplesize": mcmc_samplesize, "interval": mcmc_interval, "burnin": mcmc_burnin, "n_chains": mcmc_chains}
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
            progress=progress,
        )
    click.echo(str(outcome.result.summary()))
    echo_warnings(outcome.messages, shown=outcome.result.warnings)
    click.echo(f"saved {outcome.json_path} and {outcome.csv_path}")
