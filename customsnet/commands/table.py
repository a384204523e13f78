"""CLI command (tables): ``customsnet table FIT...`` prints or writes a regression table of saved fits."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from customsnet.commands.options import interval_options

FORMATS = ("latex", "html", "markdown", "csv")
SUFFIX_FORMATS = {".tex": "latex", ".html": "html", ".htm": "html", ".md": "markdown", ".csv": "csv"}


def parse_stars(text: str) -> list[float]:
    """``"0.05,0.01,0.001"`` -> [0.05, 0.01, 0.001]; empty -> no stars."""
    try:
        levels = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"expected a comma list of levels such as 0.05,0.01,0.001, got {text!r}") from None
    bad = [v for v in levels if not 0 < v < 1]
    if bad:
        raise click.BadParameter(f"star levels must lie between 0 and 1, got {bad}")
    return levels


@click.command("table")
@click.argument("fits", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--labels", help="Comma list of column labels (default: the model name saved with each fit, else the file name)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: from the --out suffix .tex/.html/.md/.csv, else markdown).",
)
@interval_options("se")
@click.option(
    "--stars",
    default="0.05,0.01,0.001",
    show_default=True,
    help="Star levels: a star per level whose (1 - level) interval excludes 0 (btergm's rule; MCMC-MLE: Wald, "
    "i.e. p < level); '' for none.",
)
@click.option(
    "--level",
    type=click.FloatRange(0.5, 0.999),
    default=0.95,
    show_default=True,
    help="Interval level shown with --ci and --mixed.",
)
@click.option("--caption", default="", help="Table caption (LaTeX and HTML).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
def table_command(fits, labels, fmt, interval, stars, level, caption, out):
    """Regression table of saved fits side by side (texreg layout): LaTeX, HTML, Markdown or CSV.

    MPLE fits (fit, timetrend) show bootstrap SEs or intervals, MCMC-MLE fits their standard errors
    including the MCMC error or Wald intervals; --mixed gives each its own (the robustness table of
    `customsnet compare`). The note under the table says which is which.
    """
    from customsnet.modeling.results import FitResult
    from customsnet.report.tables import regression_table

    results = [FitResult.load(p) for p in fits]
    if labels:
        names = [v.strip() for v in labels.split(",") if v.strip()]
    else:
        names = [r.meta.get("model") or (p.stem if p.stem != "fit" else p.parent.name) for r, p in zip(results, fits)]
    if len(names) != len(fits) or len(set(names)) != len(names):
        raise click.BadParameter(f"need one distinct label per fit ({len(fits)}), got {names}")
    fmt = fmt or (SUFFIX_FORMATS.get(out.suffix.lower(), "markdown") if out else "markdown")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # incomplete-replicate warnings were shown when fitting
        table = regression_table(dict(zip(names, results)), interval=interval, stars=parse_stars(stars), level=level)
    text = table.render(fmt, caption=caption)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        click.echo(f"saved {out} ({fmt}, {len(results)} models)")
