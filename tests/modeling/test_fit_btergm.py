"""btergm parity mode: speedglm's IRLS reproduces btergm's coefficients, separated ones included."""

from __future__ import annotations

import numpy as np
import pytest
from reference_rows import REFERENCE, coef_table, compressed_design

from customsnet.modeling.design.design import Design, StepDesign
from customsnet.modeling.estimation.fit import MPLEWarning, fit_tergm
from customsnet.modeling.estimation.logit_stats import StackedRows
from customsnet.modeling.estimation.speedglm import (
    SingularSystemError,
    eigen_rank_check,
    glmfit_irls,
    qr_rank_columns,
    r_solve,
    speedglm_fit,
)

CASES = ["case1", "case1_dissolve"]


@pytest.mark.parametrize("case", CASES)
def test_btergm_coefficients_match_speedglm_on_btergm_rows(case):
    design = compressed_design(case)
    ref = coef_table(case)["btergm_speedglm"]
    with pytest.warns(MPLEWarning) if case == "case1" else _no_warning():
        result = fit_tergm(design, estimator="btergm", bootstrap=0)
    assert list(result.params.index) == list(ref.index)
    np.testing.assert_allclose(result.params.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-6)
    assert result.converged and result.iterations < 25
    assert 0 < result.criterion <= 1e-8


def test_separated_terms_flagged_in_btergm_mode():
    with pytest.warns(MPLEWarning, match="ties never dissolve"):
        result = fit_tergm(compressed_design("case1"), estimator="btergm", bootstrap=0)
    status = dict(zip(result.names, result.status))
    assert status["edges"].startswith("not identified")
    assert status["edgecov.memory[[i]]"].startswith("not identified")
    assert status["gwesp.fixed.0.5"] == "ok"
    # btergm's separated values are artefacts, but their difference is the identified quantity
    ref = coef_table("case1")
    combo = result.combinations[0]
    assert combo.label == "edges - edgecov.memory[[i]]"
    expected = ref.loc["edges", "glm_tight"] - ref.loc["edgecov.memory[[i]]", "glm_tight"]
    assert combo.estimate == pytest.approx(expected, abs=1e-6)


def test_build_design_rows_give_btergm_coefficients():
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    for case in CASES:
        if not (REFERENCE / case).is_dir():
            pytest.skip("reference data absent")
        design = build_design(read_reference_panel(REFERENCE / case), REFERENCE_FORMULA)
        ref = coef_table(case)["btergm_speedglm"]
        result = fit_tergm(design, estimator="btergm", bootstrap=0, check_separation=False)
        np.testing.assert_allclose(result.params.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-6)


def test_r_solve_refuses_singular_systems():
    with pytest.raises(SingularSystemError, match="exactly singular"):
        r_solve(np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([1.0, 2.0]))
    with pytest.raises(SingularSystemError, match="computationally singular"):
        r_solve(np.array([[1.0, 0.0], [0.0, 1e-17]]), np.array([1.0, 1.0]))
    np.testing.assert_allclose(r_solve(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 4.0])), [1.0, 1.0])


def test_eigen_rank_check_drops_last_loaded_column_of_a_collinearity():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 3))
    X = np.column_stack([X, X[:, 1] + X[:, 2]])  # column 3 = column 1 + column 2
    keep = eigen_rank_check(X.T @ X)
    np.testing.assert_array_equal(keep, [0, 1, 2])
    np.testing.assert_array_equal(qr_rank_columns(X.T @ X), [0, 1, 2])


def _duplicated_column_design() -> Design:
    base = compressed_design("case1_dissolve")
    steps = [
        StepDesign(year=s.year, X=np.column_stack([s.X, s.X[:, 3]]), y=s.y, w=s.w, nodes=s.nodes) for s in base.steps
    ]
    return Design(names=base.names + ["copy.of.cov"], steps=steps)


def test_collinear_column_is_dropped_with_na_like_speedglm():
    design = _duplicated_column_design()
    rows = StackedRows.from_design(design)
    out = speedglm_fit(rows, np.ones((1, design.n_steps)))[0]
    ref = coef_table("case1_dissolve")["btergm_speedglm"].to_numpy()
    # the eigen check drops the later of the two identical columns; the rest is btergm's fit
    assert out.dropped == [6]
    assert np.isnan(out.coef[6])
    np.testing.assert_allclose(out.coef[:6], ref, atol=1e-6)


def test_glmfit_fallback_runs_the_same_irls():
    design = compressed_design("case1_dissolve")
    rows = StackedRows.from_design(design)
    counts = np.ones((1, design.n_steps))
    glm = glmfit_irls(rows, counts)
    sg = speedglm_fit(rows, counts)[0]
    assert glm.method == "glm.fit" and glm.converged
    np.testing.assert_allclose(glm.coef, sg.coef, atol=1e-9)
    assert glm.iterations == sg.iterations


class _no_warning:
    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("error", MPLEWarning)

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def _ill_scaled_step(rng: np.random.Generator, year: int, n: int = 2000) -> StepDesign:
    z, u = rng.normal(size=n), rng.normal(size=n)
    X = np.column_stack([np.ones(n), 1e5 * z, 1e-4 * u])
    y = (rng.random(n) < 1 / (1 + np.exp(-(-0.5 + 0.5 * z + 0.3 * u)))).astype(float)
    return StepDesign(year=year, X=X, y=y, w=np.ones(n), nodes=np.array(["a", "b"]))


def _well_scaled_step(rng: np.random.Generator, year: int, n: int = 2000) -> StepDesign:
    z, u = rng.normal(size=n), rng.normal(size=n)
    X = np.column_stack([np.ones(n), z, u])
    y = (rng.random(n) < 1 / (1 + np.exp(-(-0.5 + 0.5 * z + 0.3 * u)))).astype(float)
    return StepDesign(year=year, X=X, y=y, w=np.ones(n), nodes=np.array(["a", "b"]))


def test_replicate_whose_lu_solve_fails_is_refitted_by_glm_fit():
    rng = np.random.default_rng(5)
    design = Design(names=["edges", "z", "u"], steps=[_well_scaled_step(rng, 1), _ill_scaled_step(rng, 2)])
    rows = StackedRows.from_design(design)
    ok, bad = speedglm_fit(rows, np.array([[2, 0], [0, 2]]))
    assert ok.method == "speedglm" and ok.error is None
    # rcond of X'WX is ~1e-18 < eps in the ill-scaled step: R's solve() stops, btergm uses glm.fit
    assert bad.method == "glm.fit" and "computationally singular" in bad.error
    assert bad.converged and np.all(np.isfinite(bad.coef))
    # glm.fit's answer is the MLE of that replicate: the score vanishes (checked on the rescaled problem)
    step = design.steps[1]
    mu = 1 / (1 + np.exp(-(step.X @ bad.coef)))
    score = (step.X / np.abs(step.X).max(axis=0)).T @ (step.y - mu)
    assert np.abs(score).max() < 1e-4
    # and the point fit on such data stops like btergm, with an actionable message
    from customsnet.modeling.estimation.estimators import EstimationError

    with pytest.raises(EstimationError, match="Rescale"):
        fit_tergm(Design(names=["edges", "z", "u"], steps=[_ill_scaled_step(rng, 1)]), estimator="btergm", bootstrap=0)


@pytest.mark.slow
def test_big_btergm_coefficients_from_build_design():
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    if not (REFERENCE / "big").is_dir():
        pytest.skip("reference data absent")
    design = build_design(read_reference_panel(REFERENCE / "big"), REFERENCE_FORMULA)
    ref = coef_table("big")["btergm"]
    result = fit_tergm(design, estimator="btergm", bootstrap=0, check_separation=False, n_jobs=2)
    np.testing.assert_allclose(result.params.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-6)
