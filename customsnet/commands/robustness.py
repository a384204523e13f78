"""CLI commands (robustness): ``sensitivity`` (rewired ties), ``timetrend`` (covariate x time), ``coefplot``.

Each command loads a panel (a btergm reference case directory or a ``.npz`` saved Panel, as
``customsnet fit`` does), calls one library function, prints its table and writes CSV files
and figures (format by the file suffix; PNG + PDF by default) into ``--out``.
"""

from __future__ import annotations

import json
import warnings
from contextlib import nullcontext
from pathlib import Path

import click
import pandas as pd
from rich.console import Console

from customsnet.commands.fit import load_panel

NO_PANEL = (
    "no --panel given: pass a saved panel (.npz; `customsnet demo` and `customsnet run` save the panel they "
    "export from the graph as <run directory>/panel.npz) or a btergm reference case directory"
)
from customsnet.modeling.estimators import ESTIMATORS

DEFAULT_SHARES_TEXT = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"


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


def parse_names(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def _panel_and_formula(panel_path: Path | None, formula: str | None):
    if panel_path is None:
        raise click.UsageError(NO_PANEL)
    panel = load_panel(panel_path)
    if formula is None:
        if not panel_path.is_dir():
            raise click.UsageError("--formula is required with a panel file")
        from customsnet.modeling.reference import REFERENCE_FORMULA

        formula = REFERENCE_FORMULA
    return panel, formula


def _table_text(frame: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_rows", 500,
                           "display.float_format", "{:.4f}".format):
        return frame.to_string(index=False)


def _echo_warnings(caught, shown: list[str] = ()) -> None:
    """Each distinct warning once, skipping those a printed summary already showed."""
    for message in dict.fromkeys(str(w.message) for w in caught):
        if message not in shown:
            click.echo(f"warning: {message}", err=True)


_panel_option = click.option("--panel", "panel_path", type=click.Path(exists=True, path_type=Path),
                             help="Panel file (.npz from Panel.save) or a btergm reference case directory.")
_formula_option = click.option("--formula", help="btergm formula (default for a reference case: its formula).")
_estimator_option = click.option("--estimator", type=click.Choice(ESTIMATORS), default="mple", show_default=True)
_seed_option = click.option("--seed", type=int, default=1, show_default=True,
                            help="Seed of the rewiring and bootstrap draws (recorded in the outputs).")
_level_option = click.option("--level", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True)
_jobs_option = click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Threads.")
_out_option = click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
                           help="Output directory.")


@click.command("sensitivity")
@_panel_option
@_formula_option
@click.option("--shares", default=DEFAULT_SHARES_TEXT, show_default=True, help="Shares of ties to rewire.")
@click.option("--reps", type=click.IntRange(min=1), default=1, show_default=True, help="Repetitions per share.")
@click.option("--scheme", type=click.Choice(["events", "per-year"]), default="events", show_default=True,
              help="events: rewire each tie spell once, so ties keep persisting; per-year: each year independently.")
@_estimator_option
@click.option("--bootstrap", type=click.IntRange(min=0), default=0, show_default=True,
              help="Replications R per fit (0: estimates only).")
@_seed_option
@_level_option
@click.option("--terms", default="network", show_default=True,
              help="'network' (network terms), 'all', or a comma list of coefficient names.")
@_jobs_option
@_out_option
@click.pass_context
def sensitivity_command(ctx, panel_path, formula, shares, reps, scheme, estimator, bootstrap, seed, level, terms,
                        jobs, out):
    """Refit with a share of the outcome ties rewired at random; table, CSV and figure in --out."""
    from customsnet.modeling.sensitivity import (
        plot_sensitivity,
        rewiring_study,
        summarize_study,
    )

    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    panel, formula = _panel_and_formula(panel_path, formula)
    chosen = terms if terms in ("network", "all") else parse_names(terms)
    share_list = parse_shares(shares)
    n_fits = 1 + reps * sum(s > 0 for s in share_list)
    status = Console(stderr=True).status(f"sensitivity: {n_fits} fits ({estimator}, R = {bootstrap})...")
    done = iter(range(1, n_fits + 1))

    def progress(share: float, rep: int) -> None:
        status.update(f"sensitivity: fit {next(done)} of {n_fits} (share {share:g}, repetition {rep})...")

    with status if not quiet else nullcontext(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study = rewiring_study(panel, formula, shares=share_list, reps=reps, scheme=scheme,
                               estimator=estimator, bootstrap=bootstrap, seed=seed, level=level, terms=chosen,
                               n_jobs=jobs, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    study.to_csv(out / "sensitivity.csv", index=False)
    # the CSV cannot carry the settings, and the seeds must be recorded with the results
    settings = {**study.attrs, "panel": str(panel_path), "shares": share_list}
    (out / "sensitivity_settings.json").write_text(json.dumps(settings, indent=1))
    summary = summarize_study(study)
    summary.to_csv(out / "sensitivity_summary.csv", index=False)
    figures = plot_sensitivity(study, out / "sensitivity")
    if not quiet:
        _echo_warnings(caught)
    click.echo(f"Sensitivity to rewired ties ({scheme}, estimator {estimator}, R = {bootstrap}, seed {seed})")
    click.echo(_table_text(summary))
    click.echo(f"saved {out / 'sensitivity.csv'}, {out / 'sensitivity_summary.csv'}, {out / 'sensitivity_settings.json'}, "
               + ", ".join(str(p) for p in figures))


@click.command("timetrend")
@_panel_option
@_formula_option
@click.option("--covariates", required=True,
              help="Comma list: dyadic covariates, or node attributes (interacted as absdiff_<attr>).")
@click.option("--joint", is_flag=True,
              help="All trends in one model (default: one model per covariate, as the study's Table A5).")
@_estimator_option
@click.option("--bootstrap", type=click.IntRange(min=0), default=100, show_default=True, help="Replications R.")
@_seed_option
@_level_option
@_jobs_option
@_out_option
@click.pass_context
def timetrend_command(ctx, panel_path, formula, covariates, joint, estimator, bootstrap, seed, level, jobs, out):
    """Covariate x linear time models (timecov), one per covariate: Table A5, effect plot, fits in --out."""
    from customsnet.modeling.plots import save_figure
    from customsnet.modeling.timetrend import (
        TimeTrendStudy,
        effects_figure,
        fit_timetrend,
        fit_timetrends,
    )

    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    panel, formula = _panel_and_formula(panel_path, formula)
    names = parse_names(covariates)
    status = Console(stderr=True).status(f"fitting the time-trend models ({estimator}, R = {bootstrap})...")
    with status if not quiet else nullcontext(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if joint:
            study = TimeTrendStudy({"joint": fit_timetrend(panel, formula, names, estimator=estimator,
                                                           bootstrap=bootstrap, seed=seed, level=level, n_jobs=jobs)})
        else:
            study = fit_timetrends(panel, formula, names, estimator=estimator, bootstrap=bootstrap, seed=seed,
                                   level=level, n_jobs=jobs)
        table = pd.concat([r.table(level).assign(model=key) for key, r in study.results.items()], ignore_index=True)
        over = pd.concat([r.effect_over_time(t.covariate, level).assign(covariate=t.covariate, model=key)
                          for key, r in study.results.items() for t in r.trends], ignore_index=True)
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    for key, result in study.results.items():
        result.fit.meta["panel"] = str(panel_path)
        result.fit.meta["model"] = key if joint else f"{key} x time"
        saved.append(result.fit.save(out / f"timetrend_fit_{key}")[0])
    table.to_csv(out / "timetrend.csv", index=False)
    over.to_csv(out / "timetrend_effects.csv", index=False)
    figures = save_figure(effects_figure([(r, t) for r in study.results.values() for t in r.trends], level),
                          out / "timetrend_effects")
    if not quiet:
        for key, result in study.results.items():
            click.echo(f"[{key}]\n{result.fit.summary(level)}\n")
        _echo_warnings(caught, [w for r in study.results.values() for w in r.fit.warnings])
    for result in study.results.values():
        click.echo(f"Formula: {result.formula}")
    click.echo(_table_text(table))
    click.echo(f"saved {', '.join(map(str, saved))}, {out / 'timetrend.csv'}, {out / 'timetrend_effects.csv'}, "
               + ", ".join(str(p) for p in figures)
               + f"; side-by-side table: customsnet table {' '.join(map(str, saved))}")


@click.command("coefplot")
@click.argument("fits", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--labels", help="Comma list of model labels (default: the model name saved with each fit, else the file name).")
@click.option("--terms", help="Comma list of coefficient names to show, in this order (default: all).")
@_level_option
@click.option("--title", default="", help="Figure title (keep it short; the formula belongs in a caption).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Figure path; the suffix decides the format (.pdf, .svg, .png); without one, PNG and PDF.")
def coefplot_command(fits, labels, terms, level, title, out):
    """Coefficient plot of saved fits (fit.json from 'customsnet fit'), side by side."""
    from customsnet.modeling.plots import coefficient_plot
    from customsnet.modeling.results import FitResult

    loaded = [FitResult.load(path) for path in fits]
    names = parse_names(labels) if labels else [
        r.meta.get("model") or (p.stem if p.stem != "fit" else p.parent.name) for r, p in zip(loaded, fits)]
    if len(names) != len(fits) or len(set(names)) != len(names):
        raise click.BadParameter(f"need one distinct label per fit ({len(fits)}), got {names}")
    results = dict(zip(names, loaded))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # incomplete-replicate warnings were shown when fitting
        figures = coefficient_plot(results, out, terms=parse_names(terms) if terms else None, level=level,
                                   title=title)
    click.echo("saved " + ", ".join(str(p) for p in figures))


COMMANDS: list = [sensitivity_command, timetrend_command, coefplot_command]
