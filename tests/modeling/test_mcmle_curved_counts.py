"""Curved gwdsp / gwnsp and the directed curved terms: names, counts, η(φ) and its Jacobian, the sampler.

These curved models run the generic kernel on the count formula (esp(1:K), dsp(1:K),
idegree(1:K), ...) at η(φ); the checks tie that model back to the fixed-decay terms.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.design.build import step_inputs
from customsnet.modeling.estimation.curved import CurvedCountModel, curved_steps, split_curved
from customsnet.modeling.estimation.mcmc_sample import StepModel
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.simulation.simulate import chain_state
from customsnet.modeling.terms import GWDSP, GWESP, GWNSP, GWDegree, GWIDegree, GWODegree
from customsnet.modeling.terms.base import all_dyads
from customsnet.modeling.terms.formula import as_formula

UNDIRECTED = "nets ~ edges + gwdsp(0.3, fixed = FALSE) + gwnsp(0.6) + gwdegree(0.7, fixed = FALSE) + edgecov(cov)"
DIRECTED = (
    "nets ~ edges + gwesp(0.4, fixed = FALSE) + dgwdsp(0.3, fixed = FALSE, type = 'ITP')"
    " + gwidegree(0.5, fixed = FALSE) + gwodegree(0.8, fixed = FALSE) + mutual + edgecov(cov)"
)


def random_panel(directed: bool, n: int = 20, density: float = 0.15, seed: int = 4) -> Panel:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(n, n))
    if not directed:
        c = (c + c.T) / 2
    np.fill_diagonal(c, 0.0)
    a = rng.random((n, n)) < density
    np.fill_diagonal(a, False)
    if not directed:
        a = np.triu(a, 1)
        a = a | a.T
    return Panel(
        years=[1],
        nodes={1: np.array([str(i) for i in range(n)])},
        networks={"nets": {1: sp.csr_matrix(a.astype(float))}},
        dyad_covs={"cov": {1: c}},
        directed=directed,
    )


def curved_model(panel: Panel, text: str):
    fixed, specs = split_curved(text)
    formula = as_formula(fixed)
    steps, _, layout = curved_steps(panel, formula, formula.coef_names(panel.directed), specs)
    return steps[0], layout, formula


def test_names_and_cutoffs_follow_ergm():
    model, layout, _ = curved_model(random_panel(False), UNDIRECTED)
    assert isinstance(model, CurvedCountModel)
    assert layout.names == [
        "edges",
        "gwdsp",
        "gwdsp.decay",
        "gwnsp",
        "gwnsp.decay",
        "gwdegree",
        "gwdegree.decay",
        "edgecov.cov[[i]]",
    ]
    # ergm: K = min(cutoff, n - 2) shared partners, min(cutoff, n - 1) degrees (n = 20)
    assert [s.stop - s.start for s in layout.stat_slices] == [18, 18, 19]
    names = layout.stat_names
    assert (
        names[1] == "dsp#1" and names[19] == "nsp#1" and names[37] == "gwdegree#1" and names[-1] == "edgecov.cov[[i]]"
    )

    _, layout, _ = curved_model(random_panel(True), DIRECTED)
    assert layout.names == [
        "edges",
        "gwesp.OTP",
        "gwesp.OTP.decay",
        "gwdsp.ITP",
        "gwdsp.ITP.decay",
        "gwidegree",
        "gwidegree.decay",
        "gwodegree",
        "gwodegree.decay",
        "mutual",
        "edgecov.cov[[i]]",
    ]
    starts = [s.start for s in layout.stat_slices]
    assert [layout.stat_names[k] for k in starts] == ["esp.OTP#1", "dsp.ITP#1", "gwidegree#1", "gwodegree#1"]


@pytest.mark.parametrize("directed", [False, True])
def test_counts_at_eta_are_the_fixed_statistics_and_the_jacobian_is_the_derivative(directed):
    panel = random_panel(directed)
    text = DIRECTED if directed else UNDIRECTED
    model, layout, formula = curved_model(panel, text)
    rng = np.random.default_rng(1)
    phi = layout.start(np.r_[-2.0, rng.normal(scale=0.5, size=len(layout.base_param) - 1)])
    for a in layout.decay_param:
        phi[a] = rng.uniform(0.1, 1.5)
    g = model.observed_statistics()
    step = step_inputs(panel, formula, 1)
    fixed_terms = {
        "gwesp": GWESP,
        "gwdsp": GWDSP,
        "dgwdsp": GWDSP,
        "gwnsp": GWNSP,
        "gwdegree": GWDegree,
        "gwidegree": GWIDegree,
        "gwodegree": GWODegree,
    }
    eta = layout.eta(phi)
    for spec, sl, j, a in zip(layout.curved, layout.stat_slices, layout.base_position, layout.decay_param):
        term = fixed_terms[spec.kind](decay=phi[a], fixed=True, **({"type": spec.type} if spec.type else {}))
        theta = phi[layout.base_param[j]]
        # Σ_k η_k count_k = θ · (the fixed-decay statistic at decay α): the curved model is the fixed one
        np.testing.assert_allclose(eta[sl] @ g[sl], theta * term.statistic(step)[0], rtol=1e-10)
        # ... and so are its change statistics, i.e. the sampler's acceptance ratios
        tail, head = all_dyads(panel.nodes[1].size, directed)
        counts = spec.count_term().change_stats(step, tail, head)
        np.testing.assert_allclose(counts @ eta[sl], theta * term.change_stats(step, tail, head)[:, 0], atol=1e-9)
    jac = layout.jacobian(phi)
    h = 1e-6
    for j in range(len(phi)):
        e = np.zeros(len(phi))
        e[j] = h
        np.testing.assert_allclose(jac[:, j], (layout.eta(phi + e) - layout.eta(phi - e)) / (2 * h), atol=1e-6)


@pytest.mark.slow  # compiling the generic kernel takes ~10-20 s
@pytest.mark.parametrize("directed", [False, True])
def test_draw_statistics_match_a_recount_of_the_chain_network(directed):
    panel = random_panel(directed)
    model, layout, _ = curved_model(panel, DIRECTED if directed else UNDIRECTED)
    phi = layout.start(np.r_[-2.0, np.full(len(layout.base_param) - 1, 0.2)])
    state = chain_state(model.observed, model.ergm_model(phi))
    rng = np.random.default_rng(0)
    for _ in range(4):
        state.run(3000, rng)
        drawn = model.draw_statistics(state, None)
        recount = dataclasses.replace(model, observed=state.network()).observed_statistics()
        np.testing.assert_allclose(drawn, recount, atol=1e-9)


@pytest.mark.slow
def test_fixed_gwdsp_and_typed_gwesp_run_through_the_generic_kernel():
    panel = random_panel(True)
    formula = as_formula("nets ~ edges + gwdsp(0.5, fixed = TRUE) + gwesp(0.3, fixed = TRUE, type = 'ISP') + mutual")
    model = StepModel.from_step(formula, step_inputs(panel, formula, 1))
    assert [t.r_name for t, _ in model.generic] == ["gwdsp", "gwesp", "mutual"] and model.dependence == []
    theta = np.array([-2.0, 0.1, 0.2, 0.5])
    state = chain_state(model.observed, model.ergm_model(theta))
    state.run(4000, np.random.default_rng(2))
    drawn = model.draw_statistics(state, None)
    net = state.network()
    np.testing.assert_allclose(drawn, formula.statistics(step_inputs(panel, formula, 1).with_network(net)), atol=1e-9)
    # the plain terms keep the specialised kernels
    plain = as_formula("nets ~ edges + gwesp(0.3, fixed = TRUE) + mutual")
    assert StepModel.from_step(plain, step_inputs(panel, plain, 1)).generic == []


def _drawn_panel(directed: bool, formula_text: str, theta: np.ndarray, n: int = 24) -> Panel:
    from customsnet.modeling.estimation.mcmc_sample import run_chain

    panel = random_panel(directed, n=n, seed=7)
    formula = as_formula(formula_text)
    step = StepModel.from_step(formula, step_inputs(panel, formula, 1))
    e = run_chain(step, theta, np.zeros((0, 2)), 1, 30_000, 1, np.random.SeedSequence(3)).end_edges
    m = sp.csr_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
    panel.networks["nets"][1] = (m if directed else m + m.T).tocsr()
    return panel


@pytest.mark.slow
def test_a_small_directed_curved_gwdsp_fit_returns_finite_estimates_and_standard_errors():
    from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_mcmle

    # drawn with the specialised kernel (some transitivity and in-degree spread), fitted curved
    panel = _drawn_panel(
        True, "nets ~ edges + gwesp(0.5, fixed = TRUE) + gwidegree(0.5, fixed = TRUE)", np.array([-2.5, 0.4, -0.3])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_mcmle(
            panel,
            "nets ~ edges + gwdsp(0.5, fixed = FALSE) + gwidegree(0.5, fixed = FALSE)",
            seed=1,
            control=MCMLEControl(samplesize=128, burnin=1000, interval=100, max_iterations=2, max_interval=200),
        )
    names = ["edges", "gwdsp.OTP", "gwdsp.OTP.decay", "gwidegree", "gwidegree.decay"]
    assert result.names == names
    assert np.all(np.isfinite(result.estimates))
    assert result.estimates[2] > 0 and result.estimates[4] > 0
    assert np.all(np.isfinite(result.std_errors)) and np.all(result.std_errors > 0)
    assert np.all(result.mcmc_std_errors < result.std_errors)
    assert result.diagnostics_frame().index[1] == "dsp.OTP#1"
