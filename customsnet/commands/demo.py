"""CLI commands (demo)."""

COMMANDS: list = []
