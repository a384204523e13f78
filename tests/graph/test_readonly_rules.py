"""The read-only rules on plans alone (no server): operators, procedure names, query types."""

from __future__ import annotations

import pytest

from customsnet.graph.readonly import (
    Operator,
    operator_refusal,
    operators,
    procedure_allowed,
    procedure_name,
    read_only_refusals,
)


def plan(operator: str, details: str | None = None, *children: dict) -> dict:
    """A plan node shaped like the driver's (``operatorType`` with the ``@neo4j`` runtime suffix)."""
    node = {
        "operatorType": f"{operator}@neo4j",
        "args": {} if details is None else {"Details": details},
        "children": list(children),
    }
    return node


def test_operators_walks_every_branch_and_drops_the_runtime_suffix():
    tree = plan("ProduceResults", "x", plan("Union", None, plan("Projection", "x"), plan("LoadCSV", "l")))
    assert [op.name for op in operators(tree)] == ["ProduceResults", "Union", "LoadCSV", "Projection"]
    assert list(operators(None)) == []


@pytest.mark.parametrize(
    ("details", "name"),
    [
        ("db.labels() :: (label :: STRING)", "db.labels"),
        ("dbms.killConnections($autolist_0) :: (connectionId :: STRING)", "dbms.killConnections"),
        ("  db.schema.visualization() :: (nodes :: LIST<NODE>)", "db.schema.visualization"),
        ("", None),
        (":: weird", None),
    ],
)
def test_procedure_name_comes_from_the_plan_details(details, name):
    assert procedure_name(details) == name


def test_allow_list_matches_whole_names_and_the_schema_family():
    assert procedure_allowed("db.labels") and procedure_allowed("db.schema.nodeTypeProperties")
    assert not procedure_allowed("db.labelsAndMore") and not procedure_allowed("dbms.killConnections")
    assert not procedure_allowed("apoc.load.json") and not procedure_allowed("db.schema")


def test_unnamed_procedure_calls_and_unknown_commands_are_refused():
    assert "does not name" in operator_refusal(Operator("ProcedureCall", ""))
    assert "ShowUsers" in operator_refusal(Operator("ShowUsers", ""))
    assert "TerminateTransactions" in operator_refusal(Operator("TerminateTransactions", "x"))
    assert operator_refusal(Operator("ShowIndexes", "allIndexes")) is None
    assert operator_refusal(Operator("ShowProcedures", "")) is None  # not a procedure call
    assert operator_refusal(Operator("Create", "(n)")) is None  # the CREATE clause: a write, caught by type
    assert operator_refusal(Operator("ShortestPath", "")) is None
    assert operator_refusal(Operator("StatefulShortestPath(Into)", "")) is None


def test_query_types_writes_first_and_no_plan_means_no():
    read = plan("ProduceResults", "n", plan("AllNodesScan", "n"))
    assert read_only_refusals("r", read) == []
    assert read_only_refusals("rw", read) == ["writes"]
    assert read_only_refusals("w", plan("ProduceResults", "", plan("LoadCSV", "l")))[0] == "writes"
    assert read_only_refusals("s", plan("ProduceResults", "", plan("ProcedureCall", "dbms.components() :: ()"))) == []
    assert read_only_refusals("x", read) == ["query type 'x' is not a read"]
    assert read_only_refusals("r", None) == ["the server returned no plan for the query"]
