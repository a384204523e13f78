"""Fixtures of the command tests: the CLI pointed at the session's Neo4j server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

# the small hand-made graph of the Cypher tests (tests/cypher/cypher_world.py) is reused here
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cypher"))


@pytest.fixture()
def graph_cli(neo4j_connection):
    """``customsnet ARGS`` against the test server (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD in the environment)."""
    from customsnet.cli import main

    env = {
        "NEO4J_URI": neo4j_connection.uri,
        "NEO4J_USER": neo4j_connection.user,
        "NEO4J_PASSWORD": neo4j_connection.password,
        "NEO4J_DATABASE": neo4j_connection.database,
    }
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["--quiet", *args], env=env)
