"""Read-only ad hoc Cypher through a real server: what it refuses, what it still runs, and what the
server's own LOAD CSV settings refuse even with ``write=True`` (issue #14, item 1 and 2).

Every refusal must happen before the query runs: the loopback HTTP server below counts requests,
and the transaction and connection the tests try to end must still work afterwards.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
import pytest

from customsnet.graph.queries import (
    QueryError,
    ReadOnlyRefused,
    WriteRefused,
    run_cypher,
)


@contextmanager
def loopback_csv_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 serving a two-line CSV; yields its base URL and the paths requested."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"a,b\n1,2\n")

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def driver(neo4j_connection):
    """A second client of the server (its own connections and transactions), closed after the test."""
    with neo4j.GraphDatabase.driver(neo4j_connection.uri, auth=(neo4j_connection.user, neo4j_connection.password)) as d:
        yield d


# ------------------------------------------------------------------ LOAD CSV
@pytest.mark.parametrize("url", ["file:///etc/passwd", "file:///import-dir-file.csv"])
def test_read_only_load_csv_of_a_local_file_is_refused(graph, url):
    with pytest.raises(ReadOnlyRefused, match="read-only mode refuses LOAD CSV"):
        run_cypher(graph, f"LOAD CSV FROM '{url}' AS line RETURN line LIMIT 3")


def test_read_only_load_csv_of_a_loopback_url_sends_no_request(graph):
    with loopback_csv_server() as (base, requests):
        for query in [
            f"LOAD CSV FROM '{base}/a.csv' AS line RETURN line",
            # spelled to slip past a text filter: comment inside, lower case, in a subquery, via a parameter
            f"load /* x */ csv from '{base}/b.csv' as line return line",
            f"CALL () {{ LOAD CSV FROM '{base}/c.csv' AS line RETURN line }} RETURN line",
            "WITH $url AS url LOAD CSV FROM url AS line RETURN line",
        ]:
            with pytest.raises(ReadOnlyRefused, match="LOAD CSV"):
                run_cypher(graph, query, {"url": f"{base}/d.csv"} if "$url" in query else None)
        assert requests == []


def test_with_write_the_server_itself_refuses_file_urls_and_outbound_urls(graph):
    with pytest.raises(QueryError, match="allow_csv_import_from_file_urls"):
        run_cypher(graph, "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line LIMIT 3", write=True)
    with loopback_csv_server() as (base, requests):
        with pytest.raises(QueryError, match="blocked"):
            run_cypher(graph, f"LOAD CSV FROM '{base}/a.csv' AS line RETURN line", write=True)
        with pytest.raises(QueryError, match="blocked"):
            run_cypher(
                graph, f"LOAD CSV FROM '{base.replace('127.0.0.1', 'localhost')}/a.csv' AS l RETURN l", write=True
            )
        assert requests == []


# ------------------------------------------------------------------ other clients' work
def test_terminate_transactions_is_refused_and_the_transaction_survives(graph, driver):
    with driver.session(database=graph.database) as session:
        tx = session.begin_transaction()
        tx.run("CREATE (:TerminateProbe)").consume()
        rows = graph.read("SHOW TRANSACTIONS YIELD transactionId, currentQuery, status RETURN transactionId, status")
        ids = [r["transactionId"] for r in rows]
        assert ids, "the probe transaction should be listed"
        for query in [
            f"TERMINATE TRANSACTIONS {', '.join(repr(i) for i in ids)}",
            "TERMINATE TRANSACTIONS $ids YIELD transactionId RETURN transactionId",
        ]:
            with pytest.raises(ReadOnlyRefused, match="TerminateTransactions"):
                run_cypher(graph, query, {"ids": ids})
        tx.commit()  # would raise had it been terminated
    assert graph.read("MATCH (n:TerminateProbe) RETURN count(n) AS n") == [{"n": 1}]
    graph.write("MATCH (n:TerminateProbe) DELETE n")


def test_show_transactions_is_refused_read_only(graph):
    # it shows other clients' queries and their parameters
    with pytest.raises(ReadOnlyRefused, match="ShowTransactions"):
        run_cypher(graph, "SHOW TRANSACTIONS YIELD * RETURN *")


def test_kill_connections_is_refused_and_the_connection_survives(graph, driver):
    with driver.session(database=graph.database) as session:
        session.run("RETURN 1").consume()
        ids = [
            r["connectionId"] for r in graph.read("CALL dbms.listConnections() YIELD connectionId RETURN connectionId")
        ]
        for query in [
            "CALL dbms.killConnections($ids)",
            "CALL `dbms`.`killConnections`($ids)",
            "CALL dbms.killConnection($ids[0])",
            "MATCH (n) WITH count(n) AS c CALL dbms.killConnections($ids) YIELD message RETURN message",
        ]:
            with pytest.raises(ReadOnlyRefused, match=r"procedure dbms\.killConnection"):
                run_cypher(graph, query, {"ids": ids})
        assert session.run("RETURN 2 AS x").single()["x"] == 2


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("CALL dbms.listConnections()", "procedure dbms.listConnections"),
        ("CALL db.clearQueryCaches()", "procedure db.clearQueryCaches"),
        ("CALL tx.setMetaData({a: 1})", "procedure tx.setMetaData"),
        ("CALL dbms.listConfig()", "procedure dbms.listConfig"),
        ("SHOW SETTINGS", "ShowSettings"),
        ("CREATE INDEX probe_index IF NOT EXISTS FOR (n:Probe) ON (n.x)", "CreateIndex"),
        ("CREATE USER probe SET PASSWORD 'long-enough-1'", "AdministrationCommand"),
    ],
)
def test_procedures_and_commands_off_the_allow_list_are_refused(graph, query, refused):
    with pytest.raises(ReadOnlyRefused, match=refused):
        run_cypher(graph, query)


def test_writes_are_still_reported_as_writes(graph):
    with pytest.raises(WriteRefused, match="rerun with --write"):
        run_cypher(graph, "CREATE (:Probe)")
    with pytest.raises(WriteRefused):
        run_cypher(graph, "CALL db.createLabel('Probe')")
    assert graph.read("MATCH (n:Probe) RETURN count(n) AS n") == [{"n": 0}]


def test_reads_schema_listings_and_allowed_procedures_still_run(graph):
    graph.write("CREATE (:Probe {x: 1})")
    try:
        assert run_cypher(graph, "MATCH (n:Probe) RETURN n.x AS x").rows == [[1]]
        assert ["Probe"] in run_cypher(graph, "CALL db.labels()").rows
        assert run_cypher(graph, "CALL db.schema.visualization()").columns == ["nodes", "relationships"]
        assert run_cypher(graph, "SHOW INDEXES YIELD name RETURN count(*) AS n").rows[0][0] > 0
        assert run_cypher(graph, "CALL dbms.components() YIELD edition RETURN edition").rows == [["community"]]
        # a parameter named like the helper's own argument is just a parameter
        assert run_cypher(graph, "RETURN $query AS q", {"query": "x"}).rows == [["x"]]
    finally:
        graph.write("MATCH (n:Probe) DELETE n")


def test_write_runs_in_transactions_batches_in_an_auto_commit_transaction(graph):
    result = run_cypher(
        graph,
        "UNWIND range(1, 25) AS i CALL (i) { CREATE (:BatchProbe {i: i}) } "
        "IN TRANSACTIONS OF 10 ROWS RETURN count(*) AS n",
        write=True,
    )
    assert result.rows == [[25]]
    run_cypher(graph, "MATCH (p:BatchProbe) CALL (p) { DELETE p } IN TRANSACTIONS OF 10 ROWS", write=True)
    assert graph.read("MATCH (p:BatchProbe) RETURN count(p) AS n") == [{"n": 0}]
