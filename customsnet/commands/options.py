"""The options commands share, declared once: panel source, formula, estimator, seed, simulation, output.

:func:`design_options` is the one option set of every command that builds a design
(``--panel``, ``--years``, ``--basis``, ``--missing``); it hands the command a
:class:`~customsnet.workflows.inputs.PanelSource` instead of four loose values, so the
rules for them (years check, formula default, export from the graph) live in
:mod:`customsnet.workflows.inputs` only.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from customsnet.modeling.estimation.estimators import ESTIMATORS
from customsnet.modeling.simulation.settings import STARTS, SimulationSettings, SimulationSettingsError
from customsnet.workflows.inputs import (
    BASES,
    DEFAULT_ESTIMATOR,
    MISSING_POLICIES,
    InputError,
    PanelSource,
    parse_years,
)

PANEL_HELP = (
    "Panel file (.npz from Panel.save; `customsnet demo` and `run` save <run directory>/panel.npz) "
    "or a btergm reference case directory (default: export the panel from the graph for --years)."
)


def years_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> list[int] | None:
    """Parse FIRST-LAST or a comma list at the command line (the data check comes later, once)."""
    try:
        return parse_years(value)
    except InputError as exc:
        raise click.BadParameter(str(exc).removeprefix("--years: ").removeprefix("--years "), ctx, param) from None


def design_options(years_name: str = "--years", years_help: str | None = None):
    """``--panel --years --basis --missing``, passed to the command as ``source: PanelSource``.

    ``years_name`` lets ``predict`` call its years ``--train`` (``--years`` stays an alias).
    """

    def decorate(command):
        @functools.wraps(command)
        def with_source(*args, panel_path, years, basis, missing, **kwargs):
            try:
                source = PanelSource(panel_path, years, basis, missing)
            except InputError as exc:
                raise click.BadParameter(str(exc)) from None
            return command(*args, source=source, **kwargs)

        names = [years_name] if years_name == "--years" else [years_name, "--years"]
        for option in reversed(
            [
                click.option("--panel", "panel_path", type=click.Path(exists=True, path_type=Path), help=PANEL_HELP),
                click.option(
                    *names,
                    "years",
                    callback=years_callback,
                    metavar="YEARS",
                    help=years_help
                    or "Years of the panel: FIRST-LAST or a comma list (default: all of a "
                    "panel file; required when exporting from the graph).",
                ),
                click.option(
                    "--basis",
                    type=click.Choice(BASES),
                    default="signed",
                    show_default=True,
                    help="When a tie starts, for the panel exported from the graph: signing or entry into force.",
                ),
                click.option(
                    "--missing",
                    type=click.Choice(MISSING_POLICIES),
                    default="error",
                    show_default=True,
                    help="What to do with missing covariate values.",
                ),
            ]
        ):
            with_source = option(with_source)
        return with_source

    return decorate


def formula_option(multiple: bool = False):
    """``--formula`` (repeatable with ``multiple``: several models side by side)."""
    text = (
        'btergm formula, e.g. "nets ~ edges + gwesp(0.5, fixed = TRUE) + memory()" (default: the saved fit\'s, '
        "or a reference case's own)"
    )
    if multiple:
        return click.option("--formula", "formulas", multiple=True, help=text + "; repeat to compare models.")
    return click.option("--formula", help=text + ".")


estimator_option = click.option(
    "--estimator",
    type=click.Choice(ESTIMATORS),
    default=DEFAULT_ESTIMATOR,
    show_default=True,
    help="Point estimator (the same default in every command).",
)
seed_option = click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed of the random draws (recorded in the outputs)."
)
jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Parallel workers: threads for a bootstrap, processes for simulation chains and refits.",
)
scheduler_option = click.option(
    "--scheduler", help="Dask scheduler address (tcp://host:8786) to run the chains or refits on (instead of --jobs)."
)
level_option = click.option(
    "--level",
    type=click.FloatRange(0.5, 0.999),
    default=0.95,
    show_default=True,
    help="Confidence level of the intervals.",
)
fit_file_option = click.option(
    "--fit",
    "fit_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A saved fit (fit.json from `customsnet fit`); without it the model is fitted on --years with --estimator.",
)


def out_option(required: bool = True, help: str = "Output directory."):
    return click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=required, help=help)


def parse_names(text: str) -> list[str]:
    """``"a, b,c"`` -> ["a", "b", "c"]."""
    return [v.strip() for v in text.split(",") if v.strip()]


def mcmc_options(command):
    """``--mcmc-samplesize --mcmc-interval --mcmc-burnin --mcmc-chains``: the mcmle estimator's MCMC settings.

    The command receives the four values as ``mcmc_samplesize`` ... ``mcmc_chains`` (None when not
    given: :class:`~customsnet.modeling.estimation.mcmle.MCMLEControl`'s defaults); :func:`mcmc_settings`
    turns them into the ``mcmc`` dict of the workflows.
    """
    for option in reversed(
        [
            click.option(
                "--mcmc-samplesize", type=click.IntRange(min=8), help="mcmle: pooled draws per iteration [1024]."
            ),
            click.option(
                "--mcmc-interval",
                type=click.IntRange(min=1),
                help="mcmle: starting proposals per year between draws [1024].",
            ),
            click.option(
                "--mcmc-burnin", type=click.IntRange(min=0), help="mcmle: burn-in proposals per year and chain [16384]."
            ),
            click.option("--mcmc-chains", type=click.IntRange(min=1), help="mcmle: chains per year [2]."),
        ]
    ):
        command = option(command)
    return command


def mcmc_settings(samplesize: int | None, interval: int | None, burnin: int | None, chains: int | None) -> dict:
    """The ``mcmc`` dict of :func:`~customsnet.workflows.fitting.run_fit` from the ``--mcmc-*`` values."""
    return {"samplesize": samplesize, "interval": interval, "burnin": burnin, "n_chains": chains}


def interval_options(default: str = "se"):
    """``--se | --ci | --mixed``: what a regression table shows under each estimate (``interval``)."""
    mark = {k: (" [default]." if k == default else ".") for k in ("se", "ci", "mixed")}

    def decorate(command):
        # click lets the last of several flags on one name set the default; say it here instead
        @functools.wraps(command)
        def with_default(*args, interval, **kwargs):
            return command(*args, interval=interval or default, **kwargs)

        for option in reversed(
            [
                click.option(
                    "--se",
                    "interval",
                    flag_value="se",
                    help="Standard errors in parentheses (bootstrap; MCMC-MLE: including the MCMC error)" + mark["se"],
                ),
                click.option(
                    "--ci",
                    "interval",
                    flag_value="ci",
                    help="Intervals in brackets (bootstrap percentile; MCMC-MLE: Wald)" + mark["ci"],
                ),
                click.option(
                    "--mixed",
                    "interval",
                    flag_value="mixed",
                    help="Each fit its own: bootstrap intervals for MPLE fits, standard errors for MCMC-MLE fits"
                    + mark["mixed"],
                ),
            ]
        ):
            with_default = option(with_default)
        return with_default

    return decorate


def simulation_options(chain: bool = True, start: bool = False):
    """``--nsim --seed [--burnin --interval] [--start] --jobs --scheduler``, passed as ``simulation``.

    The command receives one :class:`~customsnet.modeling.simulation.settings.SimulationSettings`
    (validated once, here); ``chain`` adds the chain lengths, ``start`` the chain start.
    """

    def decorate(command):
        @functools.wraps(command)
        def with_settings(*args, nsim, seed, jobs, scheduler, burnin=None, interval=None, start=None, **kwargs):
            try:
                simulation = SimulationSettings(
                    nsim=nsim,
                    seed=seed,
                    burnin=burnin,
                    interval=interval,
                    start=start,
                    n_jobs=jobs,
                    scheduler=scheduler,
                )
            except SimulationSettingsError as exc:
                raise click.BadParameter(str(exc)) from None
            return command(*args, simulation=simulation, **kwargs)

        options = [
            click.option(
                "--nsim", type=click.IntRange(min=2), default=100, show_default=True, help="Simulated networks."
            ),
            seed_option,
        ]
        if chain:
            options += [
                click.option(
                    "--burnin", type=click.IntRange(min=0), default=10_000, show_default=True, help="Burn-in proposals."
                ),
                click.option(
                    "--interval",
                    type=click.IntRange(min=1),
                    default=1_000,
                    show_default=True,
                    help="Proposals between draws.",
                ),
            ]
        if start:
            options.append(
                click.option(
                    "--start",
                    type=click.Choice(STARTS),
                    default="observed",
                    show_default=True,
                    help="Start each chain at the year's network (btergm) or at the previous year's.",
                )
            )
        options += [jobs_option, scheduler_option]
        for option in reversed(options):
            with_settings = option(with_settings)
        return with_settings

    return decorate
