"""What read-only ad hoc Cypher may do, decided from the server's own plan of the query.

READ access mode alone is not enough: the server lets a read transaction run ``LOAD CSV``
(files and URLs), ``TERMINATE TRANSACTIONS`` and DBMS procedures such as
``dbms.killConnections``. Matching the query text is bypassable (comments, backticks, unicode
escapes, subqueries), so :func:`read_only_refusals` inspects the plan of ``EXPLAIN <query>``
instead: every operator the query would run, with procedure names as the server resolved them.

The rules (allow-lists, so anything new is refused until someone decides it is harmless):

- no ``LoadCSV`` operator;
- procedures only from :data:`ALLOWED_PROCEDURES`;
- of the commands (``SHOW ...``, ``TERMINATE ...``, administration), only the schema
  listings in :data:`ALLOWED_COMMANDS`; ``SHOW TRANSACTIONS`` is refused too, since it shows
  other clients' queries and parameters;
- the query type must be read (``r``), or schema (``s``) only for allowed procedures such as
  ``dbms.components``; anything that writes is reported as a write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

ALLOWED_PROCEDURES = (
    "db.labels",
    "db.relationshipTypes",
    "db.propertyKeys",
    "db.schema.*",
    "db.info",
    "db.ping",
    "db.index.fulltext.queryNodes",
    "db.index.fulltext.queryRelationships",
    "db.index.vector.queryNodes",
    "db.index.vector.queryRelationships",
    "dbms.components",
)
ALLOWED_COMMANDS = ("ShowIndexes", "ShowConstraints", "ShowProcedures", "ShowFunctions")
# operator names that are commands rather than query processing; checked against ALLOWED_COMMANDS
_COMMAND_PREFIXES = (
    "Show",
    "Terminate",
    "AdministrationCommand",
    "Create",
    "Drop",
    "Alter",
    "Grant",
    "Deny",
    "Revoke",
    "Start",
    "Stop",
    "Enable",
    "Rename",
)
# commands that are query processing despite the prefix (CREATE clause, index creation is a write)
_NOT_COMMANDS = ("Create",)
_PROCEDURE_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\(")
READ_QUERY_TYPES = ("r", "s")
WRITE_QUERY_TYPES = ("w", "rw")


@dataclass(frozen=True)
class Operator:
    """One operator of a plan: its name (``LoadCSV``, without the ``@neo4j`` suffix) and details."""

    name: str
    details: str


def operators(plan: dict[str, Any] | None) -> Iterator[Operator]:
    """Every operator of a driver plan dict, depth first (the plan's root is ``ProduceResults``)."""
    if not plan:
        return
    stack = [plan]
    while stack:
        node = stack.pop()
        name = str(node.get("operatorType", "")).split("@", 1)[0]
        details = (node.get("args") or {}).get("Details")
        yield Operator(name, "" if details is None else str(details))
        stack.extend(node.get("children") or ())


def procedure_name(details: str) -> str | None:
    """The procedure a ``ProcedureCall`` operator calls, from its details (``db.labels() :: ...``)."""
    match = _PROCEDURE_NAME.match(details)
    return match.group(1) if match else None


def procedure_allowed(name: str) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in ALLOWED_PROCEDURES)


def _is_command(name: str) -> bool:
    return name.startswith(_COMMAND_PREFIXES) and name not in _NOT_COMMANDS


def operator_refusal(operator: Operator) -> str | None:
    """Why ``operator`` may not run read-only, or None when it may."""
    if operator.name == "LoadCSV":
        return "LOAD CSV (reads files or URLs through the server)"
    if "Procedure" in operator.name and operator.name != "ShowProcedures":
        procedure = procedure_name(operator.details)
        if procedure is None:  # fail closed: a call we cannot name is a call we cannot allow
            return f"a procedure call the plan does not name ({operator.details or operator.name})"
        if not procedure_allowed(procedure):
            return f"procedure {procedure} (not on the read-only allow-list)"
        return None
    if _is_command(operator.name) and operator.name not in ALLOWED_COMMANDS:
        return f"the command {operator.name} (transaction, connection and server management)"
    return None


def read_only_refusals(query_type: str, plan: dict[str, Any] | None) -> list[str]:
    """Everything in an ``EXPLAIN`` result that read-only mode refuses (empty: the query may run).

    A write is reported as the single reason ``"writes"``; other reasons are operator refusals.
    """
    if plan is None:
        return ["the server returned no plan for the query"]
    reasons = list(dict.fromkeys(r for op in operators(plan) if (r := operator_refusal(op)) is not None))
    if query_type in WRITE_QUERY_TYPES:
        return ["writes", *reasons]
    if query_type not in READ_QUERY_TYPES:
        reasons.append(f"query type {query_type!r} is not a read")
    return reasons
