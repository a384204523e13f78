"""Applies ``cypher/schema.cypher`` (constraints and indexes of docs/graph-model.md) and clears data."""

from __future__ import annotations

from customsnet.cypher import load_cypher, split_statements
from customsnet.graph.connection import Graph


def schema_statements() -> list[str]:
    """The statements of ``schema.cypher``, one ``CREATE ... IF NOT EXISTS`` each."""
    return split_statements(load_cypher("schema"))


def apply_schema(graph: Graph) -> int:
    """Create the constraints and indexes that do not exist yet; safe to run any number of times.

    Each statement runs in its own transaction (Neo4j refuses schema and data changes in one).
    Waits until the indexes are online, so loads right after use them. Returns the statement count.
    """
    statements = schema_statements()
    for statement in statements:
        graph.write(statement)
    # schema writes return before index population; an ETL load racing it would scan instead
    graph.run_autocommit(load_cypher("await_indexes"), seconds=300)
    return len(statements)


def schema_objects(graph: Graph) -> dict[str, list[tuple]]:
    """Constraints and indexes currently defined: ``{"constraints": [...], "indexes": [...]}``.

    Each entry is a sorted tuple of (name, type, entity type, labels or types, properties).
    """
    constraints = graph.read(load_cypher("schema_constraints"))
    indexes = graph.read(load_cypher("schema_indexes"))

    def as_tuple(row: dict) -> tuple:
        return (
            row["name"],
            row["type"],
            row["entityType"],
            tuple(row["labelsOrTypes"] or ()),
            tuple(row["properties"] or ()),
        )

    return {"constraints": [as_tuple(r) for r in constraints], "indexes": [as_tuple(r) for r in indexes]}


def clear_database(graph: Graph) -> None:
    """Delete all nodes and relationships in batches (the schema stays).

    ``CALL { ... } IN TRANSACTIONS`` only runs in an auto-commit transaction, hence ``run_statements``.
    """
    graph.run_statements(split_statements(load_cypher("clear_database")))
