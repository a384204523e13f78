"""CLI command (degeneracy): ``customsnet degeneracy`` compares observed and simulated statistics per year."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("degeneracy")
@click.option("--panel", "panel_path", type=click.Path(exists=True, path_type=Path), required=True,
              help="Panel file (.npz from Panel.save) or a btergm reference case directory.")
@click.option("--fit", "fit_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="A saved fit (fit.json from 'customsnet fit'; btergm, mple or mcmle).")
@click.option("--formula", help="btergm formula (default: the fit's).")
@click.option("--nsim", type=click.IntRange(min=2), default=100, show_default=True, help="Simulated networks per year.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--burnin", type=click.IntRange(min=0), default=10_000, show_default=True, help="Proposals per year.")
@click.option("--interval", type=click.IntRange(min=1), default=1_000, show_default=True, help="Proposals between draws.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output directory.")
def degeneracy_command(panel_path, fit_path, formula, nsim, seed, burnin, interval, out):
    """btergm's checkdegeneracy: simulate from a fit, place the observed statistics per year; save degeneracy.csv."""
    from customsnet.commands.evaluate import resolve_formula
    from customsnet.commands.fit import load_panel
    from customsnet.modeling.degeneracy import check_degeneracy
    from customsnet.modeling.results import FitResult

    fit = FitResult.load(fit_path)
    panel = load_panel(panel_path)
    check = check_degeneracy(panel, resolve_formula(formula, panel_path, fit), fit, nsim=nsim, seed=seed,
                             burnin=burnin, interval=interval)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "degeneracy.csv"
    check.table.to_csv(path, index=False, float_format="%.10g")
    click.echo(check.summary())
    click.echo(f"saved {path}")


COMMANDS: list = [degeneracy_command]
