"""The shared fixtures give what they promise: a 5.26 Community server and an empty graph."""

from __future__ import annotations

from conftest import shared_dir


def test_session_server_is_neo4j_526_community(neo4j_connection):
    assert neo4j_connection.version.startswith("5.26.")
    assert neo4j_connection.edition == "community"


def test_graph_fixture_starts_empty_with_schema(graph):
    assert graph.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert graph.read("SHOW CONSTRAINTS YIELD name WHERE name = 'country_iso3' RETURN name") == [
        {"name": "country_iso3"}
    ]


def test_shared_dir_is_next_to_the_repository(shared_data_dir, reference_dir):
    assert shared_data_dir == shared_dir() / "data"
    assert reference_dir.parent == shared_dir()
