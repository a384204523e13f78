"""Simulation: networks drawn from known parameters are recovered, and 95% intervals cover them.

The generator is dyad-independent given the past (edges + edgecov + stability memory), so it can
be sampled exactly, dyad by dyad: logit P(y_ij^t = 1) = edges + cov * c_ij^t + memory * (2 y_ij^(t-1) - 1).
"""

from __future__ import annotations

import warnings

import numpy as np

from customsnet.modeling.design.design import Design, StepDesign
from customsnet.modeling.estimation.fit import fit_tergm

TRUTH = np.array([-1.0, 0.8, 1.2])  # edges, edgecov.cov[[i]], edgecov.memory[[i]]
NAMES = ["edges", "edgecov.cov[[i]]", "edgecov.memory[[i]]"]


def simulate_design(rng: np.random.Generator, n_nodes: int = 30, n_years: int = 16) -> Design:
    tail, head = np.triu_indices(n_nodes, k=1)
    y_prev = (rng.random(len(tail)) < 0.2).astype(float)
    steps = []
    for year in range(2, n_years + 1):
        cov = rng.normal(size=len(tail))
        memory = 2.0 * y_prev - 1.0
        X = np.column_stack([np.ones(len(tail)), cov, memory])
        p = 1.0 / (1.0 + np.exp(-(X @ TRUTH)))
        y = (rng.random(len(tail)) < p).astype(float)
        steps.append(
            StepDesign(
                year=year,
                X=X,
                y=y,
                w=np.ones(len(y)),
                nodes=np.arange(n_nodes).astype(str),
                tail=tail,
                head=head,
                lag_tie=y_prev.astype(np.int8),
            )
        )
        y_prev = y
    return Design(names=list(NAMES), steps=steps, formula="sim ~ edges + edgecov(cov) + memory()")


def test_true_parameters_fall_inside_bootstrap_intervals():
    rng = np.random.default_rng(20240601)
    repetitions = 6
    covered = np.zeros((repetitions, 3), dtype=bool)
    estimates = np.zeros((repetitions, 3))
    for k in range(repetitions):
        design = simulate_design(rng)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a well-posed simulated panel must not warn
            result = fit_tergm(design, estimator="mple", bootstrap=100, seed=k)
        ci = result.conf_int()
        covered[k] = (ci["2.5%"].to_numpy() <= TRUTH) & (TRUTH <= ci["97.5%"].to_numpy())
        estimates[k] = result.params.to_numpy()
        # btergm's IRLS agrees with the converged MPLE when the MPLE exists
        parity = fit_tergm(design, estimator="btergm", bootstrap=0)
        np.testing.assert_allclose(parity.params.to_numpy(), estimates[k], atol=1e-6)
    coverage = covered.mean()
    print(
        f"coverage of 95% percentile intervals: {coverage:.3f} ({covered.sum()}/{covered.size}); "
        f"per term {covered.mean(axis=0)}"
    )
    assert coverage >= 0.75
    # the estimator is consistent: the mean over repetitions is close to the truth
    np.testing.assert_allclose(estimates.mean(axis=0), TRUTH, atol=0.1)
