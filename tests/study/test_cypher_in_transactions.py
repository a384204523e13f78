"""`customsnet cypher --write` runs CALL {…} IN TRANSACTIONS (it needs an auto-commit transaction)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from customsnet.cli import main

pytestmark = pytest.mark.neo4j


def test_cypher_write_runs_call_in_transactions(graph, neo4j_connection):
    graph.write("UNWIND range(1, 250) AS k CREATE (:Scratch {k: k})")
    env = {
        "NEO4J_URI": neo4j_connection.uri,
        "NEO4J_USER": neo4j_connection.user,
        "NEO4J_PASSWORD": neo4j_connection.password,
    }
    query = "MATCH (s:Scratch) CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 100 ROWS"
    refused = CliRunner().invoke(main, ["cypher", query], env=env)
    assert refused.exit_code != 0  # read-only without --write
    res = CliRunner().invoke(main, ["cypher", "--write", query], env=env)
    assert res.exit_code == 0, res.output
    assert graph.read("MATCH (s:Scratch) RETURN count(s) AS n")[0]["n"] == 0


def test_tie_counting_query_notes_undated_agreements_in_table_format_only(graph, neo4j_connection):
    graph.write(
        "MERGE (a:Country {iso3: 'AAA'}) MERGE (b:Country {iso3: 'BBB'}) MERGE (c:Country {iso3: 'CCC'}) "
        "CREATE (a)-[:CMAA {since: 2001, agreement: 'x1', source: 't'}]->(b) "
        "CREATE (a)-[:CMAA {agreement: 'x2', source: 't'}]->(c)"
    )
    env = {
        "NEO4J_URI": neo4j_connection.uri,
        "NEO4J_USER": neo4j_connection.user,
        "NEO4J_PASSWORD": neo4j_connection.password,
    }
    table = CliRunner().invoke(main, ["query", "top_signatories", "-p", "year=2005", "-p", "limit=5"], env=env)
    assert table.exit_code == 0, table.output
    assert "note: 1 of 2 CMAA agreements have no signing year" in table.output
    csv = CliRunner().invoke(
        main, ["query", "top_signatories", "-p", "year=2005", "-p", "limit=5", "--format", "csv"], env=env
    )
    assert csv.exit_code == 0 and "note:" not in csv.output
    assert csv.output.splitlines()[0] == "country,name,partners,signed_in_year"
    graph.write("MATCH (c:Country) WHERE c.iso3 IN ['AAA', 'BBB', 'CCC'] DETACH DELETE c")
