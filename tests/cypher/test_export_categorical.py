"""Text node attributes (a region, a regime-type label) through the Neo4j export into a categorical Panel attribute."""

from __future__ import annotations

import numpy as np
import pytest
from cypher_world import write_world

from customsnet.modeling.design.build import build_design
from customsnet.modeling.panel.export import ExportError, export_panel

YEARS = (2000, 2003)
# regime type by country for the observation years 1999-2002; GHA has no 2000 label (a gap), and a
# second source disagrees on FIN 2000 (never merged: the newest release wins)
REGIME = {"BEL": "democracy", "CAN": "democracy", "CIV": "autocracy", "DNK": "democracy", "EGY": "autocracy"}
REGIME |= {"FIN": "democracy", "GHA": "anocracy", "EU": "union"}


def regime_rows() -> list[dict]:
    rows = [
        {"iso3": c, "year": y, "variable": "regime_type", "value": label, "source": "labels_v2"}
        for c, label in REGIME.items()
        for y in range(1999, 2003)
        if (c, y) != ("GHA", 2000)
    ]
    rows.append({"iso3": "FIN", "year": 2000, "variable": "regime_type", "value": "anocracy", "source": "labels_v1"})
    return rows


def write_observations(graph, rows: list[dict]) -> None:
    graph.write(
        "UNWIND $rows AS row MATCH (c:Country {iso3: row.iso3}) "
        "CREATE (c)-[:HAS_OBSERVATION]->(:Observation {key: row.source + '|' + row.iso3 + '|' + row.year + '|' + "
        "row.variable, iso3: row.iso3, year: row.year, variable: row.variable, value: row.value, source: row.source})",
        rows=rows,
    )


@pytest.fixture(scope="module")
def world(graph):
    write_world(graph)
    write_observations(graph, regime_rows())
    return graph


@pytest.fixture(scope="module")
def panel(world):
    return export_panel(world, years=YEARS, attributes=("polyarchy", "regime_type"))


def labels_of(panel, name: str, year: int) -> dict[str, str | None]:
    levels = panel.attr_levels[name]
    codes = panel.node_attr(name, year)
    return {c: (None if np.isnan(k) else levels[int(k)]) for c, k in zip(panel.nodes[year], codes)}


def test_text_attribute_is_categorical_with_ergm_level_order(panel):
    # sort(unique(x)) over all years, as ergm orders levels
    assert panel.attr_levels["regime_type"] == ("anocracy", "autocracy", "democracy", "union")
    assert "polyarchy" not in panel.attr_levels  # numeric attributes stay numeric beside it
    assert panel.node_attr("polyarchy", 2001).dtype == np.float64
    # lagged like every attribute: year t holds the label of t - 1
    by_country = labels_of(panel, "regime_type", 2002)
    assert by_country["BEL"] == "democracy" and by_country["CIV"] == "autocracy" and by_country["EU"] == "union"
    # the newest release (labels_v2, reaching 2002) wins for FIN 2000; the disagreement is reported
    assert labels_of(panel, "regime_type", 2001)["FIN"] == "democracy"
    chosen = panel.meta["observation_sources"]["regime_type"]
    assert chosen["sources"] == ["labels_v2", "labels_v1"] and chosen["differing"] == 1


def test_missing_label_is_missing_not_a_level(panel):
    assert labels_of(panel, "regime_type", 2001)["GHA"] is None  # no 2000 label
    assert panel.meta["missing"]["regime_type"]["2001"] == {"missing": 1, "of": 8, "countries": ["GHA"]}


def test_exported_labels_feed_nodematch_and_nodefactor(panel):
    design = build_design(
        panel.subset_years([2002, 2003]),
        "CMAA ~ edges + nodematch('regime_type') + nodefactor('regime_type')",
        compress=False,
        check=False,
    )
    assert design.names == [
        "edges",
        "nodematch.regime_type",
        "nodefactor.regime_type.autocracy",
        "nodefactor.regime_type.democracy",
        "nodefactor.regime_type.union",
    ]
    step = design.steps[0]
    labels = labels_of(panel, "regime_type", 2002)
    nodes = step.nodes
    for r, (i, j) in enumerate(zip(step.tail, step.head)):
        a, b = labels[nodes[i]], labels[nodes[j]]
        assert step.X[r, 1] == float(a == b)
        assert step.X[r, 3] == (a == "democracy") + (b == "democracy")


def test_text_and_numbers_in_one_attribute_are_refused(world):
    write_observations(
        world,
        [{"iso3": "BEL", "year": 2001, "variable": "mixed", "value": 1.5, "source": "m"}]
        + [{"iso3": "CAN", "year": 2001, "variable": "mixed", "value": "high", "source": "m"}],
    )
    with pytest.raises(ExportError, match=r"attribute 'mixed' mixes text and numbers.*BEL 2001 is 1.5"):
        export_panel(world, years=YEARS, attributes=("mixed",))
