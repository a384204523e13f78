"""CLI commands (fit)."""

COMMANDS: list = []
