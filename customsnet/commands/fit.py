"""CLI commands (fit): ``customsnet fit`` estimates a TERGM from a panel and saves the result."""

from __future__ import annotations

import warnings
from contextlib import nullcontext
from pathlib import Path

import click
import numpy as np
import pandas as pd
from rich.console import Console

from customsnet.modeling.estimators import ESTIMATORS

def panel_from_graph(years: list[int] | None, missing_report: bool = True):
    """Export the study's panel from the graph (``NEO4J_URI`` or the managed server) for ``years``."""
    from customsnet.graph.connection import Graph
    from customsnet.modeling.export import export_panel

    first, last = (years[0], years[-1]) if years else (1990, 2020)
    with Graph.connect() as graph:
        return export_panel(graph, years=(first, last))


def parse_years(text: str | None) -> list[int] | None:
    """``"1990-2020"`` -> [1990, ..., 2020]; ``"1990,1995"`` -> [1990, 1995]; None -> None."""
    if not text:
        return None
    try:
        if "-" in text:
            a, b = (int(v) for v in text.split("-", 1))
            if b < a:
                raise ValueError
            return list(range(a, b + 1))
        return [int(v) for v in text.split(",")]
    except ValueError:
        raise click.BadParameter(f"expected FIRST-LAST (e.g. 1990-2020) or a comma list, got {text!r}") from None


def load_panel(path: Path):
    """A saved panel (``.npz``) or a btergm reference case directory."""
    from customsnet.modeling.panel import Panel

    if path.is_dir():
        from customsnet.modeling.reference import read_reference_panel

        return read_reference_panel(path)
    return Panel.load(path)


def run_fit(
    panel_path: Path | None,
    formula: str | None,
    years: list[int] | None,
    estimator: str,
    bootstrap: int,
    seed: int | None,
    jobs: int,
    scheduler: str | None,
    out: Path,
    boot_indices: Path | None = None,
    progress: bool = False,
    missing_policy: str = "error",
    mcmc: dict | None = None,
):
    """Load the panel, build the design, fit, save ``out/fit.json`` and ``out/fit.csv``."""
    from customsnet.modeling.build import build_design
    from customsnet.modeling.fit import fit_tergm

    # without --panel the panel comes from the graph (the only place modeling meets Neo4j: export.py)
    if formula is None and panel_path is None:
        raise click.UsageError("--formula is required when fitting on the panel exported from the graph")
    panel = load_panel(panel_path) if panel_path is not None else panel_from_graph(years)
    if formula is None:
        if panel_path.is_dir():
            from customsnet.modeling.reference import REFERENCE_FORMULA

            formula = REFERENCE_FORMULA
        else:
            raise click.UsageError("--formula is required with a panel file")
    if years is not None:
        missing = [y for y in years if y not in panel.years]
        if missing:
            raise click.BadParameter(f"the panel has no years {missing} (it has {panel.years[0]}-{panel.years[-1]})")
        panel = panel.subset_years(years)
    if estimator == "mcmle":
        return _run_mcmle(panel, formula, seed, jobs, out, panel_path, missing_policy, progress, mcmc or {})
    from customsnet.modeling.separable import is_separable, separable_design

    if is_separable(formula):  # Form(~ …) + Persist(~ …): conditional MPLE on the block design
        design = separable_design(panel, formula, missing=missing_policy)
    else:
        design = build_design(panel, formula, compress=True, missing=missing_policy)
    indices = None
    if boot_indices is not None:
        frame = pd.read_csv(boot_indices)
        if frame.columns[0] == "rep":
            frame = frame.iloc[:, 1:]
        indices = frame.to_numpy(dtype=np.int64)
    status = Console(stderr=True).status(
        f"fitting ({estimator}, {design.n_steps} steps, "
        f"{'R = ' + str(len(indices)) if indices is not None else 'R = ' + str(bootstrap)} replications)..."
    )
    with status if progress else nullcontext(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_tergm(
            design,
            estimator=estimator,
            bootstrap=bootstrap,
            seed=seed,
            n_jobs=jobs,
            scheduler=scheduler,
            boot_indices=indices,
        )
    result.meta["panel"] = str(panel_path) if panel_path is not None else "exported from the graph"
    result.meta["missing_policy"] = missing_policy
    json_path, csv_path = result.save(out / "fit")
    return result, json_path, csv_path, [str(w.message) for w in caught]


def _run_mcmle(panel, formula, seed, jobs, out, panel_path, missing_policy, progress, mcmc: dict):
    """``--estimator mcmle``: the pooled MCMC-MLE (no bootstrap), saved like the MPLE fits."""
    from customsnet.modeling.mcmle import MCMLEControl, fit_mcmle

    control = MCMLEControl(**{k: v for k, v in mcmc.items() if v is not None})
    console = Console(stderr=True)

    def report(record: dict) -> None:
        if progress:
            console.print(
                f"MCMLE iteration {record['iteration']}: step {record['gamma']:.3f}, interval {record['interval']}, "
                f"min ESS {record['min_ess']:.0f}, max |t| {record['max_abs_t']:.2f}"
            )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_mcmle(panel, formula, control=control, seed=seed, n_jobs=jobs, missing=missing_policy,
                           progress=report)
    result.meta["panel"] = str(panel_path) if panel_path is not None else "exported from the graph"
    result.meta["missing_policy"] = missing_policy
    json_path, csv_path = result.save(out / "fit")
    return result, json_path, csv_path, [str(w.message) for w in caught]


@click.command("fit")
@click.option("--formula", help='btergm formula, e.g. "nets ~ edges + gwesp(0.5, fixed = TRUE) + memory()".')
@click.option("--years", help="Years of the panel to use: FIRST-LAST or a comma list (default: all).")
@click.option("--estimator", type=click.Choice(ESTIMATORS), default="mple", show_default=True)
@click.option("--bootstrap", type=click.IntRange(min=0), default=100, show_default=True, help="Replications R.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the bootstrap draws.")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="Threads.")
@click.option("--panel", "panel_path", type=click.Path(exists=True, path_type=Path),
              help="Panel file (.npz from Panel.save) or a btergm reference case directory "
                   "(default: export the panel from the graph for --years).")
@click.option("--missing", type=click.Choice(["error", "drop-nodes", "impute-zero", "impute-mode"]), default="error",
              show_default=True, help="What to do with missing covariate values.")
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786) to run the replicates on.")
@click.option("--boot-indices", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of 1-based step indices (R rows x T' columns), e.g. R's boot.array, to reproduce a run.")
@click.option("--mcmc-samplesize", type=click.IntRange(min=8), help="mcmle: pooled draws per iteration [1024].")
@click.option("--mcmc-interval", type=click.IntRange(min=1), help="mcmle: starting proposals per year between draws [1024].")
@click.option("--mcmc-burnin", type=click.IntRange(min=0), help="mcmle: burn-in proposals per year and chain [16384].")
@click.option("--mcmc-chains", type=click.IntRange(min=1), help="mcmle: chains per year [2].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output directory.")
@click.pass_context
def fit_command(ctx, formula, years, estimator, bootstrap, seed, jobs, panel_path, missing, scheduler, boot_indices,
                mcmc_samplesize, mcmc_interval, mcmc_burnin, mcmc_chains, out):
    """Fit a TERGM (bootstrapped MPLE, or MCMC-MLE with --estimator mcmle); save fit.json and fit.csv in --out."""
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    result, json_path, csv_path, messages = run_fit(
        panel_path, formula, parse_years(years), estimator, bootstrap, seed, jobs, scheduler, out, boot_indices,
        progress=not quiet, missing_policy=missing,
        mcmc={"samplesize": mcmc_samplesize, "interval": mcmc_interval, "burnin": mcmc_burnin, "n_chains": mcmc_chains},
    )
    if not quiet:
        click.echo(str(result.summary()))
    for message in messages:
        if message not in result.warnings:
            click.echo(f"warning: {message}", err=True)
    click.echo(f"saved {json_path} and {csv_path}")


COMMANDS: list = [fit_command]
