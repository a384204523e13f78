"""CLI commands (robustness): ``sensitivity`` (rewired ties), ``timetrend`` (covariate x time), ``coefplot``.

Each command opens a panel (the shared design options, as ``customsnet fit`` does), calls one
library function, prints its table and writes CSV files and figures (format by the file suffix;
PNG + PDF by default) into ``--out``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from customsnet.commands.options import (
    design_options,
    estimator_option,
    formula_option,
    jobs_option,
    level_option,
    out_option,
    parse_names,
    scheduler_option,
    seed_option,
)
from customsnet.commands.output import echo_warnings
from customsnet.commands.progress import spinner, task_bars

DEFAULT_SHARES_TEXT = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"
_level_option = level_option


def parse_shares(text: str) -> list[float]:
    """``"0.1,0.5,0.9"`` -> [0.1, 0.5, 0.9]; every share must lie in [0, 1]."""
    try:
        shares = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"expected a comma list of shares such as 0.1,0.5,0.9, got {text!r}") from None
    bad = [s for s in shares if not 0.0 <= s <= 1.0]
    if not shares or bad:
        raise click.BadParameter(f"shares must be between 0 and 1, got {text!r}")
    return shares


def _table_text(frame) -> str:
    import pandas as pd

    with pd.option_context(
        "display.width",
        200,
        "display.max_columns",
        20,
        "display.max_rows",
        500,
        "display.float_format",
        "{:.4f}".format,
    ):
        return frame.to_string(index=False)


@click.command("sensitivity")
@design_options()
@formula_option()
@click.option("--shares", default=DEFAULT_SHARES_TEXT, show_default=True, help="Shares of ties to rewire.")
@click.option("--reps", type=click.IntRange(min=1), default=1, show_default=True, help="Repetitions per share.")
@click.option(
    "--scheme",
    type=click.Choice(["events", "per-year"]),
    default="events",
    show_default=True,
    help="events: rewire each tie spell once, so ties keep persisting; per-year: each year independently.",
)
@estimator_option
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Replications R per fit (0: estimates only).",
)
@seed_option
@level_option
@click.option(
    "--terms",
    default="network",
    show_default=True,
    help="'network' (network terms), 'all', or a comma list of coefficient names.",
)
@jobs_option
@scheduler_option
@out_option()
def sensitivity_command(
    source, formula, shares, reps, scheme, estimator, bootstrap, seed, level, terms, jobs, scheduler, out
):
    """Refit with a share of the outcome ties rewired at random; table, CSV and figure in --out.

    A refit that fails (e.g. its separation LP) is reported and left out; the others are kept.
    """
    from customsnet.workflows.robustness import run_sensitivity, sensitivity_fits

    share_list = parse_shares(shares)
    chosen = terms if terms in ("network", "all") else parse_names(terms)
    n_fits = sensitivity_fits(share_list, reps)
    with task_bars() as bars:
        outcome = run_sensitivity(
            source,
            formula,
            out,
            share_list,
            reps=reps,
            scheme=scheme,
            estimator=estimator,
            bootstrap=bootstrap,
            seed=seed,
            level=level,
            terms=chosen,
            jobs=jobs,
            scheduler=scheduler,
            progress=bars,
        )
    echo_warnings(outcome.messages)
    click.echo(f"Sensitivity to rewired ties ({scheme}, estimator {estimator}, R = {bootstrap}, seed {seed})")
    click.echo(_table_text(outcome.summary))
    if outcome.failed:
        click.echo(
            f"{len(outcome.failed)} of {n_fits} refits failed and are left out "
            f"(listed in {out / 'sensitivity_failed.csv'})"
        )
    click.echo("saved " + ", ".join(str(p) for p in outcome.files))


@click.command("timetrend")
@design_options()
@formula_option()
@click.option(
    "--covariates",
    required=True,
    help="Comma list: dyadic covariates, or node attributes (interacted as absdiff_<attr>).",
)
@click.option(
    "--joint", is_flag=True, help="All trends in one model (default: one model per covariate, as the study's Table A5)."
)
@estimator_option
@click.option("--bootstrap", type=click.IntRange(min=0), default=100, show_default=True, help="Replications R.")
@seed_option
@level_option
@jobs_option
@out_option()
def timetrend_command(source, formula, covariates, joint, estimator, bootstrap, seed, level, jobs, out):
    """Covariate x linear time models (timecov), one per covariate: Table A5, effect plot, fits in --out."""
    from customsnet.workflows.robustness import run_timetrend

    with spinner(f"fitting the time-trend models ({estimator}, R = {bootstrap})..."):
        outcome = run_timetrend(
            source,
            formula,
            parse_names(covariates),
            out,
            estimator=estimator,
            bootstrap=bootstrap,
            seed=seed,
            level=level,
            jobs=jobs,
            joint=joint,
        )
    for key, result in outcome.results.items():
        click.echo(f"[{key}]\n{result.fit.summary(level)}\n")
    echo_warnings(outcome.messages)
    for result in outcome.results.values():
        click.echo(f"Formula: {result.formula}")
    click.echo(_table_text(outcome.table))
    click.echo(
        "saved "
        + ", ".join(str(p) for p in outcome.files)
        + f"; side-by-side table: customsnet table {' '.join(map(str, outcome.fits))}"
    )


@click.command("coefplot")
@click.argument("fits", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--labels", help="Comma list of model labels (default: the model name saved with each fit, else the file name)."
)
@click.option("--terms", help="Comma list of coefficient names to show, in this order (default: all).")
@_level_option
@click.option("--title", default="", help="Figure title (keep it short; the formula belongs in a caption).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Figure path; the suffix decides the format (.pdf, .svg, .png); without one, PNG and PDF.",
)
def coefplot_command(fits, labels, terms, level, title, out):
    """Coefficient plot of saved fits (fit.json from 'customsnet fit'), side by side."""
    from customsnet.modeling.evaluation.plots import coefficient_plot
    from customsnet.modeling.results import FitResult

    loaded = [FitResult.load(path) for path in fits]
    names = (
        parse_names(labels)
        if labels
        else [r.meta.get("model") or (p.stem if p.stem != "fit" else p.parent.name) for r, p in zip(loaded, fits)]
    )
    if len(names) != len(fits) or len(set(names)) != len(names):
        raise click.BadParameter(f"need one distinct label per fit ({len(fits)}), got {names}")
    results = dict(zip(names, loaded))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # incomplete-replicate warnings were shown when fitting
        figures = coefficient_plot(results, out, terms=parse_names(terms) if terms else None, level=level, title=title)
    click.echo("saved " + ", ".join(str(p) for p in figures))
