"""``customsnet cypher`` through the CLI against the session's server (NEO4J_URI in the environment)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from customsnet.cli import main


@pytest.fixture()
def cli(graph, neo4j_connection):
    env = {
        "NEO4J_URI": neo4j_connection.uri,
        "NEO4J_USER": neo4j_connection.user,
        "NEO4J_PASSWORD": neo4j_connection.password,
        "NEO4J_DATABASE": neo4j_connection.database,
    }
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), env=env)


def one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_read_only_cypher_refuses_load_csv_in_one_line(cli):
    result = cli("cypher", "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l LIMIT 3")
    assert result.exit_code != 0
    line = one_error_line(result)
    assert "read-only mode refuses LOAD CSV" in line and "root:" not in result.output


def test_read_only_cypher_refuses_transaction_and_connection_management(cli):
    for text in ["TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "CALL dbms.killConnections(['bolt-1'])"]:
        result = cli("cypher", text)
        assert result.exit_code != 0
        assert "read-only mode refuses" in one_error_line(result)


def test_write_runs_call_in_transactions_and_reads_back(cli, graph):
    result = cli(
        "cypher",
        "--write",
        "UNWIND range(1, 12) AS i CALL (i) { CREATE (:CliBatch {i: i}) } "
        "IN TRANSACTIONS OF 5 ROWS RETURN count(*) AS n",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["n", "12"]
    result = cli("cypher", "MATCH (b:CliBatch) RETURN count(b) AS n", "--format", "csv")
    assert result.output.splitlines() == ["n", "12"]
    assert cli("cypher", "--write", "MATCH (b:CliBatch) DETACH DELETE b").exit_code == 0


def test_write_load_csv_of_a_host_file_fails_on_the_server_settings(cli):
    result = cli("cypher", "--write", "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l LIMIT 3")
    assert result.exit_code != 0
    assert "allow_csv_import_from_file_urls" in one_error_line(result)
    assert "root:" not in result.output
