"""Named queries (``cypher/queries/*.cypher``) and ad hoc Cypher, run read-only unless asked to write.

A named query file starts with ``// <one-line description>`` and ``// :param {...}`` (the line to
paste into Neo4j Browser before running it). Parameters are always sent as query parameters, never
pasted into the text, so a value containing quotes cannot change the query.

Read-only runs are checked twice: first the server's plan of ``EXPLAIN <query>`` must pass
:mod:`customsnet.graph.readonly` (no LOAD CSV, no transaction or connection management, only
allow-listed procedures; else :class:`ReadOnlyRefused`, or :class:`WriteRefused` for a write),
then the query runs in the driver's READ access mode, where the server itself refuses writes.
``write=True`` runs the query in an auto-commit transaction, so ``CALL { ... } IN TRANSACTIONS``
works; the server's LOAD CSV settings (docs/security.md) still apply there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import neo4j

from customsnet.cypher import CYPHER_DIR
from customsnet.graph.connection import Graph
from customsnet.graph.readonly import read_only_refusals

QUERIES_DIR = CYPHER_DIR / "queries"
ACCESS_MODE_ERROR = "Neo.ClientError.Statement.AccessMode"
# $name parameters; $( starts a dynamic label expression, not a parameter
PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


class QueryError(ValueError):
    """A named query does not exist or lacks parameters; the message lists what is available."""


class WriteRefused(QueryError):
    """A query run read-only tried to write."""


class ReadOnlyRefused(QueryError):
    """A query run read-only would load files or URLs, manage transactions or call a procedure not allowed."""


@dataclass(frozen=True)
class NamedQuery:
    """One ``queries/<name>.cypher`` file."""

    name: str
    description: str
    example: str  # the ``:param {...}`` line, without the comment marker
    text: str
    path: Path

    @property
    def parameters(self) -> list[str]:
        return query_parameters(self.text)


@dataclass(frozen=True)
class QueryResult:
    """Column names (in RETURN order) and rows of plain values."""

    columns: list[str]
    rows: list[list[Any]]


def query_parameters(text: str) -> list[str]:
    """Names of the ``$parameters`` a query uses, in order of first use (comments and strings ignored)."""
    # whole-line comments first (they may hold apostrophes), then strings (they may hold "//"),
    # then trailing comments
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    code = STRING_LITERAL.sub("''", code)
    code = "\n".join(line.split("//", 1)[0] for line in code.splitlines())
    return list(dict.fromkeys(PARAMETER.findall(code)))


def parse_named_query(path: Path) -> NamedQuery:
    """Read a named query file; its first line must be ``// description``, with a ``// :param`` line."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or not lines[0].startswith("//"):
        raise QueryError(f"{path}: a named query must start with '// <one-line description>'")
    description = lines[0][2:].strip()
    example = next((ln.strip()[2:].strip() for ln in lines if ln.strip().startswith("// :param")), "")
    return NamedQuery(path.stem, description, example, text, path)


@cache
def _named_queries(directory: str) -> dict[str, NamedQuery]:
    return {p.stem: parse_named_query(p) for p in sorted(Path(directory).glob("*.cypher"))}


def named_queries(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """All named queries by name, sorted."""
    return _named_queries(str(directory))


def named_query(name: str) -> NamedQuery:
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r}; available: {', '.join(queries)} (see `customsnet query --list`)")
    return queries[name]


def parse_value(text: str) -> int | float | str:
    """A parameter value from the command line: int, else float, else string.

    Quotes around the value keep it a string (``'007'`` stays ``"007"``).
    """
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_params(pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["key=value", ...]`` -> ``{key: parsed value}``; the value may itself contain ``=``."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise QueryError(f"parameter {pair!r} is not KEY=VALUE")
        params[key] = parse_value(value)
    return params


def plain(value: Any) -> Any:
    """A JSON-friendly copy of a driver value (nodes, relationships, paths, temporal types)."""
    if isinstance(value, neo4j.graph.Node):
        return {"labels": sorted(value.labels), **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Path):
        return [plain(n) for n in value.nodes]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):  # neo4j.time Date, DateTime, Duration ...
        return value.iso_format()
    return value


#: ``CALL { ... } IN [n CONCURRENT] TRANSACTIONS``: runs only in an auto-commit transaction
IN_TRANSACTIONS = re.compile(r"\bIN\s+(?:\d+\s+CONCURRENT\s+)?TRANSACTIONS\b", re.IGNORECASE)


def _collect(tx: neo4j.ManagedTransaction | neo4j.Session, text: str, params: dict[str, Any]) -> QueryResult:
    result = tx.run(text, params)
    columns = list(result.keys())
    return QueryResult(columns, [[plain(v) for v in record.values()] for record in result])


def _refuse_unless_read_only(graph: Graph, text: str, params: dict[str, Any]) -> None:
    """Raise unless the server's plan of ``text`` passes :func:`read_only_refusals` (nothing runs)."""
    query_type, plan = graph.explain(text, **params)
    reasons = read_only_refusals(query_type, plan)
    if not reasons:
        return
    if reasons[0] == "writes":
        raise WriteRefused("this query writes; rerun with --write")
    raise ReadOnlyRefused(
        f"read-only mode refuses {'; '.join(reasons)}; nothing was run. Rerun with --write if you mean it "
        "(docs/security.md)"
    )


def run_cypher(graph: Graph, text: str, params: dict[str, Any] | None = None, write: bool = False) -> QueryResult:
    """Run Cypher read-only (checked plan, READ access) or, with ``write=True``, auto-committed.

    Raises :class:`WriteRefused` when a read-only run would write, :class:`ReadOnlyRefused` when
    it would load CSV, manage transactions or connections, or call a procedure off the allow-list,
    and :class:`QueryError` when parameters the query uses are not given.
    """
    params = dict(params or {})
    missing = [p for p in query_parameters(text) if p not in params]
    if missing:
        raise QueryError(f"the query needs parameter(s) {', '.join(missing)}: add --param NAME=VALUE for each")
    if write:
        try:
            records, _, keys = graph.run_autocommit(text, **params)
        except neo4j.exceptions.ClientError as exc:
            raise QueryError(f"Neo4j refused the query ({exc.code}): {exc.message}") from exc
        return QueryResult(list(keys), [[plain(v) for v in record.values()] for record in records])
    try:
        _refuse_unless_read_only(graph, text, params)
        return graph.execute_read(_collect, text, params)
    except neo4j.exceptions.ClientError as exc:
        if exc.code == ACCESS_MODE_ERROR:
            raise WriteRefused("this query writes; rerun with --write") from exc
        raise QueryError(f"Neo4j refused the query ({exc.code}): {exc.message}") from exc


def run_named(graph: Graph, name: str, params: dict[str, Any] | None = None) -> QueryResult:
    """Run a named query read-only; missing parameters are reported with the query's ``:param`` example."""
    query = named_query(name)
    params = dict(params or {})
    missing = [p for p in query.parameters if p not in params]
    if missing:
        raise QueryError(
            f"query {name!r} needs --param for {', '.join(missing)} (example: {query.example or 'none given'})"
        )
    unknown = sorted(set(params) - set(query.parameters))
    if unknown:
        raise QueryError(
            f"query {name!r} takes no parameter(s) {', '.join(unknown)}; it takes {', '.join(query.parameters)}"
        )
    return run_cypher(graph, query.text, params)


def browser_favorites_zip(path: Path, directory: Path = QUERIES_DIR) -> Path:
    """Write the named queries into a zip for Neo4j Browser's favorites import; returns the path.

    Browser names each favorite after the file's first ``//`` line, the query's description.
    """
    import zipfile

    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, query in named_queries(directory).items():
            archive.writestr(f"customsnet/{name}.cypher", query.text)
    return path
