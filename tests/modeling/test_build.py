"""Design builder rules on small panels: lag trimming, composition change, timecov clock,
missing-value policies, identification checks and row compression."""

from __future__ import annotations

import numpy as np
import pytest

from customsnet.modeling.design.build import DesignError, build_design
from customsnet.modeling.panel.panel import Panel, adjacency_from_edges
from customsnet.modeling.terms.formula import parse_formula

YEARS = [2000, 2001, 2002, 2003]
# E enters in 2001, D leaves after 2001; 2002 lists its nodes in another order (matching is by label).
NODES = {
    2000: ["A", "B", "C", "D"],
    2001: ["A", "B", "C", "D", "E"],
    2002: ["E", "C", "A", "B"],
    2003: ["A", "B", "C", "E"],
}
TIES = {
    2000: [("A", "B"), ("C", "D")],
    2001: [("A", "B"), ("B", "C"), ("D", "E")],
    2002: [("A", "B"), ("B", "C"), ("C", "E")],
    2003: [("A", "B"), ("C", "E"), ("A", "E")],
}
POSITION = {"A": 1.0, "B": 2.0, "C": 4.0, "D": 8.0, "E": 16.0}


def distance(labels: list[str]) -> np.ndarray:
    """A covariate whose value identifies the pair: |pos_i - pos_j| with distinct powers of two."""
    pos = np.array([POSITION[lab] for lab in labels])
    return np.abs(pos[:, None] - pos[None, :])


def small_panel(directed: bool = False) -> Panel:
    return Panel(
        years=YEARS,
        nodes={y: np.array(v) for y, v in NODES.items()},
        networks={"net": {y: adjacency_from_edges(np.array(NODES[y]), TIES[y], directed) for y in YEARS}},
        dyad_covs={"dist": {y: distance(NODES[y]) for y in YEARS}},
        node_attrs={"pos": {y: np.array([POSITION[lab] for lab in NODES[y]]) for y in YEARS}},
        directed=directed,
    )


def rows_by_pair(step) -> dict[frozenset, np.ndarray]:
    return {frozenset((step.nodes[t], step.nodes[h])): step.X[k] for k, (t, h) in enumerate(zip(step.tail, step.head))}


def test_memory_trims_first_year_and_drops_entering_and_leaving_nodes():
    design = build_design(
        small_panel(),
        "net ~ edges + memory(type = 'stability') + edgecov(dist) + timecov()",
        compress=False,
        check=False,
    )
    assert design.years == [2001, 2002, 2003]
    # E enters in 2001: absent from the lagged network, so it is dropped from that step
    assert sorted(design.steps[0].nodes) == ["A", "B", "C", "D"]
    assert design.meta["composition"]["2001"]["dropped_by_composition"] == ["E"]
    # D left in 2002: it is simply not in the DV network; E is now in both years
    assert sorted(design.steps[1].nodes) == ["A", "B", "C", "E"]
    assert design.meta["composition"]["2002"]["dropped_by_composition"] == []
    assert design.nobs_btergm == 3 * 4 * 3
    # memory: the tie one year earlier, matched by label; dist: same calendar year
    step = design.steps[1]
    rows = rows_by_pair(step)
    assert rows[frozenset("AB")][1] == 1.0 and rows[frozenset("BC")][1] == 1.0 and rows[frozenset("CE")][1] == -1.0
    for pair, x in rows.items():
        a, b = sorted(pair)
        assert x[2] == abs(POSITION[a] - POSITION[b])
    # timecov counts calendar positions of the untrimmed list: 2001 is step 2 of 4
    assert [s.X[0, 3] for s in design.steps] == [2.0, 3.0, 4.0]
    # lag_tie is the previous year's tie, whatever the memory coding
    for s in design.steps:
        np.testing.assert_array_equal(s.lag_tie, (s.X[:, 1] + 1) / 2)


def test_without_temporal_terms_all_years_are_modeled_and_nodes_kept():
    design = build_design(small_panel(), "net ~ edges + edgecov(dist) + nodecov('pos')", compress=False)
    assert design.years == YEARS
    assert sorted(design.steps[1].nodes) == ["A", "B", "C", "D", "E"]
    assert all(s.lag_tie is None for s in design.steps)
    assert design.meta["max_lag"] == 0


def test_lag_two_pairs_each_year_with_two_years_before():
    design = build_design(
        small_panel(), "net ~ edges + memory(type = 'autoregression', lag = 2) + edgecov(dist)", compress=False
    )
    assert design.years == [2002, 2003]
    assert sorted(design.steps[0].nodes) == ["A", "B", "C"]  # E absent in 2000
    assert sorted(design.steps[1].nodes) == ["A", "B", "C", "E"]  # all present in 2001
    rows = rows_by_pair(design.steps[1])  # memory from 2001: A-B and B-C tied
    assert {pair for pair, x in rows.items() if x[1] == 1.0} == {frozenset("AB"), frozenset("BC")}
    assert design.meta["time_index"] == {"2002": 3, "2003": 4}


def test_directed_composition_and_delrecip():
    panel = small_panel(directed=True)
    design = build_design(panel, "net ~ edges + delrecip + edgecov(dist)", compress=False, check=False)
    step = design.steps[2]  # 2003, lagged 2002 has A->B, B->C, C->E
    assert len(step.y) == 4 * 3
    reverse = {(step.nodes[t], step.nodes[h]): step.X[k, 1] for k, (t, h) in enumerate(zip(step.tail, step.head))}
    assert {pair for pair, v in reverse.items() if v == 1.0} == {("B", "A"), ("C", "B"), ("E", "C")}


# ------------------------------------------------------------------ missing values
def panel_with_missing() -> Panel:
    panel = small_panel()
    cov = panel.dyad_covs["dist"][2002].copy()
    a, c = NODES[2002].index("A"), NODES[2002].index("C")
    cov[a, c] = cov[c, a] = np.nan
    panel.dyad_covs["dist"][2002] = cov
    attr = panel.node_attrs["pos"][2003].copy()
    attr[NODES[2003].index("E")] = np.nan
    panel.node_attrs["pos"][2003] = attr
    return panel


FORMULA = "net ~ edges + memory(type = 'stability') + edgecov(dist) + absdiff('pos')"


def test_nan_predictors_raise_with_term_year_count_and_policies():
    with pytest.raises(DesignError) as info:
        build_design(panel_with_missing(), FORMULA)
    message = str(info.value)
    assert "year 2002" in message and "edgecov.dist[[i]]: 1 of 6 dyads" in message
    for policy in ("drop-nodes", "impute-zero", "impute-mode"):
        assert policy in message


def test_drop_nodes_removes_node_years_with_missing_values():
    design = build_design(panel_with_missing(), FORMULA, missing="drop-nodes", compress=False, check=False)
    # 2002: A and C tie for most missing values and are both dropped (handleMissings removes all maxima)
    assert sorted(design.steps[1].nodes) == ["B", "E"]
    assert sorted(design.steps[2].nodes) == ["A", "B", "C"]  # E's attribute is missing in 2003
    assert design.meta["missing_policy"] == "drop-nodes"
    assert sorted(design.meta["missing"]["2002"]["dropped_nodes"]) == ["A", "C"]
    assert design.meta["missing"]["2003"]["dropped_nodes"] == ["E"]
    assert all(not np.isnan(s.X).any() for s in design.steps)


@pytest.mark.parametrize(("policy", "value"), [("impute-zero", 0.0), ("impute-mode", None)])
def test_imputation_policies(policy, value):
    design = build_design(panel_with_missing(), FORMULA, missing=policy, compress=False, check=False)
    step = design.steps[1]
    x = rows_by_pair(step)[frozenset("AC")]
    if value is None:
        # 2002's informative distances (NaN excluded) are 12, 15, 14, 2, 1: all occur once, and ties
        # go to the smallest value
        value = 1.0
    assert x[2] == value
    assert design.meta["missing"]["2002"]["imputed"] == {"dist": 1}
    assert design.meta["missing"]["2003"]["imputed"] == {"pos": 1}


def test_unknown_missing_policy():
    with pytest.raises(DesignError, match="unknown missing-value policy 'drop'"):
        build_design(small_panel(), FORMULA, missing="drop")


# ------------------------------------------------------------------ identification checks
def test_constant_term_is_named():
    panel = small_panel()
    panel.dyad_covs["flat"] = {y: np.full((len(NODES[y]),) * 2, 3.0) for y in YEARS}
    with pytest.raises(DesignError, match=r"term edgecov.flat\[\[i\]\] is constant \(3\) over all 28 dyads"):
        build_design(panel, "net ~ edges + edgecov(flat) + edgecov(dist)")


def test_collinear_terms_are_named():
    panel = small_panel()
    panel.dyad_covs["twice"] = {y: 2 * distance(NODES[y]) + 1 for y in YEARS}
    with pytest.raises(DesignError) as info:
        build_design(panel, "net ~ edges + edgecov(dist) + edgecov(twice) + absdiff('pos')")
    message = str(info.value)
    assert "collinear" in message
    assert "edges" in message and "edgecov.dist[[i]]" in message and "edgecov.twice[[i]]" in message
    # the absdiff column equals dist here too (same positions): it is part of the dependency
    assert "rank" in message


def test_independent_columns_pass_the_checks():
    design = build_design(small_panel(), "net ~ edges + edgecov(dist) + gwdegree(0.5, fixed = TRUE)")
    assert design.names == ["edges", "edgecov.dist[[i]]", "gwdeg.fixed.0.5"]


def test_too_few_years_and_missing_network():
    panel = small_panel().subset_years([2000])
    with pytest.raises(DesignError, match="needs more than 1 years"):
        build_design(panel, "net ~ edges + memory()")
    with pytest.raises(DesignError, match="no network 'cmaa'"):
        build_design(small_panel(), "cmaa ~ edges")


# ------------------------------------------------------------------ compression
def random_panel(seed: int = 7, n: int = 30, years=(1, 2, 3)) -> Panel:
    """Independent sparse random networks and a 3-level node attribute (many equal rows)."""
    rng = np.random.default_rng(seed)
    labels = np.array([f"n{k}" for k in range(n)])
    nets = {}
    for y in years:
        a = np.triu((rng.random((n, n)) < 0.08).astype(float), 1)
        nets[y] = a + a.T
    return Panel(
        years=list(years),
        nodes={y: labels for y in years},
        networks={"net": nets},
        node_attrs={"g": {y: rng.integers(0, 3, n).astype(float) for y in years}},
    )


def test_compression_merges_equal_rows_within_steps_only():
    panel = random_panel()
    formula = parse_formula("net ~ edges + gwdegree(0.5, fixed = TRUE) + nodematch('g') + memory()")
    full = build_design(panel, formula, compress=False)
    packed = build_design(panel, formula, compress=True)
    assert packed.names == full.names and packed.years == full.years
    for u, c in zip(full.steps, packed.steps):
        assert c.w.sum() == len(u.y)
        assert len(c.y) < len(u.y)
        # every distinct (x, y) of the full rows appears once, with its multiplicity as weight
        keys, counts = np.unique(np.column_stack([u.X, u.y]), axis=0, return_counts=True)
        order = np.lexsort(np.column_stack([c.X, c.y]).T[::-1])
        np.testing.assert_array_equal(np.column_stack([c.X, c.y])[order], keys)
        np.testing.assert_array_equal(c.w[order], counts)
        # lag_tie survives compression: it is a function of the memory column
        np.testing.assert_array_equal(c.lag_tie, (c.X[:, 3] + 1) / 2)
    assert packed.meta["n_rows"] < full.meta["n_rows"]


def test_compressed_lag_tie_dropped_when_rows_mix_lag_states():
    # memory at lag 2 does not determine the lag-1 tie, so merged rows mix tied and untied dyads
    panel = random_panel(years=(1, 2, 3, 4))
    design = build_design(panel, "net ~ edges + nodematch('g') + memory(lag = 2)", compress=True)
    assert all(s.lag_tie is None for s in design.steps)
    assert design.meta["lag_tie"].startswith("absent")
    full = build_design(panel, "net ~ edges + nodematch('g') + memory(lag = 2)", compress=False)
    assert all(s.lag_tie is not None for s in full.steps)
    assert full.steps[0].lag_tie.sum() == panel.networks["net"][2].nnz // 2
