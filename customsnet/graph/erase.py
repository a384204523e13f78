"""Emptying the graph in bounded memory (``customsnet db reset``), and the list of loaded sources.

Unloading one source is the ETL's job (:func:`customsnet.etl.load.unload_source`): it knows which
facts a source owns and re-derives the agreements other sources also name.

Each batch is its own transaction (a managed auto-commit call of the driver), so the server never
holds more than ``batch`` deletions at once: ``MATCH (n) DETACH DELETE n`` on a graph holding all
of ``../shared/data`` (~0.5 M TRADE relationships) exceeds the transaction memory pool, a loop of
10 000-relationship transactions does not. Relationships go first, then nodes, so a node batch
never drags an unbounded number of relationships into its transaction. A loop (rather than one
``CALL {…} IN TRANSACTIONS``) lets the caller draw a progress bar from the per-batch counts.

The schema (constraints, indexes) stays. Only the public driver API of :class:`Graph` is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from customsnet.cypher import load_cypher
from customsnet.graph.connection import Graph
from customsnet.progress import Progress

#: deletions per transaction; 10 000 relationships cost a few MB of transaction memory
DEFAULT_BATCH = 10_000


@dataclass
class EraseReport:
    """What was deleted, and in how many transactions."""

    relationships: int = 0
    nodes: int = 0
    transactions: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def graph_counts(graph: Graph) -> dict[str, int]:
    """Nodes and relationships in the database (from the count store: instant)."""
    nodes = graph.read(load_cypher("erase_count_nodes"))[0]["n"]
    rels = graph.read(load_cypher("erase_count_relationships"))[0]["n"]
    return {"nodes": int(nodes), "relationships": int(rels)}


def _delete_in_batches(
    graph: Graph,
    query: str,
    total: int,
    advance: Callable[[int], None] | None,
    batch: int,
    report: EraseReport,
    **params,
) -> int:
    """Run ``query`` (deletes at most ``$batch`` items, returns ``n``) until it deletes nothing."""
    deleted = 0
    while True:
        n = int(graph.write_records(query, batch=batch, **params)[0]["n"])
        report.transactions += 1
        if n == 0:
            return deleted
        deleted += n
        if advance:
            advance(n)
        if total and deleted > 10 * total + batch:  # something keeps recreating data: do not spin forever
            raise RuntimeError(f"deleted {deleted} items where {total} were counted; is another process writing?")


def reset_graph(graph: Graph, batch: int = DEFAULT_BATCH, progress: Progress | None = None) -> EraseReport:
    """Delete every node and relationship, ``batch`` per transaction; the schema stays."""
    report = EraseReport()
    counts = graph_counts(graph)
    advance = progress("deleting relationships", counts["relationships"]) if progress else None
    report.relationships = _delete_in_batches(
        graph, load_cypher("erase_relationships_batch"), counts["relationships"], advance, batch, report
    )
    advance = progress("deleting nodes", counts["nodes"]) if progress else None
    report.nodes = _delete_in_batches(graph, load_cypher("erase_nodes_batch"), counts["nodes"], advance, batch, report)
    report.by_kind = {"relationships": report.relationships, "nodes": report.nodes}
    return report


def loaded_sources(graph: Graph) -> list[dict]:
    """Every Source node: name, file, reader, layout, rows loaded, load time (for `unload` messages)."""
    return graph.read(load_cypher("erase_sources"))
