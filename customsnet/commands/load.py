"""CLI commands (load)."""

COMMANDS: list = []
