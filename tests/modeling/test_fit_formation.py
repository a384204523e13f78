"""The formation model: dyads untied at t-1, memory dropped; every estimate exists."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from reference_rows import coef_table, compressed_design, dyadlist_design

from customsnet.modeling.estimation.estimators import EstimationError, formation_design
from customsnet.modeling.estimation.fit import MPLEWarning, fit_tergm

NON_MEMORY = ["edges", "gwesp.fixed.0.5", "gwdeg.fixed.0.1", "edgecov.cov[[i]]", "absdiff.x"]


def _fit(design):
    with warnings.catch_warnings():
        warnings.simplefilter("error", MPLEWarning)  # an existing MPLE must not warn
        return fit_tergm(design, estimator="formation", bootstrap=0)


def test_formation_on_case1_exists_with_generator_signs():
    result = _fit(dyadlist_design("case1"))
    assert result.names == NON_MEMORY
    assert np.all(np.isfinite(result.params.to_numpy()))
    assert all(s.startswith("ok (exists") for s in result.status)
    # case1's generator: positive gwesp, positive cov, negative absdiff (glm_tight agrees)
    tight = coef_table("case1")["glm_tight"]
    for name in ["gwesp.fixed.0.5", "edgecov.cov[[i]]", "absdiff.x"]:
        assert np.sign(result.params[name]) == np.sign(tight[name]) != 0
    assert result.params["gwesp.fixed.0.5"] > 0 and result.params["edgecov.cov[[i]]"] > 0
    assert result.params["absdiff.x"] < 0


def test_formation_relates_to_btergm_stability_model_when_ties_never_dissolve():
    # With never-dissolving ties the full model's identified part is fitted on exactly the risk
    # set, so formation's edges is btergm's edges - memory and the other terms coincide.
    result = _fit(dyadlist_design("case1"))
    tight = coef_table("case1")["glm_tight"]
    assert result.params["edges"] == pytest.approx(tight["edges"] - tight["edgecov.memory[[i]]"], abs=1e-6)
    for name in NON_MEMORY[1:]:
        assert result.params[name] == pytest.approx(tight[name], abs=1e-6)
    assert result.nobs_dyads == sum(int((s.lag_tie == 0).sum()) for s in dyadlist_design("case1").steps)


def test_formation_from_compressed_rows_reads_lag_ties_off_stability_memory():
    a = _fit(dyadlist_design("case1_dissolve"))
    b = _fit(compressed_design("case1_dissolve"))
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), atol=1e-9)
    assert a.nobs_dyads == b.nobs_dyads


def test_formation_needs_lag_information():
    design = compressed_design("case1_dissolve")
    for s in design.steps:
        s.X[:, 5] = (s.X[:, 5] + 1) / 2  # autoregression coding: 1/0 is ambiguous for the reader
    with pytest.raises(EstimationError, match="stability coding"):
        formation_design(design)


def test_formation_bootstrap_intervals_are_finite_and_cover_the_estimate():
    result = fit_tergm(compressed_design("case1"), estimator="formation", bootstrap=30, seed=4)
    ci = result.conf_int()
    assert np.all(np.isfinite(ci.to_numpy()))
    est = result.params.to_numpy()
    assert np.all((ci["2.5%"].to_numpy() < est) & (est < ci["97.5%"].to_numpy()))
    assert result.n_failed == 0
