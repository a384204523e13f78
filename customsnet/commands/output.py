"""Print query results as a rich table, CSV or JSON (shared by the query commands)."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any, TextIO

FORMATS = ("table", "csv", "json")


def cell_text(value: Any) -> str:
    """A value as one table/CSV cell: lists joined by commas, maps as JSON, null as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def render(
    columns: list[str], rows: list[list[Any]], fmt: str = "table", out: TextIO | None = None, title: str | None = None
) -> None:
    """Write ``rows`` (lists aligned to ``columns``) to ``out`` (stdout) in ``fmt``."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump([dict(zip(columns, row)) for row in rows], out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[cell_text(v) for v in row] for row in rows])
    elif fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, caption=f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*[cell_text(v) for v in row])
        Console(file=out, width=max(100, Console().width)).print(table)
    else:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")


def echo_warnings(messages: list[str], shown: list[str] = ()) -> None:
    """Each distinct warning once on stderr, skipping those a printed summary already showed."""
    import click

    for message in dict.fromkeys(messages):
        if message not in shown:
            click.echo(f"warning: {message}", err=True)
