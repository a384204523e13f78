"""The shared fixtures give what they promise: a 5.26 Community server and an empty graph."""

from __future__ import annotations

from pathlib import Path

# the repository's sibling ../shared (computed here: `from conftest import` would pick whichever
# conftest module was imported last, e.g. tests/etl/conftest.py)
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def test_session_server_is_neo4j_526_community(neo4j_connection):
    assert neo4j_connection.version.startswith("5.26.")
    assert neo4j_connection.edition == "community"


def test_graph_fixture_starts_empty_with_schema(graph):
    assert graph.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert graph.read("SHOW CONSTRAINTS YIELD name WHERE name = 'country_iso3' RETURN name") == [
        {"name": "country_iso3"}
    ]


def test_shared_dir_is_next_to_the_repository(shared_data_dir, reference_dir):
    assert shared_data_dir == SHARED / "data"
    assert reference_dir.parent == SHARED
