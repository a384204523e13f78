"""URIs with credentials never appear in messages: the helpers, Graph, the CLI and its logging."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from customsnet.cli import main
from customsnet.graph.connection import Graph
from customsnet.graph.errors import (
    GraphError,
    RedactingFilter,
    redact_secrets,
    redact_uri,
)

SECRET = "S3cr3t-pw"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"neo4j://bob:{SECRET}@127.0.0.1:7687", "neo4j://bob:***@127.0.0.1:7687"),
        (f"Given URI: 'bolt+s://bob:{SECRET}@db.example.org'.", "Given URI: 'bolt+s://bob:***@db.example.org'."),
        (f"neo4j://bob:p@ss/{SECRET}@host:1/db", "neo4j://bob:***@host:1/db"),  # '@' and '/' in the password
        ("bolt://127.0.0.1:7687", "bolt://127.0.0.1:7687"),
        ("neo4j://bob@host", "neo4j://bob@host"),
        (f"a http://x:{SECRET}@y and neo4j://u:{SECRET}@z", "a http://x:***@y and neo4j://u:***@z"),
    ],
)
def test_redact_secrets_hides_every_uri_password(text, expected):
    assert redact_secrets(text) == expected
    assert SECRET not in redact_secrets(text)


def test_redact_uri_accepts_none():
    assert redact_uri(None) == ""


def test_graph_refuses_a_uri_with_credentials_without_echoing_the_password():
    with pytest.raises(GraphError) as caught:
        Graph(f"neo4j://neo4j:{SECRET}@127.0.0.1:1", "neo4j", "irrelevant")
    message = str(caught.value)
    assert SECRET not in message and "neo4j://neo4j:***@127.0.0.1:1" in message
    assert "NEO4J_PASSWORD" in message


def test_unreachable_server_message_has_no_password():
    graph = Graph("bolt://127.0.0.1:1", "neo4j", SECRET)
    with pytest.raises(GraphError) as caught:
        graph.verify()
    graph.close()
    assert SECRET not in str(caught.value)


def test_logging_filter_redacts_formatted_messages():
    record = logging.LogRecord(
        "customsnet", logging.WARNING, __file__, 1, "connecting to %s", (f"neo4j://u:{SECRET}@h",), None
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "connecting to neo4j://u:***@h"


@pytest.mark.parametrize(
    "args",
    [
        ["cypher", "RETURN 1"],
        ["query", "partners", "-p", "country=FRA", "-p", "year=2000"],
        ["db", "status"],
        ["db", "stop"],
    ],
)
def test_cli_never_prints_the_password_of_neo4j_uri(args):
    env = {"NEO4J_URI": f"neo4j://neo4j:{SECRET}@127.0.0.1:1", "NEO4J_PASSWORD": "other-secret-value"}
    result = CliRunner().invoke(main, args, env=env)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert SECRET not in output, output
    assert "other-secret-value" not in output
    assert result.exit_code != 0 or args == ["db", "status"], output
