"""The region of every country in the graph (``cypher/country_regions.cypher``)."""

from __future__ import annotations

from customsnet.cypher import load_cypher
from customsnet.graph.connection import Graph


def country_regions(graph: Graph) -> dict[str, str]:
    """``{iso3: region}`` for every Country node; ``""`` where the country has no region."""
    return {row["iso3"]: row["region"] or "" for row in graph.read(load_cypher("country_regions"))}
