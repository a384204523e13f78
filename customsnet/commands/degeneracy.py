"""CLI command (degeneracy): ``customsnet degeneracy`` compares observed and simulated statistics per year."""

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
from customsnet.commands.progress import task_bars


@click.command("degeneracy")
@design_options()
@fit_file_option
@formula_option()
@estimator_option
@simulation_options(chain=True)
@out_option()
def degeneracy_command(source, fit_path, formula, estimator, simulation, out):
    """btergm's checkdegeneracy: simulate from a fit, place the observed statistics per year; save degeneracy.csv."""
    from customsnet.workflows.evaluation import run_degeneracy

    with task_bars() as bars:
        outcome = run_degeneracy(
            source, formula, fit_path, out, estimator=estimator, settings=simulation, progress=bars
        )
    echo_warnings(outcome.messages)
    click.echo(outcome.check.summary())
    click.echo(f"saved {outcome.table_path}")
