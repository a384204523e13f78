"""Click commands, one module per area; :func:`register_all` adds them to the main group."""

from __future__ import annotations

import importlib

import click

# module name -> attribute holding a click command or group
_COMMAND_MODULES = ["db", "load", "query", "fit", "evaluate", "demo", "robustness", "table"]


def register_all(group: click.Group) -> None:
    for mod_name in _COMMAND_MODULES:
        module = importlib.import_module(f"customsnet.commands.{mod_name}")
        for cmd in getattr(module, "COMMANDS", []):
            group.add_command(cmd)
