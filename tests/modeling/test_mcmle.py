"""MCMC-MLE of the pooled temporal ERGM: exactness on dyad-independent models, statistics, seeds, I/O.

For a dyad-independent model the likelihood is the logit's, so the MCMC-MLE must reproduce the
exact MLE (the converged MPLE) to within its own reported MCMC standard error, and its standard
errors must match the logit's (the inverse Fisher information).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from mcmle_cases import DYAD_INDEPENDENT, dyad_independent_panel, exact_logit

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.estimation.mcmc_diagnostics import (
    effective_sizes,
    hummel_steplength,
    in_convex_hull,
    mcmc_covariance,
)
from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_mcmle, pooled_steps
from customsnet.modeling.estimation.mcmle_result import MCMLEResult
from customsnet.modeling.panel.panel import Panel

CONTROL = MCMLEControl(samplesize=1024, n_chains=2, burnin=4000, interval=300)


@pytest.fixture(scope="module")
def panel() -> Panel:
    return dyad_independent_panel()


@pytest.fixture(scope="module")
def exact(panel):
    return exact_logit(panel, DYAD_INDEPENDENT)


def test_observed_statistics_equal_the_design_totals(panel):
    design = build_design(panel, DYAD_INDEPENDENT, compress=True)
    X, y, w = design.stacked()
    steps, years = pooled_steps(panel, DYAD_INDEPENDENT)
    assert years == design.years
    total = np.sum([s.observed_statistics() for s in steps], axis=0)
    np.testing.assert_allclose(total, (X * (w * y)[:, None]).sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("offset", [0.0, pytest.param(0.6, marks=pytest.mark.slow)])
def test_dyad_independent_mcmle_equals_the_logit_within_its_mcmc_error(panel, exact, offset):
    mle, logit_se = exact
    start = mle + offset * np.array([1.0, -1.0, 1.0, -1.0])  # 0.0: the MPLE start; 0.6: a far start
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fit_mcmle(panel, DYAD_INDEPENDENT, control=CONTROL, seed=3, start=None if offset == 0 else start)
    assert result.converged
    est = result.params.to_numpy()
    mcse = result.mcmc_std_errors.to_numpy()
    se = result.std_errors.to_numpy()
    print("MCMC-MLE", est, "exact", mle, "MCMC SE", mcse, "SE", se, "logit SE", logit_se)
    assert np.all(mcse > 0)
    assert np.all(np.abs(est - mle) <= 3.5 * mcse), (est - mle) / mcse
    # Fisher information from the simulated statistics' covariance vs the logit's (1024 draws)
    np.testing.assert_allclose(se, logit_se, rtol=0.15)
    assert np.all(mcse < se)
    if offset:
        assert result.iterations >= 2  # it had to move


def test_same_seed_same_fit_and_jobs_do_not_change_it(panel):
    control = MCMLEControl(samplesize=256, n_chains=2, burnin=1000, interval=100, max_iterations=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fit_mcmle(panel, DYAD_INDEPENDENT, control=control, seed=11)
        b = fit_mcmle(panel, DYAD_INDEPENDENT, control=control, seed=11)
        c = fit_mcmle(panel, DYAD_INDEPENDENT, control=control, seed=12)
    np.testing.assert_array_equal(a.estimates, b.estimates)
    np.testing.assert_array_equal(a.covariance, b.covariance)
    assert not np.array_equal(a.estimates, c.estimates)


@pytest.mark.slow
def test_parallel_chains_give_the_serial_result(panel):
    control = MCMLEControl(samplesize=256, n_chains=2, burnin=1000, interval=100, max_iterations=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serial = fit_mcmle(panel, DYAD_INDEPENDENT, control=control, seed=5, n_jobs=1)
        parallel = fit_mcmle(panel, DYAD_INDEPENDENT, control=control, seed=5, n_jobs=2)
    np.testing.assert_array_equal(serial.estimates, parallel.estimates)


def test_result_table_diagnostics_and_round_trip(panel, tmp_path):
    control = MCMLEControl(samplesize=256, n_chains=2, burnin=1000, interval=100, max_iterations=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_mcmle(panel, DYAD_INDEPENDENT, control=control, seed=2)
    table = result.to_frame()
    assert list(table.columns[:5]) == ["Estimate", "Std. Error", "MCMC %", "z value", "Pr(>|z|)"]
    ci = result.conf_int()
    assert np.all(ci["2.5%"] < result.params) and np.all(result.params < ci["97.5%"])
    diag = result.diagnostics_frame()
    assert list(diag.index) == result.names
    assert np.all(diag["ESS"] > 0) and np.all(np.abs(diag["ACF(1)"]) < 1)
    assert len(result.trace_frame()) == len(result.trace) >= 1
    assert "MCMC-MLE" in str(result.summary())
    json_path, _ = result.save(tmp_path / "fit")
    back = MCMLEResult.load(json_path)
    np.testing.assert_array_equal(back.estimates, result.estimates)
    np.testing.assert_array_equal(back.covariance, result.covariance)
    assert back.trace == result.trace and back.final_sample.shape == result.final_sample.shape


# --------------------------------------------------------------------------- diagnostics units
def test_mcmc_covariance_and_ess_of_an_ar1_chain():
    rng = np.random.default_rng(0)
    phi, n = 0.8, 20000
    chains = []
    for _ in range(2):
        e = rng.normal(size=n)
        z = np.empty(n)
        z[0] = e[0]
        for t in range(1, n):
            z[t] = phi * z[t - 1] + e[t]
        chains.append(z[:, None])
    # AR(1): τ = (1+φ)/(1−φ) = 9; long-run variance σ²/(1−φ)² = 25
    ess = effective_sizes(chains)[0]
    assert 2 * n / 9 * 0.8 < ess < 2 * n / 9 * 1.25
    omega = mcmc_covariance(chains)[0, 0]
    assert 25 * 0.8 < omega < 25 * 1.25


@pytest.mark.slow
def test_mcmc_covariance_is_unbiased_at_the_chain_lengths_the_mcmle_uses():
    # a bivariate VAR(1) z_t = A z_{t-1} + e_t, 2 chains of 512 draws (MCMLEControl's samplesize
    # 1024), strong autocorrelation as at the minimum ESS; long-run covariance (I-A)^-1 S (I-A)^-T.
    # The lag-window estimate used before (Bartlett, 3·τ lags) averaged about 0.7 of the truth here.
    rng = np.random.default_rng(5)
    a = np.array([[0.9, 0.05], [0.0, 0.6]])
    shock = np.array([[1.0, 0.3], [0.3, 1.0]])
    inv = np.linalg.inv(np.eye(2) - a)
    truth = inv @ shock @ inv.T
    root = np.linalg.cholesky(shock)
    estimates = []
    for _ in range(30):
        chains = []
        for _ in range(2):
            e = rng.normal(size=(712, 2)) @ root.T
            z = np.zeros_like(e)
            for t in range(1, len(e)):
                z[t] = a @ z[t - 1] + e[t]
            chains.append(z[200:])
        estimates.append(mcmc_covariance(chains))
    ratio = np.mean(estimates, axis=0) / truth
    assert np.all(np.abs(ratio - 1.0) < 0.12), ratio
    # constant statistics get zero rows and columns, not NaN
    flat = [np.c_[c[:, 0], np.full(len(c), 3.0)] for c in chains]
    omega = mcmc_covariance(flat)
    assert omega[1, 1] == 0.0 and omega[0, 1] == 0.0 and omega[0, 0] > 0


def test_hummel_steplength_and_hull():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(500, 2))
    assert in_convex_hull(np.zeros(2), z)
    assert not in_convex_hull(np.array([10.0, 0.0]), z)
    assert hummel_steplength(z, np.array([0.1, 0.1])) == 1.0
    gamma = hummel_steplength(z, np.array([20.0, 0.0]))
    edge = z[:, 0].max()
    assert 0 < gamma < 1
    assert abs(z.mean(axis=0)[0] + 1.05 * gamma * (20.0 - z.mean(axis=0)[0]) - edge) < 0.2


# --------------------------------------------------------------------------- entry points
def test_fit_tergm_refuses_mcmle_on_a_design_and_tergm_fits_the_panel(panel):
    from customsnet.modeling.estimation.fit import EstimationError
    from customsnet.modeling.estimation.model import TERGM

    design = build_design(panel, DYAD_INDEPENDENT)
    with pytest.raises(EstimationError, match="needs the panel"):
        fit_tergm(design, estimator="mcmle")
    control = MCMLEControl(samplesize=256, n_chains=2, burnin=1000, interval=100, max_iterations=3)
    model = TERGM(DYAD_INDEPENDENT, estimator="mcmle", seed=4, mcmc=control)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit(panel)
    assert isinstance(result, MCMLEResult) and result.estimator == "mcmle"
    assert model.params_.index.tolist() == result.names


def test_cli_fits_mcmle(panel, tmp_path):
    from click.testing import CliRunner

    from customsnet.cli import main

    path = panel.save(tmp_path / "panel.npz")
    res = CliRunner().invoke(
        main,
        [
            "--quiet",
            "fit",
            "--estimator",
            "mcmle",
            "--panel",
            str(path),
            "--formula",
            DYAD_INDEPENDENT,
            "--mcmc-samplesize",
            "256",
            "--mcmc-interval",
            "100",
            "--mcmc-burnin",
            "1000",
            "--seed",
            "3",
            "--jobs",
            "1",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert res.exit_code == 0, res.output
    back = MCMLEResult.load(tmp_path / "out" / "fit.json")
    assert back.estimator == "mcmle" and back.control["samplesize"] == 256 and back.seed == 3
    assert back.std_errors.notna().all()
