"""CLI commands (query)."""

COMMANDS: list = []
