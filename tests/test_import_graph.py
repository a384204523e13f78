"""The package's import graph: no cycles, and the layer rules of the architecture.

Walks the source with :mod:`ast` (nothing is imported, so it is fast and sees lazy imports inside
functions too, which are real dependencies even when they do not break at run time). Imports
under ``if TYPE_CHECKING:`` are left out: they never run. Importing ``a.b.c`` also runs the
package ``a.b``'s ``__init__``; those implicit edges are left out too, so a package may
re-export its own submodules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "customsnet"
PACKAGE = "customsnet"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[str, list[str], int]]:
    """(module, imported names, relative level) of every import outside ``if TYPE_CHECKING``."""
    found: list[tuple[str, list[str], int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", [alias.name for alias in node.names], node.level))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """``{module: customsnet modules it imports}``."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for module, names, level in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (level - 1)]
                module = ".".join([*base, module] if module else base)
            if module != PACKAGE and not module.startswith(PACKAGE + "."):
                continue
            submodules = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules]
            if submodules:
                targets.update(submodules)
            if len(submodules) < len(names) or not names:
                targets.add(module)
        targets.discard(name)
        graph[name] = {t for t in targets if t in modules}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(package_modules())


def test_the_walker_sees_absolute_relative_and_lazy_imports(tmp_path):
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nimport customsnet.x\nfrom . import y\n"
        "if TYPE_CHECKING:\n    import customsnet.hidden\n"
        "def f():\n    from customsnet.z import w\n"
    )
    assert [m for m, _, _ in _imports(tree)] == ["typing", "customsnet.x", "", "customsnet.z"]


def test_the_package_has_no_import_cycle(graph):
    assert len(graph) > 50  # really walked the package
    assert "customsnet.graph.runtime.managed" in graph["customsnet.graph.connection"]  # lazy import seen
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _reaches(graph: dict[str, set[str]], start: str, forbidden: str) -> list[str] | None:
    """An import path from ``start`` into package ``forbidden``, or None."""
    seen = {start}
    stack = [[start]]
    while stack:
        route = stack.pop()
        for target in sorted(graph.get(route[-1], ())):
            if target == forbidden or target.startswith(forbidden + "."):
                return [*route, target]
            if target not in seen:
                seen.add(target)
                stack.append([*route, target])
    return None


def test_modeling_never_imports_the_graph_layer_except_export(graph):
    for name in sorted(graph):
        if name.startswith("customsnet.modeling") and not name.startswith("customsnet.modeling.panel.export"):
            bad = sorted(t for t in graph[name] if t.startswith("customsnet.graph"))
            assert not bad, f"{name} imports {bad} (only modeling/export.py may)"


def test_etl_never_imports_modeling(graph):
    for name in sorted(graph):
        if name.startswith("customsnet.etl"):
            route = _reaches(graph, name, "customsnet.modeling")
            assert route is None, "etl reaches modeling: " + " -> ".join(route or [])


def test_the_graph_layer_knows_nothing_of_statistics_or_the_cli(graph):
    for name in sorted(graph):
        if name.startswith("customsnet.graph"):
            bad = sorted(
                t
                for t in graph[name]
                if t.startswith(("customsnet.modeling", "customsnet.commands", "customsnet.cli", "customsnet.etl"))
            )
            assert not bad, f"{name} imports {bad}"


def test_the_runtime_never_imports_the_connection(graph):
    # the old graph/server.py <-> graph/connection.py cycle: the runtime raises errors from
    # graph/errors.py, and only the connection reaches (lazily) into the runtime
    for name in sorted(graph):
        if name.startswith("customsnet.graph.runtime"):
            route = _reaches(graph, name, "customsnet.graph.connection")
            assert route is None, " -> ".join(route or [])
