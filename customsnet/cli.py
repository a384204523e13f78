"""customsnet command line: ``customsnet --help``.

The group only wires things together: each command lives in ``customsnet/commands/`` (one
module per area), parses its options and calls one library function. Command modules are
imported only when their command runs (see :data:`customsnet.commands.COMMANDS`), so
``--help`` and ``--version`` start without numpy, pandas or the Neo4j driver.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

import click

from customsnet import __version__
from customsnet.commands import COMMANDS


class CustomsnetGroup(click.Group):
    """Lazily loaded subcommands; library errors become one clear line and a non-zero exit code.

    ``--debug`` shows the trace instead.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, _, attribute = entry[0].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # the listing comes from the registry: building it must not import every command module
        rows = [
            (name, COMMANDS[name][1] if name in COMMANDS else self.commands[name].get_short_help_str())
            for name in self.list_commands(ctx)
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # the reader went away (`customsnet query ... | head`): not an error of ours to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            from customsnet.graph.errors import redact_secrets  # stdlib only: cheap

            # a URI with a password (NEO4J_URI=neo4j://user:pw@host) never reaches the terminal
            click.echo(f"error: {redact_secrets(str(exc))}", err=True)
            sys.exit(1)


@click.group(cls=CustomsnetGroup)
@click.version_option(__version__, prog_name="customsnet")
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.option("--quiet", is_flag=True, help="Hide progress bars only (results, warnings and errors still print).")
@click.pass_context
def main(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Customs cooperation networks in Neo4j, and temporal ERGMs estimated from them."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["quiet"] = quiet
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from customsnet.graph.errors import RedactingFilter

    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    if debug:  # our own debug messages only; the driver's wire log is far too chatty
        logging.getLogger("customsnet").setLevel(logging.DEBUG)


if __name__ == "__main__":  # pragma: no cover
    main()
