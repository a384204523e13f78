"""Cypher lives in ``*.cypher`` files next to this module; these helpers read them.

Files are plain Cypher, pasteable into Neo4j Browser. A file may hold several statements
separated by ``;`` at the end of a line (used for ``schema.cypher``). Named queries for
researchers live in ``queries/``, each starting with ``// <one-line description>``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).resolve().parent


@cache
def load_cypher(name: str) -> str:
    """Text of ``customsnet/cypher/<name>.cypher`` (``name`` may contain ``/``, e.g. ``queries/partners``)."""
    path = CYPHER_DIR / f"{name}.cypher"
    if not path.is_file():
        raise FileNotFoundError(f"no Cypher file {path}")
    return path.read_text(encoding="utf-8")


def split_statements(text: str) -> list[str]:
    """Split a multi-statement file at ``;`` line ends, dropping ``//`` comment lines."""
    statements, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("//") or not stripped:
            continue
        current.append(line)
        if stripped.endswith(";"):
            statements.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if current:
        statements.append("\n".join(current))
    return statements
