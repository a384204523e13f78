"""CLI command (degeneracy): ``customsnet degeneracy`` compares observed and simulated statistics per year."""

from __future__ import annotations

import click

from customsnet.commands.options import (
    design_options,
    estimator_option,
    fit_file_option,
    formula_option,
    out_option,
    seed_option,
)
from customsnet.commands.output import echo_warnings


@click.command("degeneracy")
@design_options()
@fit_file_option
@formula_option()
@estimator_option
@click.option("--nsim", type=click.IntRange(min=2), default=100, show_default=True, help="Simulated networks per year.")
@seed_option
@click.option("--burnin", type=click.IntRange(min=0), default=10_000, show_default=True, help="Proposals per year.")
@click.option(
    "--interval", type=click.IntRange(min=1), default=1_000, show_default=True, help="Proposals between draws."
)
@out_option()
def degeneracy_command(source, fit_path, formula, estimator, nsim, seed, burnin, interval, out):
    """btergm's checkdegeneracy: simulate from a fit, place the observed statistics per year; save degeneracy.csv."""
    from customsnet.workflows.evaluation import run_degeneracy

    outcome = run_degeneracy(
        source, formula, fit_path, out, estimator=estimator, nsim=nsim, seed=seed, burnin=burnin, interval=interval
    )
    echo_warnings(outcome.messages)
    click.echo(outcome.check.summary())
    click.echo(f"saved {outcome.table_path}")
