"""CLI commands (db): start, stop and inspect the Neo4j server customsnet uses."""

from __future__ import annotations

import os
import subprocess
import time
from urllib.parse import urlsplit

import click

from customsnet.commands.progress import task_bars
from customsnet.config import Settings
from customsnet.graph import runtime
from customsnet.graph.connection import Graph


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _print_status(status: runtime.ServerStatus, settings: Settings) -> None:
    click.echo(f"runtime:  {status.mode} ({status.where})")
    click.echo(f"running:  {'yes' if status.running else 'no'}")
    click.echo(f"bolt:     {status.uri}")
    if status.browser_url:
        click.echo(f"browser:  {status.browser_url}")
    if status.pid is not None:
        click.echo(f"pid:      {status.pid}")
    if status.running:
        with Graph.connect(settings) as graph:
            info = graph.server_info()
        click.echo(f"version:  {info['version']} {info['edition']}")


@click.group("db")
def db() -> None:
    """Start, stop and inspect the Neo4j server (local, docker compose, or NEO4J_URI)."""


@db.command("start")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait until Neo4j answers.")
def start_command(timeout: float) -> None:
    """Start the managed Neo4j server (resolving its jars from Maven Central the first time)."""
    settings = Settings.from_env()
    status = runtime.start(settings, timeout=timeout, report=_progress)
    _print_status(status, settings)


@db.command("stop")
def stop_command() -> None:
    """Stop the managed Neo4j server (its data stays)."""
    settings = Settings.from_env()
    click.echo("stopped" if runtime.stop(settings) else "not running")


@db.command("status")
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """Where the server runs, its version and edition, and its pid; exit code 1 if it is not running."""
    settings = Settings.from_env()
    status = runtime.status(settings)
    _print_status(status, settings)
    if not status.running:
        ctx.exit(1)


@db.command("browser")
def browser_command() -> None:
    """Print the Neo4j Browser URL (log in as neo4j with `customsnet db password`)."""
    settings = Settings.from_env()
    status = runtime.status(settings)
    if status.mode == "external":
        # an external server's HTTP port is not known; 7474 is Neo4j's default
        host = urlsplit(status.uri).hostname or "localhost"
        click.echo(f"http://{host}:7474/browser/")
    else:
        click.echo(status.browser_url)
    click.echo(f"connect URL: {status.uri}  user: {settings.user}", err=True)


@db.command("password")
def password_command() -> None:
    """Print the Neo4j password (the only command that shows it)."""
    settings = Settings.from_env()
    password = settings.password if settings.external else runtime.managed_password(settings)
    if not password:
        raise click.ClickException("no password yet: `customsnet db start` creates one (or set NEO4J_PASSWORD)")
    click.echo(password)


@db.command("scratch", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
@click.pass_context
def scratch_command(ctx: click.Context, command: tuple[str, ...]) -> None:
    """Run COMMAND against a throwaway Neo4j: own free ports, random password, deleted afterwards.

    COMMAND gets NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD in its environment, so anything that
    clears or fills a database (benchmarks, experiments) never touches your data:
    `customsnet db scratch -- python benchmarks/bench_signals.py`. Exits with COMMAND's code.
    """
    with runtime.throwaway_instance(report=_progress) as instance:
        env = {**os.environ, "NEO4J_URI": instance.uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": instance.password}
        try:
            code = subprocess.run(list(command), env=env, check=False).returncode
        except FileNotFoundError as exc:
            raise click.ClickException(f"cannot run {command[0]!r}: {exc.strerror}") from exc
    ctx.exit(code)


@db.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--batch", default=10_000, show_default=True, type=click.IntRange(1), help="Deletions per transaction.")
@click.pass_context
def reset_command(ctx: click.Context, yes: bool, batch: int) -> None:
    """Delete every node and relationship of the configured database (the schema stays).

    Deletes in batches, each its own transaction, so memory stays bounded on any graph size.
    """
    from customsnet.graph.erase import graph_counts, reset_graph

    with Graph.connect() as graph:
        counts = graph_counts(graph)
        if not yes:
            click.confirm(
                f"Delete all {counts['nodes']} nodes and {counts['relationships']} relationships at {graph.uri}?",
                abort=True,
            )
        started = time.perf_counter()
        with task_bars() as progress:
            report = reset_graph(graph, batch=batch, progress=progress)
    click.echo(
        f"deleted {report.nodes} nodes and {report.relationships} relationships in {report.transactions} "
        f"transactions ({time.perf_counter() - started:.1f} s)"
    )


@click.command("unload")
@click.argument("source", required=False)
@click.option("--list", "list_sources", is_flag=True, help="List the loaded sources and exit.")
@click.pass_context
def unload_command(ctx: click.Context, source: str | None, list_sources: bool) -> None:
    """Delete every fact one loaded SOURCE provided (e.g. vdem:vdemlite_v14_...), then its Source node.

    SOURCE is a Source name as `customsnet unload --list` prints it (reader:file-stem). Deletes in
    batched auto-commit transactions, under the load lock. Country nodes stay; an agreement another
    source also names stays, with its dates and ties re-derived from the claims left.
    """
    from customsnet.commands.progress import spinner
    from customsnet.etl.load import unload_source
    from customsnet.graph.erase import loaded_sources

    with Graph.connect() as graph:
        rows = loaded_sources(graph)
        if list_sources or not source:
            for row in rows:
                click.echo(f"{row['name']}\t{row['rows_loaded']} rows\t{row['file']}")
            if not source and not list_sources:
                raise click.UsageError("name a SOURCE to unload (listed above)")
            return
        known = [row["name"] for row in rows]
        if source not in known:
            raise click.ClickException(
                f"no source {source!r} in the graph; loaded sources: {', '.join(known) or 'none'}"
            )
        started = time.perf_counter()
        with spinner(f"unloading {source}..."):
            deleted = unload_source(graph, source)
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(deleted.items()) if n)
    click.echo(f"unloaded {source}: {parts or 'no facts'} ({time.perf_counter() - started:.1f} s)")
