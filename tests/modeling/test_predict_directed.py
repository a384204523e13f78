"""Directed tie prediction: every ordered pair scored, conditional probabilities from brute-force toggles."""

from __future__ import annotations

import numpy as np
import pytest
from directed_panels import COEFS, FORMULA, small_directed_panel

from customsnet.modeling.evaluation.predict import conditional_probabilities, predict_btergm, predict_honest
from customsnet.modeling.simulation.settings import SimulationSettings
from customsnet.modeling.simulation.simulate import simulation_inputs
from customsnet.modeling.terms.base import all_dyads
from customsnet.modeling.terms.formula import as_formula

N = 9
#: dependent directed terms of several families, plus dyad-independent ones, all changing with i -> j
DEPENDENT = (
    "friendship ~ edges + mutual + ttriple + ctriple + istar(2) + ostar(2) "
    "+ dgwesp(0.5, fixed = TRUE, type = 'OTP') + nodeocov('x') + edgecov(primary) + memory(type = 'stability')"
)
DEPENDENT_COEFS = [-1.5, 0.8, 0.15, -0.2, 0.1, -0.05, 0.3, 0.4, 0.6, 1.1]


@pytest.fixture(scope="module")
def panel():
    return small_directed_panel(n=N)


def logistic(x):
    return 1 / (1 + np.exp(-x))


def brute_force_conditional(formula: str, panel, year: int, coefs) -> np.ndarray:
    """logistic(θᵀ[g(Y⁺ᵢⱼ) − g(Y⁻ᵢⱼ)]) from each term's statistic on the year t−1 network, toggling i -> j."""
    ym = simulation_inputs(coefs, panel, formula=formula, year=year)
    terms = as_formula(formula).for_panel(panel).terms
    theta = np.asarray(coefs, dtype=float)
    previous = ym.previous.toarray()
    out = []
    for i, j in zip(*all_dyads(N, directed=True)):
        plus, minus = previous.copy(), previous.copy()
        plus[i, j], minus[i, j] = 1.0, 0.0
        delta = np.concatenate(
            [
                t.statistic(ym.step.with_network(plus)) - t.statistic(ym.step.with_network(minus))
                for t in terms  # a term's statistic: g(Y) with the step's lags and covariates
            ]
        )
        out.append(logistic(theta @ delta))
    return np.array(out)


def test_conditional_probabilities_are_brute_force_toggles(panel):
    ym = simulation_inputs(DEPENDENT_COEFS, panel, formula=DEPENDENT, year=3)
    got = conditional_probabilities(ym)
    assert len(got) == N * (N - 1)
    np.testing.assert_allclose(got, brute_force_conditional(DEPENDENT, panel, 3, DEPENDENT_COEFS), rtol=0, atol=1e-12)
    # i -> j and j -> i differ (ttriple, istar/ostar and nodeocov are direction-dependent)
    frame = predict_honest(DEPENDENT_COEFS, panel, formula=DEPENDENT, year=3, method="conditional").scores
    forward = frame.set_index(["i", "j"])["score"]
    backward = frame.set_index(["j", "i"])["score"]
    assert not np.allclose(forward.sort_index().to_numpy(), backward.sort_index().to_numpy())


def test_exact_method_scores_every_ordered_pair(panel):
    formula = "friendship ~ edges + nodeocov('x') + edgecov(primary) + memory(type = 'stability')"
    coefs = [-1.0, 0.7, 0.5, 1.5]
    pred = predict_honest(coefs, panel, formula=formula, year=3, method="auto")
    assert pred.mode == "honest:exact"
    frame = pred.scores
    assert len(frame) == N * (N - 1) == pred.metrics()["dyads"]
    assert not (frame["i"] == frame["j"]).any()
    assert len(set(zip(frame["i"], frame["j"]))) == N * (N - 1)
    observed = panel.network("friendship", 3).toarray()
    previous = panel.network("friendship", 2).toarray()
    i, j = frame["i"].to_numpy() - 1, frame["j"].to_numpy() - 1
    np.testing.assert_array_equal(frame["y"], observed[i, j])  # the tie i -> j, not j -> i
    np.testing.assert_array_equal(frame["lag_tie"], previous[i, j])
    x = panel.node_attrs["x"][3]
    primary = panel.dyad_covs["primary"][3]
    eta = -1.0 + 0.7 * x[i] + 0.5 * primary[i, j] + 1.5 * (2 * previous[i, j] - 1)
    np.testing.assert_allclose(frame["score"], logistic(eta), atol=1e-12)
    assert pred.metrics()["new ties"] == int(((observed == 1) & (previous == 0))[i, j].sum())


def test_simulated_predictions_on_a_directed_panel(panel):
    leaky = predict_btergm(
        COEFS,
        panel,
        formula=FORMULA,
        year=3,
        settings=SimulationSettings(nsim=8, seed=1, burnin=200, interval=20),
        rgraph_seed=2,
    )
    honest = predict_honest(
        COEFS, panel, formula=FORMULA, year=3, method="simulate", settings=SimulationSettings(nsim=8, seed=1), sweeps=2
    )
    for pred in (leaky, honest):
        assert len(pred.scores) == N * (N - 1)
        scores = pred.scores["score"].to_numpy()
        np.testing.assert_allclose(scores * 8, np.round(scores * 8))  # shares of 8 simulations
        assert 0 <= pred.btergm_all.auc_roc <= 1
    assert honest.settings["burnin"] == 2 * N * (N - 1)  # sweeps over ordered pairs
    assert leaky.btergm_all.auc_roc_rgraph is not None
