"""FitResult: summary, intervals, btergm_se, save/load."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from customsnet.modeling.fit import TERGM, fit_tergm
from customsnet.modeling.results import FitResult

from reference_rows import boot_indices, compressed_design


@pytest.fixture(scope="module")
def separated_fit() -> FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_tergm(compressed_design("case1"), estimator="mple", bootstrap=30, seed=5)


@pytest.fixture(scope="module")
def btergm_fit() -> FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_tergm(compressed_design("case1_dissolve"), estimator="btergm", boot_indices=boot_indices("case1_dissolve"))


def test_summary_header_and_table(separated_fit):
    text = str(separated_fit.summary())
    assert "Formula: nets ~ edges + gwesp(0.5, fixed = TRUE)" in text
    assert "TERGM by MPLE (mple)" in text
    assert "Time steps: 9 (2-10)" in text
    assert "Bootstrapping sample size: 30, seed 5" in text
    assert "15,930 dyads (31,860 ordered pairs" in text
    assert "converged: yes" in text
    assert "not identified: separation" in text
    assert "edges - edgecov.memory[[i]]" in text
    assert "ties never dissolve" in text
    table = separated_fit.summary().table
    assert list(table.columns) == ["Estimate", "Boot mean", "2.5%", "97.5%", "Identification"]
    assert np.isnan(table.loc["edges", "Estimate"]) and np.isnan(table.loc["edges", "2.5%"])
    lo, hi = table.loc["gwesp.fixed.0.5", ["2.5%", "97.5%"]]
    assert lo < table.loc["gwesp.fixed.0.5", "Estimate"] < hi


def test_conf_int_labels_levels_and_kinds(btergm_fit):
    ci = btergm_fit.conf_int()
    assert list(ci.columns) == ["2.5%", "97.5%"]
    ci90 = btergm_fit.conf_int(level=0.9)
    assert list(ci90.columns) == ["5%", "95%"]
    assert np.all(ci90["5%"] >= ci["2.5%"]) and np.all(ci90["95%"] <= ci["97.5%"])
    basic = btergm_fit.conf_int(kind="basic")
    est = btergm_fit.params
    np.testing.assert_allclose(basic["2.5%"], 2 * est - ci["97.5%"])
    with pytest.raises(ValueError, match="perc"):
        btergm_fit.conf_int(kind="bca")


def test_btergm_se_is_rms_around_estimate_with_flipped_z(btergm_fit):
    with pytest.warns(UserWarning, match="misleading"):
        se = btergm_fit.btergm_se()
    t = btergm_fit.boot_t
    est = btergm_fit.params.to_numpy()
    np.testing.assert_allclose(se["Std.Err"], np.sqrt(((t - est) ** 2).mean(axis=0)))
    np.testing.assert_allclose(se["Z value"], -t.mean(axis=0) / se["Std.Err"])
    assert np.all(np.sign(se["Z value"]) == -np.sign(est))


def test_save_and_load_round_trip(tmp_path, separated_fit):
    json_path, csv_path = separated_fit.save(tmp_path / "run" / "fit")
    assert json_path.exists() and csv_path.exists()
    json.loads(json_path.read_text())  # strict JSON (no NaN literals)
    back = FitResult.load(json_path)
    pd.testing.assert_series_equal(back.params, separated_fit.params)
    np.testing.assert_array_equal(back.boot_t, separated_fit.boot_t)
    np.testing.assert_array_equal(back.boot_indices, separated_fit.boot_indices)
    assert back.seed == 5 and back.estimator == "mple" and back.status == separated_fit.status
    pd.testing.assert_frame_equal(back.conf_int(), separated_fit.conf_int())
    table = pd.read_csv(csv_path, index_col="term")
    assert table.loc["gwesp.fixed.0.5", "Estimate"] == pytest.approx(separated_fit.params["gwesp.fixed.0.5"], abs=1e-15)
    assert table.loc["edges", "Identification"] == "not identified: separation"


def test_tergm_estimator_fits_a_panel_through_build_design():
    from reference_rows import REFERENCE

    from customsnet.modeling.reference import REFERENCE_FORMULA, read_reference_panel

    if not (REFERENCE / "case1_dissolve").is_dir():
        pytest.skip("reference data absent")
    model = TERGM(REFERENCE_FORMULA, estimator="mple", R=5, seed=2)
    result = model.fit(read_reference_panel(REFERENCE / "case1_dissolve"))
    direct = fit_tergm(compressed_design("case1_dissolve"), estimator="mple", bootstrap=0)
    np.testing.assert_allclose(model.params_.to_numpy(), direct.params.to_numpy(), atol=1e-8)
    assert result.R == 5 and "mple" in repr(model)
    assert model.set_params(R=7).get_params()["R"] == 7
    with pytest.raises(ValueError, match="unknown parameter"):
        model.set_params(bootstrap=3)


def test_fit_without_bootstrap_summarises_and_round_trips(tmp_path):
    result = fit_tergm(compressed_design("case1_dissolve"), estimator="mple", bootstrap=0)
    assert "Bootstrapping sample size: 0" in str(result.summary())
    assert result.conf_int().isna().all().all()
    back = FitResult.load(result.save(tmp_path / "fit")[0])
    assert back.boot_t.shape == (0, 6) and back.boot_indices.shape == (0, 9)
    pd.testing.assert_series_equal(back.params, result.params)
