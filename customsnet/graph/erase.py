"""Emptying the graph and unloading one source, in bounded memory.

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

#: deletions per transaction; 10 000 relationships cost a few MB of transaction memory
DEFAULT_BATCH = 10_000

#: ``progress(description, total) -> advance(n)``, the shape of the CLI's progress bars
Progress = Callable[[str, int], Callable[[int], None]]

#: relationship types the package writes; only these are written into a query's pattern (the
#: ``erase_source_relationships`` template), any other type is matched by a ``$type`` parameter
RELATIONSHIP_TYPES = frozenset({
    "TRADE", "CONTIGUOUS", "MEMBER_OF_SYSTEM", "FROM_SOURCE", "CMAA", "MLAT", "FTA", "PARTY_TO",
    "HAS_OBSERVATION", "HAS_COEFFICIENT", "PREDICTED_PARTNER",
})


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


def _delete_in_batches(graph: Graph, query: str, total: int, advance: Callable[[int], None] | None,
                       batch: int, report: EraseReport, **params) -> int:
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
        graph, load_cypher("erase_relationships_batch"),
        counts["relationships"], advance, batch, report)
    advance = progress("deleting nodes", counts["nodes"]) if progress else None
    report.nodes = _delete_in_batches(
        graph, load_cypher("erase_nodes_batch"),
        counts["nodes"], advance, batch, report)
    report.by_kind = {"relationships": report.relationships, "nodes": report.nodes}
    return report


def loaded_sources(graph: Graph) -> list[dict]:
    """Every Source node: name, file, reader, layout, rows loaded, load time (for `unload` messages)."""
    return graph.read(load_cypher("erase_sources"))


def source_fact_counts(graph: Graph, name: str) -> dict[str, int]:
    """Facts of one source by relationship type or node label (what :func:`unload_source` deletes)."""
    rows = graph.read(load_cypher("erase_source_fact_counts"), name=name)
    return {r["kind"]: int(r["n"]) for r in rows if r["n"]}


def _relationships_query(kind: str) -> str:
    """The batch query deleting relationships of type ``kind`` that carry ``source = $name``.

    TRADE keys start with the source name: the key's unique index finds each batch directly, where
    a property filter would rescan all 0.4 M TRADE relationships for every batch. A type of the
    package is written into the pattern (checked against :data:`RELATIONSHIP_TYPES`, so no text from
    the graph or a user reaches the query); any other type is matched by the ``$type`` parameter.
    """
    if kind == "TRADE":
        return load_cypher("erase_source_trade")
    if kind in RELATIONSHIP_TYPES:
        return load_cypher("erase_source_relationships").replace("{type}", kind)
    return load_cypher("erase_source_relationships_any")


def unload_source(graph: Graph, name: str, batch: int = DEFAULT_BATCH, progress: Progress | None = None) -> EraseReport:
    """Delete every fact one Source provided, then the Source node.

    Facts are the relationships and Observation nodes carrying ``source = name``. An Agreement
    node is deleted only when no other Source provides it (an agreement named by two lists keeps
    its node and loses this list's ``FROM_SOURCE`` link). Country nodes stay: they are shared
    identities, not facts of one file. Raises ``KeyError`` (with the loaded names) for an unknown source.
    """
    known = [s["name"] for s in loaded_sources(graph)]
    if name not in known:
        raise KeyError(f"no source {name!r} in the graph; loaded sources: {', '.join(known) or 'none'}")
    report = EraseReport()
    counts = source_fact_counts(graph, name)
    for kind, total in sorted(counts.items()):
        if kind in ("Observation", "Agreement"):
            continue
        advance = progress(f"{name}: {kind} relationships", total) if progress else None
        report.by_kind[kind] = _delete_in_batches(graph, _relationships_query(kind), total, advance, batch, report,
                                                  name=name, prefix=f"{name}|", type=kind)
        report.relationships += report.by_kind[kind]
    if counts.get("Observation"):
        advance = progress(f"{name}: observations", counts["Observation"]) if progress else None
        report.by_kind["Observation"] = _delete_in_batches(
            graph, load_cypher("erase_source_observations"),
            counts["Observation"], advance, batch, report, name=name)
        report.nodes += report.by_kind["Observation"]
    if counts.get("Agreement"):
        advance = progress(f"{name}: agreements", counts["Agreement"]) if progress else None
        # agreements only this source names: the node goes (with its PARTY_TO links)
        only = _delete_in_batches(
            graph, load_cypher("erase_source_agreements_only"), counts["Agreement"], advance, batch, report, name=name)
        # agreements other sources name too: only this source's link goes
        shared = _delete_in_batches(
            graph, load_cypher("erase_source_agreement_links"), counts["Agreement"], advance, batch, report, name=name)
        report.by_kind["Agreement"] = only
        report.by_kind["Agreement (kept, named by another source)"] = shared
        report.nodes += only
    graph.write(load_cypher("erase_source_node"), name=name)
    report.transactions += 1
    return report
