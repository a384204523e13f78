"""Write model runs back into the graph: ``ModelRun`` nodes, coefficients, predicted partners.

So Browser users can ask "which agreements does the model expect next?":

    MATCH (m:ModelRun {id: $run})<-[:HAS_COEFFICIENT]-() ...
    MATCH (a:Country)-[p:PREDICTED_PARTNER {run: $run}]->(b:Country) RETURN a.iso3, b.iso3, p.probability

The graph layer knows nothing about statistics: callers pass plain dicts/rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from customsnet.cypher import load_cypher
from customsnet.graph.connection import Graph


def _clean(value: Any) -> Any:
    """Neo4j has no NaN-friendly semantics for reports: store non-finite floats as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_model_run(graph: Graph, run: Mapping[str, Any], coefficients: Iterable[Mapping[str, Any]]) -> str:
    """MERGE a ``ModelRun`` by ``run['id']`` and replace its ``Coefficient`` nodes; returns the id."""
    if "id" not in run:
        raise ValueError("a model run needs an 'id'")
    coefs = [
        {
            "term": str(c["term"]),
            "estimate": _clean(float(c["estimate"])) if c.get("estimate") is not None else None,
            "boot_mean": _clean(float(c["boot_mean"])) if c.get("boot_mean") is not None else None,
            "lower": _clean(float(c["lower"])) if c.get("lower") is not None else None,
            "upper": _clean(float(c["upper"])) if c.get("upper") is not None else None,
            "status": str(c.get("status", "ok")),
            "position": k,
        }
        for k, c in enumerate(coefficients)
    ]
    props = {k: _clean(v) for k, v in run.items()}
    graph.write(load_cypher("results_model_run"), run=props, coefficients=coefs)
    return str(run["id"])


def write_predicted_partners(graph: Graph, run_id: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Replace the run's ``PREDICTED_PARTNER`` relationships with ``rows`` (iso3, partner, year, probability, rank)."""
    graph.write(load_cypher("results_clear_predictions"), run_id=run_id)
    payload = [
        {
            "iso3": r["iso3"],
            "partner": r["partner"],
            "year": int(r["year"]),
            "probability": float(r["probability"]),
            "rank": int(r["rank"]),
        }
        for r in rows
    ]
    return graph.write_batches(load_cypher("results_predictions"), payload, batch_size=5000, run_id=run_id)


def read_model_run(graph: Graph, run_id: str) -> dict[str, Any] | None:
    """The stored run and its coefficients (ordered as written), or None."""
    rows = graph.read(load_cypher("results_read_model_run"), id=run_id)
    if not rows:
        return None
    return {"run": dict(rows[0]["run"]), "coefficients": rows[0]["coefficients"]}
