"""Converged MPLE with the LP existence check: identified terms match a tight glm, others are flagged."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from reference_rows import coef_table, compressed_design

from customsnet.modeling.design.design import Design, StepDesign
from customsnet.modeling.estimation.fit import MPLEWarning, fit_tergm
from customsnet.modeling.estimation.logit_stats import StackedRows
from customsnet.modeling.estimation.separation import identify, recession_directions

SEPARATED = ["edges", "edgecov.memory[[i]]"]


def test_case1_identified_terms_match_tight_glm_and_separated_are_not_identified():
    with pytest.warns(MPLEWarning) as record:
        result = fit_tergm(compressed_design("case1"), estimator="mple", bootstrap=0)
    message = " ".join(str(r.message) for r in record)
    assert "ties never dissolve" in message
    assert "edges, edgecov.memory[[i]] are not identified" in message
    assert "only edges - edgecov.memory[[i]] is identified" in message
    ref = coef_table("case1")["glm_tight"]
    for name in ref.index:
        if name in SEPARATED:
            assert np.isnan(result.params[name])
            assert result.status[result.names.index(name)] == "not identified: separation"
        else:
            assert result.params[name] == pytest.approx(ref[name], abs=1e-6)
            assert result.status[result.names.index(name)] == "ok"
    assert result.converged and result.criterion <= 1e-12 * result.nobs_dyads
    combo = result.combinations[0]
    assert combo.coefs == {"edges": 1.0, "edgecov.memory[[i]]": -1.0}
    assert combo.estimate == pytest.approx(ref["edges"] - ref["edgecov.memory[[i]]"], abs=1e-6)


def test_case1_dissolve_all_terms_match_tight_glm_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", MPLEWarning)
        result = fit_tergm(compressed_design("case1_dissolve"), estimator="mple", bootstrap=0)
    ref = coef_table("case1_dissolve")["glm_tight"]
    np.testing.assert_allclose(result.params.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-6)
    assert result.status == ["ok"] * 6
    assert result.combinations == []


def test_lp_recession_direction_is_edges_plus_memory():
    design = compressed_design("case1")
    rows = StackedRows.from_design(design)
    directions, separated = recession_directions(rows.X, rows.y, rows.w)
    assert len(directions) == 1
    d = directions[0]
    np.testing.assert_allclose(d, [1, 0, 0, 0, 0, 1], atol=1e-9)
    memory = rows.X[:, 5]
    # exactly the previously tied dyads are separated, and all of them are tied now
    np.testing.assert_array_equal(separated, memory == 1)
    assert np.all(rows.y[separated] == 1)


def _design(X: np.ndarray, y: np.ndarray, names: list[str], n_steps: int = 2) -> Design:
    parts = np.array_split(np.arange(len(y)), n_steps)
    steps = [
        StepDesign(year=2000 + k, X=X[p], y=y[p], w=np.ones(len(p)), nodes=np.array(["a", "b"]))
        for k, p in enumerate(parts)
    ]
    return Design(names=names, steps=steps)


def test_complete_separation_of_a_covariate_is_detected():
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    y = (x > 0).astype(float)  # x separates perfectly
    X = np.column_stack([np.ones(400), x, rng.normal(size=400)])
    ident = identify(StackedRows.from_design(_design(X, y, ["edges", "x", "z"])), ["edges", "x", "z"])
    assert not ident.exists
    assert ident.separated.all()
    assert not ident.identified.any()


def test_exact_collinearity_is_reported_as_not_identified():
    rng = np.random.default_rng(1)
    z = rng.normal(size=500)
    X = np.column_stack([np.ones(500), z, 2.0 * z])
    y = (rng.random(500) < 1 / (1 + np.exp(-(0.3 + 0.5 * z)))).astype(float)
    with pytest.warns(MPLEWarning, match="not identified"):
        result = fit_tergm(_design(X, y, ["edges", "z", "z2"]), estimator="mple", bootstrap=0)
    assert result.status[1] == "not identified: collinear"
    assert np.isnan(result.params["z"]) and np.isnan(result.params["z2"])
    assert result.params["edges"] == pytest.approx(_logit_fit(X[:, :2], y)[0], abs=1e-8)
    # eta = edges + (b_z + 2 b_z2) z: the identified combination is proportional to z + 2 z2
    combo = result.combinations[0]
    assert combo.coefs == {"z": 0.5, "z2": 1.0}
    slope = _logit_fit(X[:, :2], y)[1]
    assert combo.estimate == pytest.approx(slope / 2.0, abs=1e-8)


def _logit_fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    beta = np.zeros(X.shape[1])
    for _ in range(50):
        mu = 1 / (1 + np.exp(-X @ beta))
        beta += np.linalg.solve(X.T @ (X * (mu * (1 - mu))[:, None]), X.T @ (y - mu))
    return beta


def test_replicate_with_its_own_separation_gets_its_own_lp():
    from customsnet.modeling.estimation.estimators import replicates_mple

    rng = np.random.default_rng(9)
    steps = []
    for k in range(3):
        n = 600
        z = rng.normal(size=n)
        rare = np.zeros(n)
        y = (rng.random(n) < 1 / (1 + np.exp(-(-1.0 + 0.7 * z)))).astype(float)
        if k == 0:  # the rare indicator has a tie and a non-tie here ...
            rare[:3], y[:3] = 1.0, [1.0, 1.0, 0.0]
        elif k == 1:  # ... but only ties here: a resample of step 1 alone is separated in "rare"
            rare[:2], y[:2] = 1.0, [1.0, 1.0]
        X = np.column_stack([np.ones(n), z, rare])
        steps.append(StepDesign(year=2001 + k, X=X, y=y, w=np.ones(n), nodes=np.array(["a", "b"])))
    design = Design(names=["edges", "z", "rare"], steps=steps)
    rows = StackedRows.from_design(design)
    ident = identify(rows, design.names)
    assert ident.exists
    reps = replicates_mple(rows, np.array([[0, 3, 0], [1, 1, 1]]), ident)
    assert not reps.failed.any()
    assert np.isnan(reps.raw[0, 2]) and np.all(np.isfinite(reps.raw[0, :2]))
    assert "rare" in reps.notes[0]
    assert np.all(np.isfinite(reps.raw[1]))
    # the separated replicate's identified coefficients are the fit without the separated rows
    step1 = design.steps[1]
    keep = step1.X[:, 2] == 0
    np.testing.assert_allclose(reps.raw[0, :2], _logit_fit(step1.X[keep, :2], step1.y[keep]), atol=1e-7)
