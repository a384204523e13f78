"""`customsnet cypher --write` runs CALL {…} IN TRANSACTIONS (it needs an auto-commit transaction)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from customsnet.cli import main

pytestmark = pytest.mark.neo4j


def test_cypher_write_runs_call_in_transactions(graph, neo4j_connection):
    graph.write("UNWIND range(1, 250) AS k CREATE (:Scratch {k: k})")
    env = {"NEO4J_URI": neo4j_connection.uri, "NEO4J_USER": neo4j_connection.user,
           "NEO4J_PASSWORD": neo4j_connection.password}
    query = "MATCH (s:Scratch) CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 100 ROWS"
    refused = CliRunner().invoke(main, ["cypher", query], env=env)
    assert refused.exit_code != 0  # read-only without --write
    res = CliRunner().invoke(main, ["cypher", "--write", query], env=env)
    assert res.exit_code == 0, res.output
    assert graph.read("MATCH (s:Scratch) RETURN count(s) AS n")[0]["n"] == 0
