"""CLI commands (query): named queries, ad hoc Cypher (read-only unless --write), Browser favorites."""

from __future__ import annotations

from pathlib import Path

import click

from customsnet.commands.output import FORMATS, render

PARAM_HELP = "Query parameter KEY=VALUE (repeatable); VALUE is read as int, float or text ('quoted' = text)."


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def _list_queries() -> None:
    from customsnet.graph.queries import named_queries

    rows = [[q.name, q.description, q.example] for q in named_queries().values()]
    render(["name", "description", "example parameters"], rows, "table", title="customsnet named queries")
    click.echo("Run one with: customsnet query NAME --param key=value ...   (--show prints its Cypher)")


def _browser_help(zip_path: Path | None) -> None:
    from customsnet.graph.queries import (
        QUERIES_DIR,
        browser_favorites_zip,
        named_queries,
    )

    queries = named_queries()
    click.echo("Named queries as Neo4j Browser favorites")
    click.echo(f"  files: {QUERIES_DIR}/*.cypher ({len(queries)} queries)")
    if zip_path:
        click.echo(f"  zip:   {browser_favorites_zip(zip_path)}")
    click.echo(
        "In Neo4j Browser (customsnet db status prints its address):\n"
        "  1. open the Favorites drawer (star icon, left sidebar);\n"
        "  2. drop the .cypher files on it or use its Import button (or the zip from --zip PATH,\n"
        "     where your Browser version imports zips);\n"
        "     each favorite is named after the query's first line, its description;\n"
        "  3. click a favorite, run its second line without the '//' (':param {...}') with your values,\n"
        "     then run the query.\n"
        "Details and every query's meaning: docs/queries.md."
    )


@click.command("query")
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help=PARAM_HELP)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@click.option("--show", is_flag=True, help="Print the query's Cypher instead of running it.")
@click.option("--browser", is_flag=True, help="Explain how to load the named queries into Neo4j Browser.")
@click.option(
    "--zip",
    "zip_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --browser: also write the queries into this zip for Browser's favorites import.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
def query_command(
    name: str | None,
    params: tuple[str, ...],
    list_queries: bool,
    show: bool,
    browser: bool,
    zip_path: Path | None,
    fmt: str,
) -> None:
    """Run the named query NAME read-only, e.g. `customsnet query partners -p country=FRA -p year=2005`.

    A country parameter (country, other) is an ISO3 code, a COW code or a name in any form the
    loader knows (`-p "country=Côte d'Ivoire"`); an unknown one is an error with the closest names.
    """
    if browser:
        _browser_help(zip_path)
        return
    if list_queries or not name:
        _list_queries()
        return
    from customsnet.etl.country_names import UnknownCountryError
    from customsnet.graph.queries import QueryError, named_query, parse_params
    from customsnet.workflows.queries import run_named_query

    try:
        if show:
            click.echo(named_query(name).text, nl=False)
            return
        given = parse_params(params)
        result, used, left_out = run_named_query(name, given)
    except (QueryError, UnknownCountryError) as exc:
        raise _fail(exc) from exc
    for key, value in used.items():
        if value != given[key]:  # say what a country name was taken to mean (stderr: output stays clean)
            click.echo(f"{key}: {given[key]} -> {value}", err=True)
    render(result.columns, result.rows, fmt, title=named_query(name).description)
    if fmt == "table":  # csv and json stay pure data (they are read by programs)
        for note in left_out:
            click.echo(f"note: {note}", err=True)


@click.command("cypher")
@click.argument("text")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help=PARAM_HELP)
@click.option("--write", is_flag=True, help="Allow the query to write (otherwise the server refuses writes).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
def cypher_command(text: str, params: tuple[str, ...], write: bool, fmt: str) -> None:
    """Run ad hoc Cypher TEXT, read-only unless --write; values go in as $parameters, never into the text."""
    from customsnet.graph.connection import Graph
    from customsnet.graph.queries import QueryError, parse_params, run_cypher

    try:
        values = parse_params(params)
        with Graph.connect() as graph:
            result = run_cypher(graph, text, values, write=write)
    except QueryError as exc:
        raise _fail(exc) from exc
    render(result.columns, result.rows, fmt)
