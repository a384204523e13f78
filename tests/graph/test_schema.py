"""Schema bootstrap and database clearing against a real Neo4j."""

from __future__ import annotations

import neo4j
import pytest

from customsnet.graph.schema import (
    apply_schema,
    clear_database,
    schema_objects,
    schema_statements,
)


def test_schema_has_every_key_and_index_of_the_graph_model(graph):
    objects = schema_objects(graph)
    constraints = {(c[3], c[4]) for c in objects["constraints"] if c[1] == "UNIQUENESS"}
    assert constraints >= {
        (("Country",), ("iso3",)),
        (("System",), ("name",)),
        (("Agreement",), ("id",)),
        (("Observation",), ("key",)),
        (("Source",), ("name",)),
    }
    # every fact relationship's key (docs/graph-model.md, "Keys") is unique too
    relationship_keys = {c[3] for c in objects["constraints"] if c[2] == "RELATIONSHIP" and c[4] == ("key",)}
    assert relationship_keys >= {
        (t,) for t in ("MEMBER_OF_SYSTEM", "PARTY_TO", "CMAA", "MLAT", "FTA", "TRADE", "CONTIGUOUS")
    }
    ranges = {(i[2], i[3], i[4]) for i in objects["indexes"] if i[1] == "RANGE"}
    assert ranges >= {
        ("NODE", ("Observation",), ("variable", "year")),
        ("RELATIONSHIP", ("TRADE",), ("year",)),
        ("RELATIONSHIP", ("CMAA",), ("since",)),
        ("RELATIONSHIP", ("MLAT",), ("since",)),
        ("RELATIONSHIP", ("FTA",), ("since",)),
        # the loader finds one source's facts by `source` (load_count_facts.cypher) without a scan
        ("NODE", ("Observation",), ("source",)),
        *(("RELATIONSHIP", (t,), ("source",)) for t in ("TRADE", "CONTIGUOUS", "MEMBER_OF_SYSTEM", "FROM_SOURCE")),
    }


def test_applying_the_schema_twice_changes_nothing(graph):
    before = schema_objects(graph)
    assert apply_schema(graph) == len(schema_statements())
    assert schema_objects(graph) == before


def test_uniqueness_constraint_is_enforced(graph):
    graph.write("MERGE (:Country {iso3: 'FRA'})")
    with pytest.raises(neo4j.exceptions.ConstraintError):
        graph.write("CREATE (:Country {iso3: 'FRA'})")


def test_clear_database_deletes_nodes_and_relationships_in_batches(graph):
    graph.write("UNWIND range(1, 6000) AS i CREATE (:Scratch {i: i})-[:NEXT]->(:Scratch {i: -i})")
    assert graph.read("MATCH (n:Scratch) RETURN count(n) AS n")[0]["n"] == 12000
    clear_database(graph)
    assert graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    assert graph.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == 0
    # the schema survives clearing
    assert len(schema_objects(graph)["constraints"]) >= 5
