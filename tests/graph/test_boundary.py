"""The graph boundary: only ``customsnet/graph`` opens driver sessions or touches the driver."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "customsnet"
DRIVER_USE = re.compile(r"\.driver\.session|\._driver\b|\bgraph\.driver\b|GraphDatabase\.driver")


def test_only_the_graph_layer_uses_the_driver():
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path.is_relative_to(PACKAGE_DIR / "graph"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DRIVER_USE.search(line):
                offenders.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{number}: {line.strip()}")
    assert offenders == [], "driver used outside customsnet/graph:\n" + "\n".join(offenders)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def test_the_package_has_no_inline_cypher():
    # a string literal (not a docstring) that starts with a Cypher clause belongs in customsnet/cypher/
    clause = re.compile(
        r"\s*(MATCH|OPTIONAL MATCH|MERGE|CREATE|UNWIND|CALL|SHOW|RETURN|WITH) [A-Za-z($]"
        r"|\s*LOAD CSV (WITH HEADERS )?FROM"
    )
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            if is_text and clause.match(node.value):
                offenders.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}: {node.value[:60]!r}")
    assert offenders == [], "inline Cypher:\n" + "\n".join(offenders)
