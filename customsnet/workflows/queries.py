"""``customsnet query NAME`` as a library call: parameters checked and country names resolved first.

Every parameter that names a country (:data:`COUNTRY_PARAMETERS`) goes through
:func:`customsnet.etl.country_names.resolve_country`, so ``-p "country=Côte d'Ivoire"``,
``-p country=civ`` and ``-p country=437`` (COW, read in ``-p year=...``) ask for the same
node, and ``-p country=Narnia`` is an error listing the closest names, never zero rows.
"""

from __future__ import annotations

from typing import Any

# parameter names of the named queries that hold a country; "ALL" keeps its meaning of no filter
COUNTRY_PARAMETERS = ("country", "other")
ALL = "ALL"


def resolve_country_parameters(params: dict[str, Any], resolver=None) -> dict[str, Any]:
    """``params`` with each country parameter replaced by the ISO3 key it names."""
    from customsnet.etl.country_names import resolve_country

    year = params.get("year", params.get("from"))
    year = year if isinstance(year, int) else None
    resolved = dict(params)
    for key in COUNTRY_PARAMETERS:
        value = params.get(key)
        if value is None or (isinstance(value, str) and value.strip().upper() == ALL):
            continue
        resolved[key] = resolve_country(value, year, resolver, parameter=key)
    return resolved


def run_named_query(name: str, params: dict[str, Any]):
    """Run named query ``name`` read-only with country parameters resolved.

    Returns (QueryResult, the parameter values used, notes on agreements the query cannot see),
    so a caller can show what a name became and how many undated agreements were left out.
    """
    from customsnet.graph.connection import Graph
    from customsnet.graph.provenance import undated_notes
    from customsnet.graph.queries import named_query, run_named

    named_query(name)  # an unknown query name is reported before any connection is made
    values = resolve_country_parameters(params)
    with Graph.connect() as graph:
        result = run_named(graph, name, values)
        return result, values, undated_notes(graph, named_query(name).text)
