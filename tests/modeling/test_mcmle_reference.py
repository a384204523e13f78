"""MCMC-MLE against the ergmx reference cases (``../shared/reference/ergmx``; skipped without them).

Tolerances come from the reported Monte Carlo errors: an estimate agrees when it is within 4
combined MCMC standard errors (ours and the reference's mean MCMC SE) of the reference's mean
over three seeds; standard errors (which include the MCMC error) within 20%.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from ergmx_cases import ergmx_case, read_ergmx_panel

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_mcmle

# the exact MLE of edges + edgecov(X) + absdiff(z) (ergmx README section 2): logit = MPLE
EXACT_DYADINDEP = np.array([-3.0059952329714776, 0.47153320291669387, -0.2577293426899737])
EXACT_DYADINDEP_SE = np.array([0.060677, 0.036898, 0.046321])


def _case(name: str):
    path = ergmx_case(name)
    if not path.exists():
        pytest.skip(f"ergmx reference case {name} not available")
    return read_ergmx_panel(path), pd.read_csv(path / "coef_seed_summary.csv")


def test_dyadindep_mple_is_the_exact_mle():
    panel, _ = _case("ergm_dyadindep")
    fit = fit_tergm(build_design(panel, 'nets ~ edges + edgecov(X) + absdiff("z")'), estimator="mple", bootstrap=0)
    np.testing.assert_allclose(fit.estimates, EXACT_DYADINDEP, atol=1e-7)


@pytest.mark.slow
def test_dyadindep_mcmle_equals_the_exact_mle_within_its_mcmc_error():
    panel, _ = _case("ergm_dyadindep")
    control = MCMLEControl(samplesize=1024, burnin=40_000, interval=2_000)
    start = np.array([-3.5, 0.0, 0.0])  # ergmx's far start
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fit_mcmle(panel, 'nets ~ edges + edgecov(X) + absdiff("z")', control=control, seed=1, start=start)
    est, mcse, se = result.estimates, result.mcmc_std_errors.to_numpy(), result.std_errors.to_numpy()
    print("estimate", est, "MCMC SE", mcse, "SE", se, "iterations", result.iterations)
    assert result.converged
    assert np.all(np.abs(est - EXACT_DYADINDEP) <= 3.5 * mcse), (est - EXACT_DYADINDEP) / mcse
    np.testing.assert_allclose(se, EXACT_DYADINDEP_SE, rtol=0.15)


@pytest.mark.slow
def test_case_a_gwesp_gwdegree_edgecov_matches_ergmx():
    panel, summary = _case("ergm_mcmle_caseA")
    formula = "nets ~ edges + gwesp(0.5, fixed = TRUE) + gwdegree(0.1, fixed = TRUE) + edgecov(X)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_mcmle(panel, formula, control=MCMLEControl(samplesize=1024, burnin=16384, interval=1024), seed=1)
    ref = summary[summary["estimator"] == "MCMLE"]
    est, mcse, se = result.estimates, result.mcmc_std_errors.to_numpy(), result.std_errors.to_numpy()
    ref_mean = ref["mean"].to_numpy()
    combined = np.sqrt(mcse**2 + ref["mean_reported_mcmc_std_error"].to_numpy() ** 2)
    print("estimate", est, "reference", ref_mean, "z", (est - ref_mean) / combined, "SE", se)
    assert result.converged
    assert np.all(np.abs(est - ref_mean) <= 4 * combined)
    np.testing.assert_allclose(se, ref["mean_reported_std_error"].to_numpy(), rtol=0.2)


@pytest.mark.slow
def test_curved_gwesp_decay_matches_ergmx():
    panel, summary = _case("ergm_curved")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_mcmle(
            panel,
            "nets ~ edges + gwesp(0.5, fixed = FALSE)",
            control=MCMLEControl(samplesize=1024, burnin=16384, interval=1024),
            seed=1,
        )
    assert result.names == ["edges", "gwesp", "gwesp.decay"]
    ref = summary[summary["estimator"] == "MCMLE"].set_index("term").loc[result.names]
    est, mcse, se = result.estimates, result.mcmc_std_errors.to_numpy(), result.std_errors.to_numpy()
    combined = np.sqrt(mcse**2 + ref["mean_reported_mcmc_std_error"].to_numpy() ** 2)
    print(
        "estimate", est, "reference", ref["mean"].to_numpy(), "z", (est - ref["mean"].to_numpy()) / combined, "SE", se
    )
    assert result.converged
    assert np.all(np.abs(est - ref["mean"].to_numpy()) <= 4 * combined)
    np.testing.assert_allclose(se, ref["mean_reported_std_error"].to_numpy(), rtol=0.25)
