"""CLI commands (load): ``customsnet load SOURCE PATH`` and ``customsnet load all DIR``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from customsnet.commands.progress import task_bars
from customsnet.etl.countries import CountryResolver, cached_resolver
from customsnet.etl.detect import READERS
from customsnet.etl.load import (
    DEFAULT_MAX_REJECT_SHARE,
    DEFAULT_REJECTS_DIR,
    MAX_SHRINK_SHARE,
    LoadInterrupted,
)
from customsnet.etl.load_directory import FileOutcome, load_directory, load_file
from customsnet.graph.connection import Graph
from customsnet.graph.schema import apply_schema

AGREEMENT_SOURCES = {"cmaa", "mlat"}


def summary_table(outcomes: list[FileOutcome]) -> Table:
    """One row per file: source, file, rows read / loaded / rejected, seconds, status."""
    table = Table(title="customsnet load")
    for name, justify in [
        ("source", "left"),
        ("file", "left"),
        ("read", "right"),
        ("loaded", "right"),
        ("rejected", "right"),
        ("seconds", "right"),
        ("status", "left"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for outcome in outcomes:
        report = outcome.report
        seconds = f"{outcome.read_seconds + outcome.write_seconds:.1f}"
        if report is None:
            written = (
                "[yellow]part of it may remain[/yellow]: rerun to clean up" if outcome.partial else "nothing written"
            )
            table.add_row(
                outcome.file.source,
                outcome.file.path.name,
                "",
                "",
                "",
                seconds,
                f"[red]failed[/red], {written} (reason below)",
            )
            continue
        status = {
            "first": "loaded",
            "same": "reloaded (same file)",
            "changed": "replaced older version",
            "recovered": "loaded; cleaned up an unfinished earlier load",
        }[report.previous]
        table.add_row(
            outcome.file.source,
            outcome.file.path.name,
            str(report.rows_read),
            str(report.rows_loaded),
            str(report.rows_rejected),
            seconds,
            status,
        )
    return table


def _resolver(country_codes: Path | None) -> CountryResolver:
    return CountryResolver.from_codelist(country_codes) if country_codes else cached_resolver()


@click.command("load")
@click.argument("source", type=click.Choice(sorted([*READERS, "all"])), metavar="SOURCE")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--type",
    "agreement_type",
    type=click.Choice(["CMAA", "MLAT"], case_sensitive=False),
    help="Agreement files: read PATH as CMAA or MLAT (overrides SOURCE cmaa/mlat).",
)
@click.option(
    "--max-reject-share",
    type=click.FloatRange(0, 1),
    default=DEFAULT_MAX_REJECT_SHARE,
    show_default=True,
    help="Load a file only if at most this share of its rows was rejected.",
)
@click.option(
    "--rejects-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_REJECTS_DIR,
    show_default=True,
    help="Where each file's rejected rows are written as CSV.",
)
@click.option(
    "--country-codes",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="countrycode codelist CSV to resolve names with (load all: DIR/country_codes by default).",
)
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Load a file even if it has no data rows, its last line is cut off, or it has over "
    f"{MAX_SHRINK_SHARE:.0%} fewer rows than the version it replaces (refused by default).",
)
@click.pass_context
def load_command(
    ctx: click.Context,
    source: str,
    path: Path,
    agreement_type: str | None,
    max_reject_share: float,
    rejects_dir: Path,
    country_codes: Path | None,
    allow_shrink: bool,
) -> None:
    """Load a source file into the graph, or every recognised file under a directory.

    \b
    SOURCE is one of the reader names, or `all` with PATH a directory:
      customsnet load vdem V-Dem-CY-Core-v14.csv
      customsnet load cmaa agreements.csv --type CMAA
      customsnet load all ../shared/data
    `load all` reads country codes and the state system first, then every other source. A file
    is written completely or not at all; rejected rows are listed in --rejects-dir. One load
    writes to the graph at a time (a second is refused); Ctrl-C rolls the current file back.

    \b
    Accepted layouts (recognised by their header; docs/data-formats.md has every column):
      cmaa, mlat     customsnet agreement CSV: country_a, country_b, year_signed, date_signed,
                     date_in_force[, date_terminated, title], source_url (template:
                     customsnet/etl/data/agreements_template.csv); the shared CMAA seed list
      country_codes  countrycode codelist (+ panel)
      cow_states     COW states2016; isard cw_system; isard cw_gw panel
      contiguity     COW contdird, contdir; shared cow_contdir
      trade          COW Dyadic Trade 4.0; shared cow_trade_ndy; CEPII BACI (+ country_codes_V*.csv)
      vdem           V-Dem CY Full / Core; vdemlite; isard cw_democracy (polyarchy only)
      unga           Dataverse ideal points; shared bsv idealpoints
      gtd            GTD event file; OWID country-year totals
      desta          DESTA dyads; manytrade memberships
      majors         customsnet Majors List CSV (fiscal_year, country, determination_date, source_url)
    Undo a load with `customsnet unload SOURCE` (names: `customsnet unload --list`).
    """
    console = Console()
    try:
        outcomes = _run(source, path, agreement_type, max_reject_share, rejects_dir, country_codes, allow_shrink)
    except LoadInterrupted as interrupted:
        done = getattr(interrupted, "outcomes", [])
        if done:
            console.print(summary_table(done))
        console.print(f"[red]interrupted[/red]: {interrupted}", soft_wrap=True)
        ctx.exit(130)
        return
    console.print(summary_table(outcomes))
    if any(o.report and o.report.rows_rejected for o in outcomes):
        console.print(
            f"Rejected rows (file, row, field, value, reason): {rejects_dir}/<source>__<file>.rejects.csv",
            highlight=False,
            markup=False,
        )
    failed = [o for o in outcomes if o.error]
    if not outcomes:
        raise click.ClickException(f"no recognised source file under {path}")
    if failed:
        for outcome in failed:
            console.print(f"[red]{outcome.file.path}[/red]: {outcome.error}", soft_wrap=True)
        partial = sum(o.partial for o in failed)
        if partial:
            raise click.ClickException(
                f"{len(failed)} of {len(outcomes)} file(s) failed; {partial} of them may have "
                "left part of their data in the graph: load them again to clean up"
            )
        raise click.ClickException(f"{len(failed)} of {len(outcomes)} file(s) failed and wrote nothing")


def _run(
    source: str,
    path: Path,
    agreement_type: str | None,
    max_reject_share: float,
    rejects_dir: Path,
    country_codes: Path | None,
    allow_shrink: bool,
) -> list[FileOutcome]:
    """Connect, apply the schema, load; the outcomes of every file."""
    with Graph.connect() as graph:
        apply_schema(graph)
        with task_bars() as progress:
            if source == "all":
                if not path.is_dir():
                    raise click.BadParameter(f"{path} is not a directory", param_hint="PATH")
                resolver = CountryResolver.from_codelist(country_codes) if country_codes else None
                return load_directory(
                    graph,
                    path,
                    max_reject_share=max_reject_share,
                    rejects_dir=rejects_dir,
                    resolver=resolver,
                    progress=progress,
                    allow_shrink=allow_shrink,
                )
            else:
                if agreement_type:
                    if source not in AGREEMENT_SOURCES:
                        raise click.BadParameter("--type applies to agreement files (cmaa, mlat)", param_hint="--type")
                    source = agreement_type.lower()
                return [
                    load_file(
                        graph,
                        source,
                        path,
                        _resolver(country_codes),
                        max_reject_share=max_reject_share,
                        rejects_dir=rejects_dir,
                        progress=progress,
                        allow_shrink=allow_shrink,
                    )
                ]
