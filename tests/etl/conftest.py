"""Fixtures of the loader tests: an emptied graph, a rejects directory, the CLI pointed at the test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from customsnet.graph.schema import clear_database


@pytest.fixture()
def empty(graph):
    """The module's graph, emptied before each test (the schema stays)."""
    clear_database(graph)
    return graph


@pytest.fixture()
def rejects_dir(tmp_path) -> Path:
    return tmp_path / "rejects"


@pytest.fixture()
def cli_env(neo4j_connection, monkeypatch):
    """Point the CLI (Graph.connect) at the test server."""
    monkeypatch.setenv("NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_connection.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
