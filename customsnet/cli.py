"""customsnet command line: ``customsnet --help``.

The group only wires things together: each command lives in ``customsnet/commands/`` (one
module per area), parses its options and calls one library function.
"""

from __future__ import annotations

import logging
import sys

import click

from customsnet import __version__
from customsnet.commands import register_all


class CustomsnetGroup(click.Group):
    """Turns library errors into one clear line and a non-zero exit code (``--debug`` for the trace)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the CLI boundary
            if ctx.obj and ctx.obj.get("debug"):
                raise
            from customsnet.graph.errors import redact_secrets  # stdlib only: cheap

            # a URI with a password (NEO4J_URI=neo4j://user:pw@host) never reaches the terminal
            click.echo(f"error: {redact_secrets(str(exc))}", err=True)
            sys.exit(1)


@click.group(cls=CustomsnetGroup)
@click.version_option(__version__, prog_name="customsnet")
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
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


register_all(main)

if __name__ == "__main__":  # pragma: no cover
    main()
