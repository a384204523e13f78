"""btergm's JSS example (Knecht friendship) on generated data of the same shape: it parses, its design
columns are exact change statistics, it fits with finite estimates, and it simulates."""

from __future__ import annotations

import numpy as np
import pytest

from customsnet.modeling.design.build import build_design, step_inputs
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.simulation.knecht import KNECHT_FORMULA, knecht_like_panel
from customsnet.modeling.simulation.simulate import simulate, simulation_inputs
from customsnet.modeling.terms.formula import parse_formula

pytestmark = pytest.mark.slow

JSS_NAMES = [
    "edges",
    "mutual",
    "ttriple",
    "transitiveties",
    "ctriple",
    "nodeicov.idegsqrt",
    "nodeicov.odegsqrt",
    "nodeocov.odegsqrt",
    "nodeofactor.sex.M",
    "nodeifactor.sex.M",
    "nodematch.sex",
    "edgecov.primary[[i]]",
    "edgecov.delrecip[[i]]",
    "edgecov.memory[[i]]",
]


@pytest.fixture(scope="module")
def panel():
    return knecht_like_panel(seed=0)


def test_generated_panel_has_the_knecht_shape(panel):
    assert panel.years == [1, 2, 3, 4] and panel.directed
    assert all(len(panel.nodes[y]) == 25 for y in panel.years)
    assert panel.attr_levels["sex"] == ("F", "M")
    for y in panel.years:
        a = panel.network("friendship", y)
        assert 0.1 < a.nnz / (25 * 24) < 0.4  # a sparse friendship network, not a degenerate one
        assert a.multiply(a.T).nnz > 0  # with reciprocated ties


def test_design_columns_are_brute_force_change_statistics(panel):
    design = build_design(panel, KNECHT_FORMULA, compress=False)
    assert design.names == JSS_NAMES
    formula = parse_formula(KNECHT_FORMULA).for_panel(panel)
    rng = np.random.default_rng(0)
    for s in design.steps:
        step = step_inputs(panel, formula, s.year)
        a = step.network.toarray()
        # every dyad of the last wave, a random 100 of the others (the toggles cost ~2 ms each)
        rows = range(len(s.tail)) if s is design.steps[-1] else rng.choice(len(s.tail), 100, replace=False)
        for row in rows:
            i, j = s.tail[row], s.head[row]
            plus, minus = a.copy(), a.copy()
            plus[i, j], minus[i, j] = 1.0, 0.0
            change = formula.statistics(step.with_network(plus)) - formula.statistics(step.with_network(minus))
            np.testing.assert_allclose(s.X[row], change, rtol=0, atol=1e-10)


@pytest.mark.parametrize("estimator", ["btergm", "mple"])
def test_jss_model_fits_with_finite_estimates(panel, estimator):
    fit = fit_tergm(build_design(panel, KNECHT_FORMULA), estimator=estimator, bootstrap=20, seed=3)
    assert list(fit.params.index) == JSS_NAMES
    assert np.all(np.isfinite(fit.params.to_numpy()))
    # the generating model's main effects come back with their signs
    for name in ("mutual", "nodematch.sex", "edgecov.primary[[i]]", "edgecov.delrecip[[i]]", "edgecov.memory[[i]]"):
        assert fit.params[name] > 0, name


def test_jss_model_simulates(panel):
    fit = fit_tergm(build_design(panel, KNECHT_FORMULA), estimator="mple", bootstrap=0)
    ym = simulation_inputs(fit, panel, formula=KNECHT_FORMULA, year=4)
    assert ym.model.generic  # ttriple, transitiveties and ctriple run through the generic kernel
    res = simulate(ym.model, ym.previous, nsim=5, seed=2, burnin=2000, interval=600)
    assert len(res.networks) == 5 and list(res.stats.columns)[:3] == ["edges", "mutual", "ttriple"]
