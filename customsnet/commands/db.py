"""CLI commands (db): start, stop and inspect the Neo4j server customsnet uses."""

from __future__ import annotations

import os
import subprocess
from urllib.parse import urlsplit

import click

from customsnet.config import Settings
from customsnet.graph import server
from customsnet.graph.connection import Graph


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _print_status(status: server.ServerStatus, settings: Settings) -> None:
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
    status = server.start(settings, timeout=timeout, report=_progress)
    _print_status(status, settings)


@db.command("stop")
def stop_command() -> None:
    """Stop the managed Neo4j server (its data stays)."""
    settings = Settings.from_env()
    click.echo("stopped" if server.stop(settings) else "not running")


@db.command("status")
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """Where the server runs, its version and edition, and its pid; exit code 1 if it is not running."""
    settings = Settings.from_env()
    status = server.status(settings)
    _print_status(status, settings)
    if not status.running:
        ctx.exit(1)


@db.command("browser")
def browser_command() -> None:
    """Print the Neo4j Browser URL (log in as neo4j with `customsnet db password`)."""
    settings = Settings.from_env()
    status = server.status(settings)
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
    password = settings.password if settings.external else server.managed_password(settings)
    if not password:
        raise click.ClickException(
            "no password yet: `customsnet db start` creates one (or set NEO4J_PASSWORD)"
        )
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
    with server.throwaway_instance(report=_progress) as instance:
        env = {**os.environ, "NEO4J_URI": instance.uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": instance.password}
        try:
            code = subprocess.run(list(command), env=env).returncode
        except FileNotFoundError as exc:
            raise click.ClickException(f"cannot run {command[0]!r}: {exc.strerror}") from exc
    ctx.exit(code)

