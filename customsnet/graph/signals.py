"""Network signals read from the graph: yearly node sets, ties, degrees, shared partners, covariates.

Each function runs one ``cypher/signals_*.cypher`` query covering a whole range of years (one
round-trip) and returns a pandas DataFrame in long form. The bulky queries return one row (per
year, or in all) holding parallel lists, ties with their span of years rather than once per
year (the Python driver decodes a list item ~10x faster than a record); :func:`explode_lists`,
:func:`tie_years` and :func:`pair_year_counts` turn those back into long frames. Statistics built
on these live in the modeling layer; this module only knows the graph model (docs/graph-model.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import pandas as pd

from customsnet.cypher import load_cypher
from customsnet.graph.connection import Graph

AGREEMENT_TYPES = ("CMAA", "MLAT", "FTA")
# 'signed_else_in_force': the signing year, or the entry into force where no signing year is known
BASES = ("signed", "in_force", "signed_else_in_force")


def read_rows(graph: Graph, query: str, **params) -> list[dict]:
    """Records as dicts of their values, read-only.

    Like :meth:`Graph.read`, minus ``Record.data()``'s walk through every item of every list
    (the signals return lists of plain values; that walk cost more than decoding them).
    """

    def work(tx) -> list[dict]:
        result = tx.run(query, params)
        keys = result.keys()
        return [dict(zip(keys, record.values())) for record in result]

    return graph.execute_read(work)


def check_tie_options(tie_type: str, basis: str) -> None:
    """Raise ValueError for an unknown agreement type or date basis (the type becomes a relationship type)."""
    if tie_type not in AGREEMENT_TYPES:
        raise ValueError(f"unknown agreement type {tie_type!r}; expected one of {', '.join(AGREEMENT_TYPES)}")
    if basis not in BASES:
        raise ValueError(f"unknown date basis {basis!r}; expected one of {', '.join(BASES)}")


def check_years(first: int, last: int) -> None:
    if first > last:
        raise ValueError(f"year range {first}-{last} is empty (first year after last)")


def explode_lists(
    rows: list[dict], keys: Sequence[str], lists: dict[str, str], dtypes: dict[str, str] | None = None
) -> pd.DataFrame:
    """Long frame from rows of per-year parallel lists.

    ``keys`` are scalar columns repeated along each row's lists; ``lists`` maps a list field of
    the rows to its output column name. Empty input gives an empty frame with those columns.
    """
    columns = list(keys) + list(lists.values())
    parts: dict[str, list] = {c: [] for c in columns}
    for row in rows:
        n = len(row[next(iter(lists))])
        for key in keys:
            parts[key].extend([row[key]] * n)
        for field, column in lists.items():
            parts[column].extend(row[field])
    frame = pd.DataFrame(parts, columns=columns)
    return frame.astype(dtypes) if dtypes else frame


def node_sets(graph: Graph, first: int, last: int) -> dict[int, list[str]]:
    """Year -> sorted ISO3 codes of the state-system members (and the EU) that year.

    Years in the range without any member are absent.
    """
    check_years(first, last)
    rows = read_rows(graph, load_cypher("signals_nodes"), **{"from": first, "to": last})
    return {int(row["year"]): list(row["countries"]) for row in rows}


def ties(graph: Graph, first: int, last: int, tie_type: str = "CMAA", basis: str = "signed") -> pd.DataFrame:
    """Columns ``year, source, target`` (source < target): ties of ``tie_type`` in place each year."""
    check_years(first, last)
    check_tie_options(tie_type, basis)
    rows = read_rows(graph, load_cypher("signals_ties"), type=tie_type, basis=basis, **{"from": first, "to": last})
    row = rows[0] if rows else {"sources": [], "targets": [], "first_years": [], "last_years": []}
    return tie_years(row["sources"], row["targets"], row["first_years"], row["last_years"])


def tie_years(
    sources: Sequence[str], targets: Sequence[str], first_years: Sequence[int], last_years: Sequence[int]
) -> pd.DataFrame:
    """Long frame ``year, source, target``: each tie repeated over its span, one row per pair-year."""
    firsts = np.asarray(first_years, dtype=np.int64)
    lengths = np.asarray(last_years, dtype=np.int64) - firsts + 1
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    frame = pd.DataFrame(
        {
            "year": np.repeat(firsts, lengths) + offsets,
            "source": np.repeat(np.asarray(sources, dtype=object), lengths),
            "target": np.repeat(np.asarray(targets, dtype=object), lengths),
        },
        columns=["year", "source", "target"],
    )
    # a pair with several agreements in place is one tie; a stable integer sort by year is cheap,
    # sorting the codes too would cost more than the query's decoding
    return frame.drop_duplicates().sort_values("year", kind="stable", ignore_index=True)


def degrees(graph: Graph, first: int, last: int, tie_type: str = "CMAA", basis: str = "signed") -> pd.DataFrame:
    """Columns ``year, country, degree`` for every node of every year (zeros included)."""
    check_years(first, last)
    check_tie_options(tie_type, basis)
    return graph.read_frame(load_cypher("signals_degree"), type=tie_type, basis=basis, **{"from": first, "to": last})


def shared_partners(graph: Graph, first: int, last: int, tie_type: str = "CMAA", basis: str = "signed") -> pd.DataFrame:
    """Columns ``year, source, target, shared`` for every pair with at least one shared partner."""
    check_years(first, last)
    check_tie_options(tie_type, basis)
    rows = read_rows(
        graph, load_cypher("signals_shared_partners"), type=tie_type, basis=basis, **{"from": first, "to": last}
    )
    row = rows[0] if rows else {"pairs": [], "first_years": [], "shared": []}
    return pair_year_counts(row["pairs"], row["first_years"], row["shared"])


def pair_year_counts(pairs: Sequence[str], first_years: Sequence[int], counts: Sequence[Sequence[int]]) -> pd.DataFrame:
    """Long frame ``year, source, target, shared`` (shared > 0) from per-pair yearly count lists.

    ``pairs[n]`` is ``"A B"``; ``counts[n][k]`` is the count in year ``first_years[n] + k``.
    """
    lengths = np.fromiter((len(c) for c in counts), dtype=np.int64, count=len(counts))
    shared = np.fromiter(chain.from_iterable(counts), dtype=np.int64, count=int(lengths.sum()))
    starts = np.repeat(np.asarray(first_years, dtype=np.int64), lengths)
    offsets = np.arange(len(shared)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    ends = [pair.split(" ", 1) for pair in pairs]  # once per pair, not per pair-year
    sources = np.repeat(np.asarray([e[0] for e in ends], dtype=object), lengths)
    targets = np.repeat(np.asarray([e[1] for e in ends], dtype=object), lengths)
    keep = shared > 0
    frame = pd.DataFrame(
        {"year": (starts + offsets)[keep], "source": sources[keep], "target": targets[keep], "shared": shared[keep]},
        columns=["year", "source", "target", "shared"],
    )
    # by year only (a stable integer sort): sorting the codes too would double the cost
    return frame.sort_values("year", kind="stable", ignore_index=True)


def observations(graph: Graph, variables: Sequence[str], first: int, last: int) -> pd.DataFrame:
    """Columns ``year, country, variable, value, source``: yearly attributes in long form (one row per source).

    ``value`` is float64 when every stored value is a number (or null); when some are text (a region
    or regime-type label) the column keeps the values as stored (object), for the caller to tell apart.
    """
    check_years(first, last)
    rows = read_rows(
        graph, load_cypher("signals_observations"), variables=list(variables), **{"from": first, "to": last}
    )
    frame = explode_lists(
        rows,
        ["year", "variable"],
        {"countries": "country", "values": "value", "sources": "source"},
        {"year": "int64"},
    )
    if not any(isinstance(v, str) for v in frame["value"].tolist()):
        frame["value"] = frame["value"].astype("float64")
    return frame


def trade(graph: Graph, first: int, last: int) -> pd.DataFrame:
    """Columns ``year, source, target, value``: total bilateral trade in current USD."""
    check_years(first, last)
    rows = read_rows(graph, load_cypher("signals_trade"), **{"from": first, "to": last})
    years: list[int] = []
    sources: list[str] = []
    targets: list[str] = []
    values: list[float] = []
    for row in rows:
        for source, row_targets, row_values in zip(row["sources"], row["targets"], row["values"]):
            years.extend([row["year"]] * len(row_targets))
            sources.extend([source] * len(row_targets))
            targets.extend(row_targets)
            values.extend(row_values)
    frame = pd.DataFrame(
        {"year": years, "source": sources, "target": targets, "value": values},
        columns=["year", "source", "target", "value"],
    )
    return frame.astype({"year": "int64", "value": "float64"})


def contiguity(graph: Graph, first: int, last: int, max_type: int = 1) -> pd.DataFrame:
    """Columns ``year, source, target``: dyads contiguous (COW type <= ``max_type``) each year."""
    check_years(first, last)
    rows = read_rows(graph, load_cypher("signals_contiguity"), max_type=max_type, **{"from": first, "to": last})
    return explode_lists(rows, ["year"], {"sources": "source", "targets": "target"}, {"year": "int64"})


def coverage(graph: Graph) -> dict[str, dict]:
    """Per relationship kind (``CONTIGUOUS``, ``CMAA``, ``MLAT``, ``FTA``): count and year span loaded."""
    rows = read_rows(graph, load_cypher("signals_coverage"))
    return {row.pop("kind"): row for row in rows}
