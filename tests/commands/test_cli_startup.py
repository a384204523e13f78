"""The command line starts without the heavy libraries, and every registered command loads."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

HEAVY = ("numpy", "pandas", "matplotlib", "neo4j", "numba", "scipy", "rich")

# run `customsnet ARGS` as `python -m customsnet` does, then print which heavy modules got imported
PROBE = """
import runpy, sys
sys.argv = ["customsnet", *sys.argv[1:]]
try:
    runpy.run_module("customsnet", run_name="__main__")
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["query", "--help"]])
def test_startup_imports_no_heavy_module(args):
    probe = PROBE % (HEAVY,)
    run = subprocess.run([sys.executable, "-c", probe, *args], check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last == "HEAVY:", f"`customsnet {' '.join(args)}` imported {last[6:]}"


def test_help_lists_every_registered_command():
    run = subprocess.run(
        [sys.executable, "-m", "customsnet", "--help"], check=False, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    from customsnet.commands import COMMANDS

    listed = run.stdout.split("Commands:", 1)[1]
    for name, (_, short_help) in COMMANDS.items():
        assert f"{name} " in listed and short_help in listed


def test_every_registered_command_loads_under_its_name():
    from customsnet.cli import main
    from customsnet.commands import COMMANDS

    ctx = click.Context(main)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.name == name


def test_unknown_command_is_a_usage_error():
    from click.testing import CliRunner

    from customsnet.cli import main

    result = CliRunner().invoke(main, ["nosuchcommand"])
    assert result.exit_code == 2 and "No such command" in result.output
