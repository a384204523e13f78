"""btergm's offset = TRUE composition: the union of the node sets, with absent nodes' dyads as structural zeros."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.terms import GWESP, StepInputs

YEARS = [2000, 2001, 2002, 2003]
LABELS = [f"n{k:02d}" for k in range(13)]
# n12 enters in 2002; n00 leaves after 2001; n05 is absent in 2001 only
NODES = {
    2000: [x for x in LABELS if x != "n12"],
    2001: [x for x in LABELS if x not in ("n12", "n05")],
    2002: [x for x in LABELS if x != "n00"],
    2003: [x for x in LABELS if x != "n00"],
}


def composition_panel(seed: int = 3) -> Panel:
    rng = np.random.default_rng(seed)
    nets, xs = {}, {}
    for y in YEARS:
        n = len(NODES[y])
        a = np.triu((rng.random((n, n)) < 0.3).astype(float), 1)
        x = np.triu(rng.normal(size=(n, n)), 1)
        nets[y], xs[y] = sp.csr_matrix(a + a.T), x + x.T
    return Panel(
        years=YEARS,
        nodes={y: np.array(v) for y, v in NODES.items()},
        networks={"net": nets},
        dyad_covs={"x": xs},
    )


def dyads(design):
    """(year, label, label) of every row of an uncompressed design."""
    return sorted((s.year, *sorted((s.nodes[i], s.nodes[j]))) for s in design.steps for i, j in zip(s.tail, s.head))


DYAD_INDEPENDENT = "net ~ edges + edgecov(x) + memory(type = 'stability')"


def test_offset_true_keeps_the_union_and_excludes_absent_nodes_dyads():
    panel = composition_panel()
    dropped = build_design(panel, DYAD_INDEPENDENT, compress=False)
    union = build_design(panel, DYAD_INDEPENDENT, compress=False, offset=True)
    comp = union.meta["composition"]
    # 2001: n05 absent at t; 2002: n00 absent at t, n12 and n05 absent at t - 1 (memory)
    assert comp["2001"]["n_nodes"] == 12 and comp["2001"]["structural_zero_nodes"] == ["n05"]
    assert comp["2002"]["n_nodes"] == 13
    assert sorted(comp["2002"]["structural_zero_nodes"]) == ["n00", "n05", "n12"]
    assert comp["2002"]["structural_zero_dyads"] == 13 * 12 // 2 - 10 * 9 // 2
    assert comp["2003"]["structural_zero_nodes"] == [] and comp["2003"]["structural_zero_dyads"] == 0
    # the informative dyads are exactly those offset = FALSE keeps, with the same rows
    assert dyads(union) == dyads(dropped)
    assert union.n_dyads == dropped.n_dyads and union.nobs_btergm == dropped.nobs_btergm
    for a, b in zip(union.steps, dropped.steps):
        key_a = sorted(zip(map(tuple, a.X.tolist()), a.y.tolist()))
        key_b = sorted(zip(map(tuple, b.X.tolist()), b.y.tolist()))
        assert key_a == key_b


@pytest.mark.parametrize("estimator", ["btergm", "mple"])
def test_dyad_independent_estimates_equal_offset_false(estimator):
    panel = composition_panel()
    fits = [
        fit_tergm(build_design(panel, DYAD_INDEPENDENT, offset=flag), estimator=estimator, bootstrap=0)
        for flag in (False, True)
    ]
    np.testing.assert_allclose(fits[1].estimates, fits[0].estimates, rtol=0, atol=1e-10)
    assert fits[1].nobs_btergm == fits[0].nobs_btergm and fits[1].nobs_dyads == fits[0].nobs_dyads


def filled_network(panel: Panel, year: int, labels: list[str]) -> np.ndarray:
    """btergm's adjust(value = 1) of the response network to ``labels``, by hand."""
    own = list(panel.nodes[year])
    a = panel.network("net", year).toarray()
    out = np.ones((len(labels), len(labels)))
    for p, u in enumerate(labels):
        for q, v in enumerate(labels):
            if u in own and v in own:
                out[p, q] = a[own.index(u), own.index(v)]
    np.fill_diagonal(out, 0)
    return out


def test_dependence_terms_see_absent_nodes_tied_to_everybody_as_in_btergm():
    panel = composition_panel()
    formula = "net ~ edges + gwesp(0.5, fixed = TRUE) + memory(type = 'stability')"
    design = build_design(panel, formula, compress=False, offset=True)
    plain = build_design(panel, formula, compress=False)
    step = design.steps[1]  # 2002: n00 absent now, tied to everybody in the response network
    labels = list(step.nodes)
    filled = filled_network(panel, 2002, labels)
    term = GWESP(0.5)
    base = StepInputs(year=2002, nodes=step.nodes, network=sp.csr_matrix(filled))
    for r, (i, j) in enumerate(zip(step.tail, step.head)):
        plus, minus = filled.copy(), filled.copy()
        plus[i, j] = plus[j, i] = 1
        minus[i, j] = minus[j, i] = 0
        change = term.statistic(base.with_network(plus))[0] - term.statistic(base.with_network(minus))[0]
        assert step.X[r, 1] == pytest.approx(change, abs=1e-12)
    # so the gwesp column differs from offset = FALSE's on the same dyads
    assert dyads(design) == dyads(plain)
    assert not np.allclose(np.sort(design.steps[1].X[:, 1]), np.sort(plain.steps[1].X[:, 1]))


def test_model_api_takes_the_offset_composition():
    from customsnet.modeling.estimation.model import TERGM

    panel = composition_panel()
    model = TERGM(DYAD_INDEPENDENT, estimator="btergm", R=0, offset=True)
    assert model.design(panel).meta["offset"] is True
    np.testing.assert_allclose(
        model.fit(panel).estimates, TERGM(DYAD_INDEPENDENT, estimator="btergm", R=0).fit(panel).estimates, atol=1e-10
    )
