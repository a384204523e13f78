"""CLI command (compare): ``customsnet compare`` fits one model by several estimators, side by side."""

from __future__ import annotations

import click

from customsnet.commands.options import (
    design_options,
    formula_option,
    interval_options,
    level_option,
    mcmc_options,
    mcmc_settings,
    out_option,
    parse_names,
    seed_option,
)
from customsnet.commands.output import echo_warnings
from customsnet.commands.progress import spinner
from customsnet.commands.table import parse_stars
from customsnet.modeling.estimation.estimators import ESTIMATORS


def parse_estimators(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    """``"mple,mcmle"`` -> ["mple", "mcmle"]: known estimators, each once."""
    names = parse_names(value)
    unknown = [n for n in names if n not in ESTIMATORS]
    if not names or unknown:
        raise click.BadParameter(
            f"expected a comma list of {', '.join(ESTIMATORS)}, got {value!r}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            ctx,
            param,
        )
    if len(set(names)) != len(names):
        raise click.BadParameter(f"each estimator once, got {value!r}", ctx, param)
    return names


@click.command("compare")
@design_options()
@formula_option()
@click.option(
    "--estimators",
    default="mple,mcmle",
    show_default=True,
    callback=parse_estimators,
    help=f"Comma list of estimators ({', '.join(ESTIMATORS)}), one table column each.",
)
@click.option(
    "--bootstrap", type=click.IntRange(min=0), default=100, show_default=True, help="Replications R of the MPLE fits."
)
@seed_option
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="Threads / chain processes.")
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786) for the replicates and the MCMC chains.")
@mcmc_options
@interval_options("mixed")
@click.option("--stars", default="0.05,0.01,0.001", show_default=True, help="Star levels (as `customsnet table`).")
@level_option
@click.option("--caption", default="", help="Table caption (LaTeX and HTML).")
@out_option(help="Output directory: <estimator>/fit.json per fit, compare.md/.tex/.html/.csv.")
def compare_command(
    source,
    formula,
    estimators,
    bootstrap,
    seed,
    jobs,
    scheduler,
    mcmc_samplesize,
    mcmc_interval,
    mcmc_burnin,
    mcmc_chains,
    interval,
    stars,
    level,
    caption,
    out,
):
    """Fit one model by several estimators (default: bootstrapped MPLE and MCMC-MLE) and tabulate them.

    The robustness table: MPLE with bootstrap intervals next to MCMC-MLE with standard errors that
    include the MCMC error (--mixed, the default), in the formats of `customsnet table`. The fits
    are saved in --out so `customsnet table` can combine them with other saved fits.
    """
    from customsnet.workflows.comparison import run_comparison

    star_levels = parse_stars(stars)
    with spinner() as update:
        outcome = run_comparison(
            source,
            formula,
            out,
            estimators=estimators,
            bootstrap=bootstrap,
            seed=seed,
            jobs=jobs,
            scheduler=scheduler,
            mcmc=mcmc_settings(mcmc_samplesize, mcmc_interval, mcmc_burnin, mcmc_chains),
            interval=interval,
            stars=star_levels,
            level=level,
            caption=caption,
            status=update,
        )
    click.echo(outcome.table.to_markdown(), nl=False)
    echo_warnings(outcome.messages)
    click.echo("saved " + ", ".join(str(p) for p in [*outcome.fit_paths, *outcome.files]))
    click.echo(f"combine with other fits: customsnet table {' '.join(map(str, outcome.fit_paths))} --{interval}")
