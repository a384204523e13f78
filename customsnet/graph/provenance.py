"""Provenance of an export: which Source provided the facts it used, and which are synthetic.

A run is synthetic exactly when one of these sources is (decided from the Source nodes, not from
the command that ran). The rule for "synthetic" lives in ``cypher/signals_provenance.cypher``.
"""

from __future__ import annotations

from collections.abc import Sequence

from customsnet.cypher import load_cypher
from customsnet.graph.connection import Graph


def fact_sources(
    graph: Graph, first: int, last: int, lag: int, types: Sequence[str], variables: Sequence[str]
) -> list[dict]:
    """Rows ``kind, source, facts, file, layout, version, synthetic`` for an export of ``first..last``."""
    return graph.read(
        load_cypher("signals_provenance"),
        types=list(types),
        variables=list(variables),
        **{"from": first, "to": last, "from_lag": first - lag, "to_lag": last - lag},
    )


def synthetic_sources(graph: Graph) -> list[str]:
    """Names of the loaded Sources that are synthetic (same rule as the export's provenance)."""
    rows = graph.read(load_cypher("provenance_synthetic_sources"))
    return [r["name"] for r in rows]


def agreement_pairs(graph: Graph, tie_type: str) -> list[str]:
    """Every pair ``"A B"`` (A < B) with a ``tie_type`` tie of any date, undated ones included."""
    from customsnet.graph.signals import check_tie_options

    check_tie_options(tie_type, "signed")
    rows = graph.read(load_cypher("provenance_agreement_pairs"), type=tie_type)
    return [r["pair"] for r in rows]


def observation_coverage(graph: Graph, variables: Sequence[str]) -> dict[tuple[str, str], int]:
    """``(variable, source) -> last year`` that source has a value of the variable for."""
    rows = graph.read(load_cypher("provenance_observation_coverage"), variables=list(variables))
    return {(r["variable"], r["source"]): int(r["last"]) for r in rows}


def undated_notes(graph: Graph, query_text: str) -> list[str]:
    """For a query that counts ties by signing year: how many agreements of each type it cannot see.

    Named queries date ties by ``since`` (the signing year); an agreement without one is in no
    year's count. Returns one sentence per agreement type the query reads that has such agreements.
    """
    import re

    from customsnet.graph.signals import coverage

    if ".since" not in query_text:
        return []
    types = sorted(set(re.findall(r"\[\w*:(CMAA|MLAT|FTA)\]", query_text)))
    if not types:
        return []
    loaded = coverage(graph)
    notes = []
    for kind in types:
        row = loaded.get(kind, {})
        n = int(row.get("undated_signed_agreements") or 0)
        if n:
            notes.append(
                f"{n} of {int(row.get('agreements') or 0)} {kind} agreements have no signing year and are "
                "left out of these counts (policy: exclude undated; `customsnet run --undated in_force` "
                "dates them by entry into force)"
            )
    return notes
