"""Curved gw terms: formula split, the η(θ, α) map and its Jacobian, statistics read off the chain."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.design.build import step_inputs
from customsnet.modeling.estimation.curved import (
    CurvedLayout,
    CurvedStepModel,
    gw_weights,
    split_curved,
)
from customsnet.modeling.estimation.mcmc_sample import StepModel
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.simulation.simulate import ErgmModel, chain_state, network_statistics
from customsnet.modeling.terms.formula import as_formula

CURVED = "nets ~ edges + gwesp(0.4, fixed = FALSE) + gwdegree(0.7) + edgecov(cov)"


def small_panel(seed: int = 3, n: int = 25) -> Panel:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(n, n))
    c = (c + c.T) / 2
    np.fill_diagonal(c, 0.0)
    a = np.triu(rng.random((n, n)) < 0.2, 1)
    labels = np.array([str(i) for i in range(n)])
    return Panel(
        years=[1],
        nodes={1: labels},
        networks={"nets": {1: sp.csr_matrix((a | a.T).astype(float))}},
        dyad_covs={"cov": {1: c}},
    )


def curved_step_model(panel: Panel) -> tuple[CurvedStepModel, CurvedLayout]:
    fixed, specs = split_curved(CURVED)
    formula = as_formula(fixed)
    base = StepModel.from_step(formula, step_inputs(panel, formula, 1))
    layout = CurvedLayout.build(formula.coef_names(False), [t.n_stats for t in formula.terms], specs)
    return CurvedStepModel.wrap(base, layout), layout


def test_split_curved_makes_the_decays_fixed_and_names_follow_ergm():
    fixed, specs = split_curved(CURVED)
    assert fixed == "nets ~ edges + gwesp(0.4, fixed = TRUE) + gwdegree(0.7, fixed = TRUE) + edgecov(cov)"
    assert [(s.kind, s.coef_name, s.decay, s.cutoff) for s in specs] == [
        ("gwesp", "gwesp", 0.4, 30),
        ("gwdegree", "gwdegree", 0.7, 30),
    ]
    formula = as_formula(fixed)
    layout = CurvedLayout.build(formula.coef_names(False), [t.n_stats for t in formula.terms], specs)
    assert layout.names == ["edges", "gwesp", "gwesp.decay", "gwdegree", "gwdegree.decay", "edgecov.cov[[i]]"]
    assert layout.n_stats == 1 + 30 + 30 + 1
    assert split_curved("y ~ edges + gwesp(0.5, fixed = TRUE)")[1] == []


def test_eta_reproduces_the_fixed_statistic_and_the_jacobian_is_its_derivative():
    panel = small_panel()
    model, layout = curved_step_model(panel)
    phi = np.array([-2.0, 0.6, 0.4, -0.3, 0.7, 0.5])
    g = model.observed_statistics()
    # η(φ)·g equals θ'g of the fixed model at the same decays (the sampler's exact statistics)
    fixed = ErgmModel(np.zeros((25, 25)), gwesp_coef=1.0, gwesp_decay=0.4, gwdegree_coef=1.0, gwdegree_decay=0.7)
    exact = network_statistics(panel.networks["nets"][1], fixed)
    sl_esp, sl_deg = layout.stat_slices
    np.testing.assert_allclose(layout.eta(phi)[sl_esp] @ g[sl_esp], 0.6 * exact["gwesp"], rtol=1e-12)
    np.testing.assert_allclose(layout.eta(phi)[sl_deg] @ g[sl_deg], -0.3 * exact["gwdegree"], rtol=1e-12)
    assert g[0] == exact["edges"]
    jac = layout.jacobian(phi)
    h = 1e-6
    for j in range(len(phi)):
        e = np.zeros(len(phi))
        e[j] = h
        np.testing.assert_allclose(jac[:, j], (layout.eta(phi + e) - layout.eta(phi - e)) / (2 * h), atol=1e-6)
    np.testing.assert_allclose(gw_weights(0.4, 3), np.exp(0.4) * (1 - (1 - np.exp(-0.4)) ** np.arange(1, 4)))


def test_draw_statistics_match_a_recount_of_the_chain_network():
    panel = small_panel()
    model, layout = curved_step_model(panel)
    phi = np.array([-2.0, 0.6, 0.4, -0.3, 0.7, 0.5])
    ergm = model.ergm_model(phi)
    assert ergm.gwesp_decay == 0.4 and ergm.gwdegree_decay == 0.7 and ergm.gwesp_coef == 0.6
    state = chain_state(model.observed, ergm)
    rng = np.random.default_rng(0)
    for _ in range(5):
        state.run(2000, rng)
        drawn = model.draw_statistics(state, ergm)
        recount = CurvedStepModel.wrap(
            StepModel(
                model.year,
                model.n,
                False,
                state.network(),
                model.dyad_values,
                model.independent,
                model.dependence,
                len(layout.base_param),
            ),
            layout,
        ).observed_statistics()
        np.testing.assert_allclose(drawn, recount, atol=1e-9)


def test_negative_decay_is_refused():
    from customsnet.modeling.simulation.simulate import SimulationError

    model, _ = curved_step_model(small_panel())
    with pytest.raises(SimulationError, match="negative"):
        model.ergm_model(np.array([-2.0, 0.6, -0.1, -0.3, 0.7, 0.5]))


def test_a_curved_fit_runs_end_to_end_with_ergm_names(tmp_path):
    import warnings

    from customsnet.modeling.estimation.mcmc_sample import run_chain
    from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_mcmle
    from customsnet.modeling.estimation.mcmle_result import MCMLEResult

    panel = small_panel(seed=5, n=40)
    # draw the network from edges + gwesp(0.5) so that it has shared partners
    formula = as_formula("nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov)")
    step = StepModel.from_step(formula, step_inputs(panel, formula, 1))
    e = run_chain(step, np.array([-3.0, 0.6, 0.8]), np.zeros((0, 2)), 1, 40_000, 1, np.random.SeedSequence(1)).end_edges
    m = sp.csr_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(40, 40))
    panel.networks["nets"][1] = (m + m.T).tocsr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_mcmle(
            panel,
            "nets ~ edges + gwesp(0.5) + edgecov(cov)",
            seed=1,
            control=MCMLEControl(samplesize=512, burnin=4000, interval=200, max_iterations=4),
        )
    assert fit.names == ["edges", "gwesp", "gwesp.decay", "edgecov.cov[[i]]"]
    assert fit.formula == "nets ~ edges + gwesp(0.5) + edgecov(cov)"
    assert np.all(np.isfinite(fit.estimates)) and fit.estimates[2] > 0
    assert np.all(np.isfinite(fit.std_errors)) and np.all(fit.mcmc_std_errors < fit.std_errors)
    assert fit.diagnostics_frame().index[1] == "esp#1"
    back = MCMLEResult.load(fit.save(tmp_path / "fit")[0])
    np.testing.assert_array_equal(back.estimates, fit.estimates)
